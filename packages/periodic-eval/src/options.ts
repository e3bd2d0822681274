import { StringEnum, Type, type Static } from '@trainwatch/core';

/** periodic-eval's options: validation, defaults, docs and the TypeScript type in one place. */
export const PeriodicEvalOptions = Type.Object({
  everySteps: Type.Integer({ minimum: 0, default: 0, description: 'Evaluate every n training steps (0: off).' }),
  everyMinutes: Type.Number({
    minimum: 0,
    default: 0,
    description:
      'Evaluate when this many minutes of wall clock passed since the last evaluation (0: off; fractions allowed).',
  }),
  atEpochEnd: Type.Boolean({ default: true, description: 'Evaluate at the end of every epoch.' }),
  baseline: Type.Boolean({
    default: true,
    description: 'Evaluate the initial weights before the first step (also checks the initial loss).',
  }),
  final: Type.Boolean({
    default: true,
    description: 'Evaluate at the end of the run (unless the last evaluation was at that step).',
  }),
  evaluator: StringEnum(['auto', 'dataset', 'task'] as const, {
    default: 'auto',
    description:
      'dataset: loss and metrics on held-out data; task: the task’s own evaluate (e.g. play the game); auto: task when it has one, else dataset.',
  }),
  maxBatches: Type.Integer({
    minimum: 0,
    default: 0,
    description: 'Dataset evaluator: at most this many batches (0: the whole held-out set).',
  }),
  batchSize: Type.Integer({ minimum: 1, default: 256, description: 'Dataset evaluator batch size.' }),
  monitor: Type.Object(
    {
      metric: Type.String({
        default: 'auto',
        description:
          'Metric to watch: `auto` (the task evaluator’s choice, else `loss`), or a metric name such as `acc` or `reward`.',
      }),
      mode: StringEnum(['auto', 'min', 'max'] as const, {
        default: 'auto',
        description: 'Whether lower or higher is better (auto: min for names containing "loss", else max).',
      }),
    },
    { default: {}, additionalProperties: false },
  ),
  patience: Type.Integer({
    minimum: 1,
    default: 3,
    description: 'Evaluations without improvement before eval-stagnant (Lightning’s EarlyStopping default).',
  }),
  minDelta: Type.Number({
    minimum: 0,
    default: 0,
    description: 'Smallest change that counts as an improvement (absolute).',
  }),
  stop: Type.Boolean({ default: false, description: 'Early stopping: end the run (status stopped) on eval-stagnant.' }),
  restoreBest: Type.Boolean({
    default: false,
    description: 'When the run stops or ends, put back the weights of the best evaluation.',
  }),
  saveBest: Type.Boolean({
    default: false,
    description:
      'Write the best model to periodic-eval/best (model.json + weights.bin, loadable with loadModelFiles / tf.loadLayersModel).',
  }),
  initLoss: Type.Object(
    {
      tolerance: Type.Number({
        exclusiveMinimum: 0,
        default: 0.5,
        description:
          'init-loss-unexpected when |loss − ln(classes)| exceeds this share of ln(classes) at the baseline (cross-entropy losses only).',
      }),
    },
    { default: {}, additionalProperties: false },
  ),
  lossWindow: Type.Integer({
    minimum: 5,
    default: 50,
    description: 'loss-not-decreasing compares the mean training loss of the last n steps with the n before.',
  }),
});

export type PeriodicEvalOptions = Static<typeof PeriodicEvalOptions>;
