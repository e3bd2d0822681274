import { buildCaptureModel, tf, type LossFn, type TensorDataset } from '@trainwatch/core';

/** One array with its shape (row-major, tfjs layouts: NHWC activations, [in, out] / [kh, kw, cin, cout] kernels). */
export interface Arr {
  shape: number[];
  data: number[] | Float32Array;
}

/** What one implementation computes on one batch with given weights: each layer's output and weight gradients. */
export interface Layerwise {
  loss: number;
  layers: { name: string; output: Arr; grads: Record<string, Arr> }[];
}

/** Short weight name: `dense_1/kernel` → `kernel`. */
export const weightKey = (name: string) => name.split('/').at(-1)!.replace(/_\d+$/, '');

const arr = (t: tf.Tensor): Arr => ({ shape: t.shape.slice(), data: t.dataSync() as Float32Array });

/**
 * Per-layer outputs (one forward pass of a multi-output view, inference mode) and the gradient of
 * the loss for every trainable weight, on the current backend.
 */
export function layerwise(model: tf.LayersModel, batch: TensorDataset, loss: LossFn): Layerwise {
  const { view, layers, predictionIndex } = buildCaptureModel(model);
  // Plain arrays leave the scope; every tensor made inside is freed by engine scopes below.
  let result: Layerwise | undefined;
  tf.tidy(() => {
    const outs = view.apply(batch.x, { training: false }) as tf.Tensor[];
    const lossValue = loss(batch.y, outs[predictionIndex]!).dataSync()[0]!;
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(
      () => loss(batch.y, (view.apply(batch.x, { training: false }) as tf.Tensor[])[predictionIndex]!),
      vars,
    );
    const byLayer = new Map<string, Record<string, Arr>>();
    for (const layer of model.layers) {
      for (const w of layer.trainableWeights) {
        const v = w.read() as tf.Variable;
        const g = grads[v.name];
        if (!g) continue;
        if (!byLayer.has(layer.name)) byLayer.set(layer.name, {});
        byLayer.get(layer.name)![weightKey(w.originalName)] = arr(g);
      }
    }
    result = {
      loss: lossValue,
      layers: layers.map((l, i) => ({ name: l.layer, output: arr(outs[i]!), grads: byLayer.get(l.layer) ?? {} })),
    };
  });
  return result!;
}
