import * as tf from '../backend/tf';
import { hostRows } from '../loop/host-rows';
import { maybeYield } from '../loop/event-loop';
import type { ReadonlyModel } from '../api/plugin';
import type { TensorDataset } from '../api/task';

/**
 * The model's predictions on the held-out set for the current weights, computed at most once per
 * weight change and shared: the trainer's validation, periodic-eval's evaluation and
 * qualitative-sampler's samples at an epoch end all read the same pass (the issue measured the
 * same 2,000 examples going through the model three times). The loop calls `invalidate` whenever
 * the weights change; the tensor is the core's, lent to whoever asks until then.
 */
export class SharedPredictions {
  private current: tf.Tensor | undefined;
  private pending: Promise<tf.Tensor> | undefined;
  /** Bumped by `invalidate`: a pass that started under older weights is handed out but not kept. */
  private generation = 0;

  constructor(
    private readonly model: Pick<ReadonlyModel, 'predict'>,
    readonly data: TensorDataset,
    private readonly batchSize = 256,
  ) {}

  /** Predictions for every example of `data`, in order (inference mode). Lent: valid until the weights change. */
  get(): Promise<tf.Tensor> {
    if (this.current) return Promise.resolve(this.current);
    const generation = this.generation;
    // Only a pass of the current generation settles `pending` (an older one must not clear a newer one).
    this.pending ??= this.compute().then(
      (t) => {
        if (generation !== this.generation) {
          setImmediate(() => t.dispose());
          return t;
        }
        this.pending = undefined;
        this.current = t;
        return t;
      },
      (e: unknown) => {
        if (generation === this.generation) this.pending = undefined;
        throw e;
      },
    );
    return this.pending;
  }

  /** The weights changed (an optimizer step, a restore): the next `get` predicts again. */
  invalidate(): void {
    this.generation++;
    this.pending = undefined;
    this.current?.dispose();
    this.current = undefined;
  }

  dispose(): void {
    this.invalidate();
  }

  private async compute(): Promise<tf.Tensor> {
    const n = this.data.x.shape[0]!;
    const rows = hostRows(this.data.x);
    const parts: tf.Tensor[] = [];
    try {
      for (let i = 0; i < n; i += this.batchSize) {
        // A long evaluation gives the event loop a turn now and then: a second Ctrl-C must get through.
        await maybeYield();
        const size = Math.min(this.batchSize, n - i);
        parts.push(
          tf.tidy(() => {
            const xb = rows.range(i, size);
            return this.model.predict(xb) as tf.Tensor;
          }),
        );
      }
      return parts.length === 1 ? parts.pop()! : tf.concat(parts);
    } finally {
      tf.dispose(parts);
    }
  }
}
