import {
  cloneModel,
  createRng,
  permutation,
  tf,
  type FindingInput,
  type LossFn,
  type TensorDataset,
} from '@trainwatch/core';

/** What the range test measured: the learning rates tried, the smoothed loss at each, and the verdict. */
export interface RangeResult {
  curve: [number, number][];
  /** The learning rate with the lowest smoothed loss before divergence. */
  best: number;
  /** The suggested range: [best / 100, best / 10] (the steep part before the minimum). */
  range: [number, number];
}

/**
 * A learning-rate range test (Smith 2015; fastai's lr_find, Lightning's Tuner.lr_find): a fresh copy of
 * the model trained with Adam for `steps` batches while the rate grows exponentially from `min` to
 * `max`; it stops when the smoothed loss passes 4x its best. Borrows the data; disposes what it makes.
 */
export async function learningRateRange(
  model: tf.LayersModel,
  train: TensorDataset,
  loss: LossFn,
  o: { steps: number; min: number; max: number; batchSize: number; seed: number },
): Promise<RangeResult> {
  const copy = await cloneModel(model);
  const optimizer = tf.train.adam(o.min);
  const vars = copy.trainableWeights.map((w) => w.read() as tf.Variable);
  const n = train.x.shape[0]!;
  const order = permutation(n, createRng(o.seed + 202));
  const curve: [number, number][] = [];
  let smooth = 0;
  let best = Infinity;
  let bestLr = o.min;
  try {
    for (let i = 0; i < o.steps; i++) {
      const lr = o.min * (o.max / o.min) ** (i / Math.max(1, o.steps - 1));
      (optimizer as unknown as { learningRate: number }).learningRate = lr;
      const start = (i * o.batchSize) % Math.max(1, n - o.batchSize + 1);
      const idx = tf.tensor1d(order.subarray(start, start + Math.min(o.batchSize, n)), 'int32');
      const value = tf.tidy(() => {
        const xb = tf.gather(train.x, idx);
        const yb = tf.gather(train.y, idx);
        const { value: l, grads } = optimizer.computeGradients(
          () => loss(yb, copy.apply(xb, { training: true }) as tf.Tensor),
          vars,
        );
        optimizer.applyGradients(grads as never);
        return l.dataSync()[0]!;
      });
      idx.dispose();
      // Bias-corrected exponential smoothing, as the published range tests use.
      smooth = 0.9 * smooth + 0.1 * value;
      const s = smooth / (1 - 0.9 ** (i + 1));
      curve.push([lr, s]);
      if (!Number.isFinite(s) || s > 4 * best) break;
      if (s < best) [best, bestLr] = [s, lr];
    }
  } finally {
    optimizer.dispose();
    copy.dispose();
  }
  return { curve, best: bestLr, range: [bestLr / 100, bestLr / 10] };
}

/** The finding: the suggested range, and a warning when the configured rate is past the minimum or far below it. */
export function rangeFinding(r: RangeResult, configured: number, optimizer: string): FindingInput {
  const fmt = (x: number) => x.toExponential(0);
  const high = configured > r.best;
  const low = configured < r.range[0] / 10;
  const outside = optimizer === 'adam' && (high || low);
  return {
    code: outside ? (high ? 'learning-rate-above-range' : 'learning-rate-below-range') : 'learning-rate-range',
    severity: outside ? 'warn' : 'info',
    step: 0,
    message: `learning-rate range test (Adam): lowest loss at ${fmt(r.best)}, suggested ${fmt(r.range[0])}..${fmt(r.range[1])}; configured ${configured}${outside ? (high ? ': above the rate where the loss stops falling' : ': far below the useful range') : ''}`,
    evidence: { best: r.best, range: r.range, configured, curve: r.curve },
    ...(outside ? { suggestion: `Try a learning rate in ${fmt(r.range[0])}..${fmt(r.range[1])}.` } : {}),
  };
}
