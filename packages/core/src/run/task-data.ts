import * as tf from '../backend/tf';
import { isBatchSource, type TaskInstance, type TensorDataset } from '../api/task';
import { TrainwatchError } from '../util/errors';

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

/** Frees what a task instance holds: the model, in-memory datasets, and whatever its own `dispose` frees. */
export function disposeTask(instance: TaskInstance | undefined): void {
  if (!instance) return;
  instance.model.dispose();
  if (!isBatchSource(instance.train)) tf.dispose([instance.train.x, instance.train.y]);
  if (instance.validation) tf.dispose([instance.validation.x, instance.validation.y]);
  instance.dispose?.();
}
