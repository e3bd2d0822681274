import * as tf from '../backend/tf';

/** One captured layer in the multi-output view of the model. */
export interface CapturedLayer {
  layer: string;
  layerClass: string;
  activation?: string;
}

function activationName(layer: tf.layers.Layer): string | undefined {
  const cfg = layer.getConfig() as { activation?: unknown };
  return typeof cfg.activation === 'string' ? cfg.activation : undefined;
}

/**
 * A model with every layer's output as an extra output, sharing the original's layers and weights,
 * so activations come from the same forward pass as the loss. Layers with several outputs are left out.
 * `predictionIndex` says which output is the original model's prediction.
 */
export function buildCaptureModel(model: tf.LayersModel): {
  view: tf.LayersModel;
  layers: CapturedLayer[];
  predictionIndex: number;
} {
  const outputs: tf.SymbolicTensor[] = [];
  const layers: CapturedLayer[] = [];
  for (const layer of model.layers) {
    if (layer.getClassName() === 'InputLayer') continue;
    const out = layer.output;
    if (Array.isArray(out)) continue;
    outputs.push(out);
    const act = activationName(layer);
    layers.push({
      layer: layer.name,
      layerClass: layer.getClassName(),
      ...(act !== undefined ? { activation: act } : {}),
    });
  }
  const final = model.outputs[0]!;
  let predictionIndex = outputs.indexOf(final);
  if (predictionIndex < 0) predictionIndex = outputs.push(final) - 1;
  const view = tf.model({ inputs: model.inputs, outputs, name: `${model.name}_capture` });
  return { view, layers, predictionIndex };
}
