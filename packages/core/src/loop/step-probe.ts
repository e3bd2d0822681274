import * as tf from '../backend/tf';
import type { LossFn } from '../train/losses';
import { TrainwatchError } from '../util/errors';
import type { StepProbe } from './events';

/** What a probe computes with: the model, its loss and trainable variables (by name too). */
export interface ProbeTarget {
  readonly model: tf.LayersModel;
  readonly loss: LossFn;
  readonly variables: readonly tf.Variable[];
  readonly byName: ReadonlyMap<string, tf.Variable>;
}

/** Inference-mode loss and gradients on one batch, for checks such as finite differences (see `StepProbe`). */
export function createStepProbe(target: ProbeTarget, xb: tf.Tensor, yb: tf.Tensor): StepProbe {
  const { model, loss, variables, byName } = target;
  const lossNow = () => loss(yb, model.apply(xb, { training: false }) as tf.Tensor);
  // Sets each named variable to w + offset, runs fn, restores the exact original values (not w + off - off, which rounds).
  const shifted = <T>(offsets: Readonly<tf.NamedTensorMap>, fn: () => T): T => {
    const saved: [tf.Variable, tf.Tensor][] = [];
    try {
      for (const [name, off] of Object.entries(offsets)) {
        const v = byName.get(name);
        if (!v) throw new TrainwatchError('plugin-error', `probe: no trainable variable "${name}"`);
        saved.push([v, tf.clone(v)]);
        const moved = tf.add(v, off);
        v.assign(moved);
        moved.dispose();
      }
      return fn();
    } finally {
      for (const [v, orig] of saved) {
        v.assign(orig);
        orig.dispose();
      }
    }
  };
  return {
    loss: (offsets = {}) => shifted(offsets, () => tf.tidy(() => lossNow().dataSync()[0]!)),
    grads: (offsets = {}) =>
      shifted(offsets, () => {
        const { value, grads } = tf.variableGrads(lossNow, variables as tf.Variable[]);
        value.dispose();
        return grads;
      }),
    subset: (n, run) => {
      const take = Math.max(1, Math.min(n, xb.shape[0]!));
      const xs = tf.slice(xb, 0, take);
      const ys = tf.slice(yb, 0, take);
      try {
        return run(createStepProbe(target, xs, ys));
      } finally {
        tf.dispose([xs, ys]);
      }
    },
  };
}
