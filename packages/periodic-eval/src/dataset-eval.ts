import { tf, type LossFn, type ReadonlyModel, type TensorDataset } from '@trainwatch/core';

/** Loss and classification metrics of the current weights on held-out data. */
export interface DatasetEval {
  metrics: Record<string, number>;
  /** Confusion counts [true][predicted] (classification only). */
  confusion?: number[][];
  /** Predicted class per example, in order (classification only): the behaviour signature. */
  predictions?: Int32Array;
  examples: number;
}

/**
 * Evaluates in inference mode, batch by batch, accumulating on the device: the loss sum, and for
 * one-hot labels the confusion counts (Bincount of true·C + predicted) and the predicted classes.
 * One readback at the end.
 */
export async function evaluateDataset(
  model: ReadonlyModel,
  data: TensorDataset,
  loss: LossFn,
  opts: {
    batchSize: number;
    maxBatches: number;
    /** The model's predictions on `data` for the current weights (the run's shared pass): no forward pass here. */
    predictions?: tf.Tensor | undefined;
  },
): Promise<DatasetEval> {
  const total = data.x.shape[0]!;
  const n = opts.maxBatches > 0 ? Math.min(total, opts.maxBatches * opts.batchSize) : total;
  const classes = data.y.rank === 2 && data.y.shape[1]! > 1 ? data.y.shape[1]! : 0;
  let lossSum = tf.scalar(0);
  let confusion = classes ? tf.zeros([classes * classes]) : undefined;
  const preds: tf.Tensor[] = [];
  try {
    const chunk = opts.predictions ? n : opts.batchSize;
    for (let i = 0; i < n; i += chunk) {
      const size = Math.min(chunk, n - i);
      const [nextLoss, nextConf, pred] = tf.tidy(() => {
        const all = opts.predictions;
        const yb = size === total ? data.y : tf.slice(data.y, i, size);
        const p = all
          ? size === total
            ? all
            : tf.slice(all, 0, size)
          : (model.predict(tf.slice(data.x, i, size)) as tf.Tensor);
        const l = tf.add(lossSum, tf.mul(loss(yb, p), size));
        if (!classes) return [l, undefined, undefined];
        const predicted = tf.argMax(p, -1);
        const idx = tf.add(tf.mul(tf.argMax(yb, -1), tf.scalar(classes, 'int32')), predicted) as tf.Tensor1D;
        const counts = tf.cast(tf.bincount(idx, tf.tensor1d([], 'float32'), classes * classes), 'float32');
        return [l, tf.add(confusion!, counts), predicted];
      }) as [tf.Scalar, tf.Tensor | undefined, tf.Tensor | undefined];
      lossSum.dispose();
      lossSum = nextLoss;
      if (nextConf) {
        confusion!.dispose();
        confusion = nextConf;
      }
      if (pred) preds.push(pred);
    }
    const packed = tf.tidy(() =>
      tf.concat([
        tf.reshape(lossSum, [1]),
        ...(confusion ? [confusion] : []),
        ...preds.map((p) => tf.cast(p, 'float32')),
      ]),
    );
    const values = await packed.data();
    packed.dispose();
    const metrics: Record<string, number> = { loss: values[0]! / n };
    if (!classes) return { metrics, examples: n };
    const matrix: number[][] = [];
    let correct = 0;
    for (let t = 0; t < classes; t++) {
      const row = Array.from(values.subarray(1 + t * classes, 1 + (t + 1) * classes));
      matrix.push(row);
      correct += row[t]!;
      const support = row.reduce((a, b) => a + b, 0);
      if (support > 0) metrics[`acc_class_${t}`] = row[t]! / support;
    }
    metrics['acc'] = correct / n;
    const predictions = Int32Array.from(values.subarray(1 + classes * classes));
    return { metrics, confusion: matrix, predictions, examples: n };
  } finally {
    tf.dispose([lossSum, ...(confusion ? [confusion] : []), ...preds]);
  }
}
