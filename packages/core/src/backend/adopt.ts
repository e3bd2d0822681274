import * as tf from './tf';

interface EngineState {
  state: { tensorInfo: WeakMap<object, { backend: unknown }> };
  backend: unknown;
}

/**
 * True when `t`'s data lives on another backend than the active one. tfjs would move it on first
 * use by copying its raw buffer, and on 4.22 a tensor made by `cast` on cpu (e.g.
 * `tf.oneHot(...).toFloat()`) shares an int32 buffer that the move reinterprets as float32 bits
 * (a 1 becomes 1.4e-45): the data silently goes to zero. Reads tfjs' engine bookkeeping, which
 * has no public accessor for a tensor's backend.
 */
export function onOtherBackend(t: tf.Tensor): boolean {
  const engine = tf.engine() as unknown as EngineState;
  const info = engine.state.tensorInfo.get(t.dataId as object);
  return info !== undefined && info.backend !== engine.backend;
}

/**
 * A copy of `t` on the active backend made from its values (read on its own backend, converted to
 * its dtype), never its buffer; `t` itself when it is already there. The caller owns a copy.
 */
export function toActiveBackend(t: tf.Tensor): tf.Tensor {
  if (!onOtherBackend(t)) return t;
  const values = t.dataSync();
  const typed =
    t.dtype === 'int32'
      ? Int32Array.from(values)
      : t.dtype === 'bool'
        ? Uint8Array.from(values)
        : Float32Array.from(values);
  return tf.tensor(typed, t.shape, t.dtype);
}

/**
 * Moves a model's variables that live on another backend to the active one through their values
 * (same reason as {@link toActiveBackend}); the variables stay the same objects.
 */
export function adoptVariables(model: Pick<tf.LayersModel, 'weights'>): void {
  for (const w of model.weights) {
    const v = w.read() as tf.Variable;
    if (!onOtherBackend(v)) continue;
    const copy = toActiveBackend(v);
    v.assign(copy);
    copy.dispose();
  }
}
