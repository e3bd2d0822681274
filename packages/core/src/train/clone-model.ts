import * as tf from '../backend/tf';

/**
 * A fresh copy of a model: same architecture, layer settings (trainable flags included) and
 * initialisers (seeded initialisers give the same starting weights), weights drawn anew.
 */
export async function cloneModel(model: Pick<tf.LayersModel, 'toJSON'>): Promise<tf.LayersModel> {
  const topology = model.toJSON(null, false) as unknown as tf.io.ModelJSON['modelTopology'];
  return tf.models.modelFromJSON({ modelTopology: topology as never });
}
