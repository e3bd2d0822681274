import {
  tf,
  type ConfigIssue,
  type LossFn,
  type LossName,
  type OptimizerName,
  type TrainwatchConfig,
} from '@trainwatch/core';
import { didYouMean, validateConfig, type BackendChoice } from '@trainwatch/core/runner';
import type { PluginSpec } from './plugin-entries';
import type { TfjsCallback } from './tfjs-callbacks';

/** `fit`'s options: Keras / tfjs `model.fit` names where they exist, trainwatch's where they do not. */
export interface FitOptions {
  /** Passes over the data (default 1, as tfjs). */
  epochs?: number;
  /** Examples per step (default 32, as tfjs). */
  batchSize?: number;
  /** Hold out this fraction (the last examples) for validation. */
  validationSplit?: number;
  /** Held-out data: `[x, y]` or `{ x, y }` (yours: not disposed). */
  validationData?: [tf.Tensor, tf.Tensor] | { x: tf.Tensor; y: tf.Tensor };
  /** Shuffle the examples every epoch (default true). */
  shuffle?: boolean;
  /** A named optimizer (built with `learningRate`) or your own `tf.Optimizer` (default: the compiled one, else adam). */
  optimizer?: OptimizerName | tf.Optimizer;
  learningRate?: number;
  /** A loss name or `(yTrue, yPred) => loss` (default: the compiled model's loss). */
  loss?: LossName | LossFn;
  /** Metrics besides the loss (default: the compiled model's, `accuracy` reported as `acc`). */
  metrics?: ('accuracy' | 'acc')[];
  /** Plugins, as a config's `plugins` entries: `"gradient-guard"`, `{ use, options }`, or plugin objects. */
  plugins?: PluginSpec[];
  /** tfjs callbacks (`onEpochEnd`, `onBatchEnd`..., or `tf.callbacks.earlyStopping()`), called as `model.fit` would. */
  callbacks?: TfjsCallback | TfjsCallback[];
  /** The run directory (default `runs/<timestamp>-fit`). */
  out?: string;
  /** No progress lines and no informational logs (warnings and errors still print). */
  quiet?: boolean;
  /** Write `report.html` when the run ends (default true). */
  report?: boolean;
  /** Also write TensorBoard event files. */
  tensorboard?: boolean;
  /** Seeds the batch order (default 42). */
  seed?: number;
  /** Backend (default `auto`: tensorflow, else wasm, else cpu). */
  backend?: BackendChoice;
  /** Stop after this many steps. */
  maxSteps?: number;
  /** Stop after the current step when aborted (the run ends `stopped`). */
  signal?: AbortSignal;
}

const KNOWN: readonly (keyof FitOptions)[] = [
  'epochs',
  'batchSize',
  'validationSplit',
  'validationData',
  'shuffle',
  'optimizer',
  'learningRate',
  'loss',
  'metrics',
  'plugins',
  'callbacks',
  'out',
  'quiet',
  'report',
  'tensorboard',
  'seed',
  'backend',
  'maxSteps',
  'signal',
];

/** Config keys for fit's JSON-able options: they are validated by the config schema itself. */
const TRAINING_KEYS = {
  epochs: 'epochs',
  batchSize: 'batchSize',
  shuffle: 'shuffle',
  learningRate: 'learningRate',
  seed: 'seed',
  backend: 'backend',
  maxSteps: 'maxSteps',
} as const;

/**
 * The run's config from fit's options, checked by the same schema as a config file; issue paths
 * name fit's options (`options.epochs: must be >= 1`, `options.evry: unknown option`).
 */
export function fitConfig(o: FitOptions): { config: TrainwatchConfig; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  if (o === null || typeof o !== 'object')
    return { config: validateConfig({}).config, issues: [{ path: 'options', message: 'must be an object' }] };
  for (const k of Object.keys(o)) {
    if ((KNOWN as readonly string[]).includes(k)) continue;
    const hint = didYouMean(k, KNOWN);
    issues.push({ path: `options.${k}`, message: `unknown option "${k}"${hint ? ` (did you mean "${hint}"?)` : ''}` });
  }
  const training: Record<string, unknown> = { epochs: 1, batchSize: 32 };
  for (const [from, to] of Object.entries(TRAINING_KEYS)) {
    const v = o[from as keyof FitOptions];
    if (v !== undefined) training[to] = v;
  }
  if (typeof o.optimizer === 'string') training['optimizer'] = o.optimizer;
  if (o.validationSplit !== undefined) training['validation'] = { split: o.validationSplit };
  const raw = {
    task: { use: 'fit' },
    training,
    output: { report: o.report ?? true, tensorboard: o.tensorboard ?? false },
  };
  const v = validateConfig(raw);
  for (const i of v.issues) {
    const path = i.path
      .replace(/^training\.validation\.split/, 'options.validationSplit')
      .replace(/^training\./, 'options.')
      .replace(/^output\./, 'options.');
    issues.push({ path, message: i.message });
  }
  if (o.validationSplit !== undefined && o.validationData !== undefined)
    issues.push({ path: 'options.validationSplit', message: 'give validationSplit or validationData, not both' });
  return { config: v.config, issues };
}
