import * as tf from './tf';
import { accuracy, makeOptimizer, type LossFn, type OptimizerName } from './losses';
import { createRng, permutation } from './random';
import type { TensorDataset } from './task';

/**
 * A fresh copy of a model: same architecture, layer settings (trainable flags included) and
 * initialisers (seeded initialisers give the same starting weights), weights drawn anew.
 */
export async function cloneModel(model: Pick<tf.LayersModel, 'toJSON'>): Promise<tf.LayersModel> {
  const topology = model.toJSON(null, false) as unknown as tf.io.ModelJSON['modelTopology'];
  return tf.models.modelFromJSON({ modelTopology: topology as never });
}

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
