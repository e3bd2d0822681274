import type * as tf from '../backend/tf';
import type { ParamInfo } from './events';

/** Trainable parameters with their owning layer, in model order. */
export function describeParams(model: Pick<tf.LayersModel, 'layers'>): {
  params: ParamInfo[];
  variables: tf.Variable[];
} {
  const params: ParamInfo[] = [];
  const variables: tf.Variable[] = [];
  for (const layer of model.layers) {
    for (const w of layer.trainableWeights) {
      const v = w.read() as tf.Variable;
      params.push({
        name: v.name,
        layer: layer.name,
        layerClass: layer.getClassName(),
        shape: w.shape.map((d) => d ?? -1),
      });
      variables.push(v);
    }
  }
  return { params, variables };
}
