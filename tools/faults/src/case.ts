import type { Task } from '@trainwatch/core';

/** What a case's author says is wrong, written before the tool runs on it. */
export interface Expected {
  /** The root cause the diagnosis should rank first (a cause id of the core's diagnosis rules). */
  readonly cause: string;
  /** Finding codes that count as detecting the fault (any of them at warn or error). */
  readonly codes: readonly string[];
  /** The layer (or slice) the fault sits in, when it has one: a finding with an expected code should name it. */
  readonly where?: string;
}

/** One run of the benchmark: a task module and its config, faulty or healthy. */
export interface FaultCase {
  readonly name: string;
  /** The taxonomy group (Humbatova et al. 2020; DeepFD, DEFault). */
  readonly category: string;
  readonly task: Task;
  readonly taskOptions?: Record<string, unknown>;
  /** The config's `training` section (the benchmark's defaults fill the rest). */
  readonly training?: Record<string, unknown>;
  /** Faulty: what should be found. Healthy: absent (nothing at warn or above should be). */
  readonly expected?: Expected;
  /** Healthy runs: the metric they must reach to count as genuinely training (e.g. `{ acc: 0.8 }`). */
  readonly reaches?: Readonly<Record<string, number>>;
  /** In the fast subset `npm test` runs. */
  readonly fast?: boolean;
}

/** Training defaults every case starts from: the same for all, no per-case tuning of the plugins. */
export const TRAINING_DEFAULTS = { epochs: 4, batchSize: 32, optimizer: 'adam', learningRate: 0.001, seed: 1 };
