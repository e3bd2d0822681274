import * as tf from '../backend/tf';
import { maybeYield } from '../loop/event-loop';
import { accuracy, type LossFn } from './losses';
import type { TensorDataset } from '../api/task';
import { readScalars } from '../loop/readback';
import type { SharedPredictions } from './shared-predictions';

/**
 * Loss and accuracy of a model on a dataset, in inference mode, batch by batch (each batch's
 * tensors freed as it goes), with one readback. `accuracy` defaults to "the labels are one-hot".
 */
export async function quickEvaluate(
  model: Pick<tf.LayersModel, 'predict'>,
  data: TensorDataset,
  loss: LossFn,
  o: { batchSize?: number; accuracy?: boolean } = {},
): Promise<{ loss: number; acc?: number }> {
  const n = data.x.shape[0]!;
  const batchSize = o.batchSize ?? 256;
  const withAcc = o.accuracy ?? (data.y.rank >= 2 && data.y.shape[data.y.rank - 1]! > 1);
  let sums = tf.zeros([2]);
  for (let i = 0; i < n; i += batchSize) {
    // A long evaluation gives the event loop a turn now and then: a second Ctrl-C must get through.
    await maybeYield();
    const size = Math.min(batchSize, n - i);
    const next = tf.tidy(() => {
      const xb = tf.slice(data.x, i, size);
      const yb = tf.slice(data.y, i, size);
      const p = model.predict(xb) as tf.Tensor;
      return tf.add(sums, tf.mul(tf.stack([loss(yb, p), withAcc ? accuracy(yb, p) : tf.scalar(0)]), size));
    });
    sums.dispose();
    sums = next;
  }
  const [l, a] = await sums.data();
  sums.dispose();
  return withAcc ? { loss: l! / n, acc: a! / n } : { loss: l! / n };
}

/**
 * The trainer's validation metrics (`loss`, and `acc` when asked): from the shared predictions when
 * the run has them (one pass for the trainer and every plugin), else batch by batch.
 */
export async function heldOutMetrics(
  model: Pick<tf.LayersModel, 'predict'>,
  data: TensorDataset,
  loss: LossFn,
  withAcc: boolean,
  shared: SharedPredictions | undefined,
): Promise<Record<string, number>> {
  if (!shared) {
    const r = await quickEvaluate(model, data, loss, { batchSize: 256, accuracy: withAcc });
    return r.acc !== undefined ? { loss: r.loss, acc: r.acc } : { loss: r.loss };
  }
  const preds = await shared.get();
  const [l, a] = await readScalars(() => [loss(data.y, preds), ...(withAcc ? [accuracy(data.y, preds)] : [])]);
  return withAcc ? { loss: l!, acc: a! } : { loss: l! };
}
