import * as tf from '../backend/tf';
import { makeOptimizer, type LossFn, type OptimizerName } from './losses';
import { createRng, permutation } from '../util/random';
import type { TensorDataset } from '../api/task';

/** How {@link quickFit} trains a copy: loss, optimizer, steps, batch size, seed. */
export interface QuickFitOptions {
  loss: LossFn;
  optimizer: OptimizerName | string;
  learningRate: number;
  steps: number;
  batchSize: number;
  seed: number;
  /** Record the loss every n steps (1: every step). */
  every?: number;
  /** Stop early once the loss is at or below this. */
  stopAtLoss?: number;
}

/** What {@link quickFit} measured: the loss curve and the final loss. */
export interface QuickFitResult {
  /** [step, loss] pairs. */
  curve: [number, number][];
  finalLoss: number;
  steps: number;
  ms: number;
}

/**
 * Trains a (copied) model for a bounded number of steps in inference mode (dropout off), with its
 * own optimizer: for probes that must not touch the run's model. One readback per recorded step.
 */
export async function quickFit(
  model: tf.LayersModel,
  data: TensorDataset,
  o: QuickFitOptions,
): Promise<QuickFitResult> {
  const t0 = performance.now();
  const n = data.x.shape[0]!;
  const optimizer = makeOptimizer(o.optimizer as OptimizerName, o.learningRate);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const rng = createRng(o.seed);
  let order = permutation(n, rng);
  let pos = 0;
  const curve: [number, number][] = [];
  let last = Number.NaN;
  let step = 0;
  try {
    for (; step < o.steps; step++) {
      if (pos >= n) {
        order = permutation(n, rng);
        pos = 0;
      }
      const idx = order.subarray(pos, Math.min(pos + o.batchSize, n));
      pos += o.batchSize;
      const lossT = tf.tidy(() => {
        const i = tf.tensor1d(idx, 'int32');
        const xb = tf.gather(data.x, i);
        const yb = tf.gather(data.y, i);
        const f = () => o.loss(yb, model.apply(xb, { training: false }) as tf.Tensor);
        if (vars.length === 0) return f();
        return optimizer.minimize(f, true, vars)!;
      });
      const record = step % (o.every ?? 1) === 0 || step === o.steps - 1;
      if (record) {
        last = (await lossT.data())[0]!;
        curve.push([step, last]);
      }
      lossT.dispose();
      if (record && o.stopAtLoss !== undefined && last <= o.stopAtLoss) {
        step++;
        break;
      }
    }
  } finally {
    optimizer.dispose();
  }
  return { curve, finalLoss: last, steps: step, ms: performance.now() - t0 };
}
