import { TrainwatchError } from '../util/errors';

/**
 * Decides whether a listener runs for one emission. `index` is the payload's `step` when the event
 * has one (so `every(10)` means steps 0, 10, 20...), else the count of earlier emissions of that event.
 * `test` must not change state: the loop asks ahead of time (e.g. "does anyone want activations on
 * this step?"); `fired` is called when the listener actually ran.
 */
export interface Filter {
  readonly describe: string;
  test(index: number, nowMs: number): boolean;
  fired(index: number, nowMs: number): void;
  /** Both filters must pass. */
  and(other: Filter): Filter;
  /** Either filter passes. */
  or(other: Filter): Filter;
}

function positiveInt(fn: string, n: unknown): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
    throw new TrainwatchError('invalid-filter', `${fn}(n): n must be a positive integer, got ${String(n)}`);
  }
  return n;
}

function make(describe: string, test: Filter['test'], fired: Filter['fired'] = () => {}): Filter {
  const self: Filter = {
    describe,
    test,
    fired,
    and: (other) =>
      make(
        `${describe} & ${other.describe}`,
        (i, t) => self.test(i, t) && other.test(i, t),
        (i, t) => {
          self.fired(i, t);
          other.fired(i, t);
        },
      ),
    or: (other) =>
      make(
        `(${describe} | ${other.describe})`,
        (i, t) => self.test(i, t) || other.test(i, t),
        (i, t) => {
          self.fired(i, t);
          other.fired(i, t);
        },
      ),
  };
  return self;
}

/** Runs when the step (or emission count) is a multiple of `n`: 0, n, 2n, ... */
export function every(n: number): Filter {
  const k = positiveInt('every', n);
  return make(`every(${k})`, (i) => i % k === 0);
}

/** Runs exactly once, at step (or emission) `n`. */
export function once(n: number): Filter {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
    throw new TrainwatchError('invalid-filter', `once(n): n must be an integer >= 0, got ${String(n)}`);
  }
  return make(`once(${n})`, (i) => i === n);
}

/** Runs at most once per `ms` milliseconds of wall clock (the first emission always runs). */
export function everyMs(ms: number): Filter {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
    throw new TrainwatchError('invalid-filter', `everyMs(ms): ms must be a finite number > 0, got ${String(ms)}`);
  }
  let last = -Infinity;
  return make(
    `everyMs(${ms})`,
    (_i, now) => now - last >= ms,
    (_i, now) => {
      last = now;
    },
  );
}

/** True when `value` is a filter made by this module. */
export function isFilter(value: unknown): value is Filter {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Filter).test === 'function' &&
    typeof (value as Filter).fired === 'function'
  );
}
