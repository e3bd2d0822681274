import * as tf from '../backend/tf';
import { isBatchSource, type TaskInstance, type TensorDataset } from '../api/task';
import { TrainwatchError } from '../util/errors';
import { adoptVariables, toActiveBackend } from '../backend/adopt';

/** Holds back the last `split` of the examples (as Keras' validation_split does). */
export function splitOff(data: TensorDataset, split: number): { train: TensorDataset; validation: TensorDataset } {
  const n = data.x.shape[0]!;
  const nVal = Math.floor(n * split);
  if (nVal < 1 || nVal >= n)
    throw new TrainwatchError(
      'invalid-config',
      `training.validation.split ${split} leaves no examples on one side (${n} examples)`,
    );
  const cut = (t: tf.Tensor, from: number, size: number) => tf.slice(t, from, size);
  return {
    train: { x: cut(data.x, 0, n - nVal), y: cut(data.y, 0, n - nVal) },
    validation: { x: cut(data.x, n - nVal, nVal), y: cut(data.y, n - nVal, nVal) },
  };
}

/**
 * The instance as the run uses it: its model's variables and its in-memory datasets on the active
 * backend, moved through their values when they were made on another one (see `toActiveBackend`).
 * Returns the copies it made: the run owns and disposes them; the originals stay whose they were.
 */
export function onRunBackend(instance: TaskInstance): { instance: TaskInstance; copies: tf.Tensor[] } {
  adoptVariables(instance.model);
  const copies: tf.Tensor[] = [];
  const adopt = (d: TensorDataset): TensorDataset => {
    const x = toActiveBackend(d.x);
    const y = toActiveBackend(d.y);
    if (x !== d.x) copies.push(x);
    if (y !== d.y) copies.push(y);
    return x === d.x && y === d.y ? d : { x, y };
  };
  const train = isBatchSource(instance.train) ? instance.train : adopt(instance.train);
  const validation = instance.validation ? adopt(instance.validation) : undefined;
  return { instance: { ...instance, train, ...(validation ? { validation } : {}) }, copies };
}

/**
 * Frees what a task instance holds: the model, in-memory datasets, and whatever its own `dispose`
 * frees. A borrowed instance (the caller's model and data) is left alone, except for its `dispose`.
 */
export function disposeTask(instance: TaskInstance | undefined): void {
  if (!instance) return;
  if (instance.borrowed) {
    instance.dispose?.();
    return;
  }
  // Defensive: a task's create may have returned something malformed (the run reported it).
  try {
    instance.model?.dispose?.();
  } catch {
    // A plugin disposed one of its weights: the run already failed naming it; free the rest.
  }
  const data = [instance.train, instance.validation].filter((d): d is TensorDataset => !!d && !isBatchSource(d));
  tf.dispose(data.flatMap((d) => [d.x, d.y]).filter((t) => t instanceof tf.Tensor));
  if (typeof instance.dispose === 'function') instance.dispose();
}
