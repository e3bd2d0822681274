import type * as tf from '../backend/tf';
import { TrainwatchError } from '../util/errors';
import type { EventName } from './events';
import type { RunControl } from './run-control';

/**
 * The check run after each listener of a lending event: a listener that disposed a tensor it was
 * lent, or a model weight, would break the step for every listener after it with a tfjs error that
 * names no one. This names it, and ends the run (the step cannot go on without those tensors).
 */
export function disposalCheck(
  event: EventName,
  lent: readonly tf.Tensor[],
  variables: readonly tf.Variable[],
  control: RunControl,
): (owner: string) => void {
  return (owner) => {
    const gone = lent.some((t) => t.isDisposed)
      ? 'a lent tensor'
      : variables.some((v) => v.isDisposed)
        ? 'a model weight'
        : undefined;
    if (!gone) return;
    const err = new TrainwatchError(
      'plugin-error',
      `${owner} disposed ${gone} in its "${event}" listener: event tensors are lent (clone what you keep) and the weights are the run's`,
    );
    control.fatal ??= err;
    throw err;
  };
}
