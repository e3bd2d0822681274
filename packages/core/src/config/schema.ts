import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { LOSS_NAMES, OPTIMIZER_NAMES } from '../train/losses';

/** A string enum as plain JSON Schema `enum` (clearer errors than TypeBox's union of literals). */
export function StringEnum<T extends string>(values: readonly T[], options: Record<string, unknown> = {}) {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...options });
}

/** `{ "use": ..., "options": {...} }`: how the config names a task or a plugin. */
const useField = Type.String({
  minLength: 1,
  description: 'A built-in name, an npm package, or a path to a local .js file (relative to the config file).',
});
const optionsField = Type.Object(
  {},
  { additionalProperties: true, description: "Options, validated by the plugin's or task's own schema." },
);

export const TaskEntrySchema = Type.Object(
  { use: useField, options: Type.Optional(optionsField) },
  { additionalProperties: false, description: 'The model and data to train.' },
);

export const PluginEntrySchema = Type.Object(
  {
    use: useField,
    options: Type.Optional(optionsField),
    enabled: Type.Optional(Type.Boolean({ default: true, description: 'Set false to keep the entry but not run it.' })),
    order: Type.Optional(
      StringEnum(['pre', 'post'] as const, { description: "Overrides the plugin's declared order." }),
    ),
  },
  { additionalProperties: false },
);

export const TrainingSchema = Type.Object(
  {
    epochs: Type.Integer({ minimum: 1, default: 5, description: 'Passes over the training set.' }),
    batchSize: Type.Integer({ minimum: 1, default: 64, description: 'Examples per optimizer step.' }),
    optimizer: StringEnum(OPTIMIZER_NAMES, { default: 'adam', description: 'Used unless the task brings its own.' }),
    learningRate: Type.Number({
      minimum: 0,
      default: 0.001,
      description: 'Optimizer learning rate (0 freezes the weights: useful as a control run).',
    }),
    seed: Type.Integer({ default: 42, description: 'Seeds batch order and the built-in tasks’ initialisers.' }),
    backend: StringEnum(['auto', 'tensorflow', 'wasm', 'cpu'] as const, {
      default: 'auto',
      description: 'auto: tensorflow (tfjs-node) if installed, else wasm, else cpu.',
    }),
    validation: Type.Optional(
      Type.Object(
        {
          split: Type.Number({
            exclusiveMinimum: 0,
            exclusiveMaximum: 1,
            description:
              'Fraction of the training set held out (the last examples, as in Keras) when the task has no validation set.',
          }),
        },
        { additionalProperties: false },
      ),
    ),
    shuffle: Type.Boolean({
      default: true,
      description:
        'Shuffle the training examples every epoch (seeded); false keeps their order, as model.fit shuffle: false.',
    }),
    maxSteps: Type.Optional(
      Type.Integer({ minimum: 1, description: 'Stop (as completed) after this many optimizer steps.' }),
    ),
    failFast: Type.Boolean({
      default: false,
      description: 'A plugin error fails the run instead of being reported and skipped.',
    }),
  },
  { additionalProperties: false, default: {} },
);

export const OutputSchema = Type.Object(
  {
    dir: Type.String({
      default: 'runs',
      description: 'Parent folder of run directories (relative to the working directory).',
    }),
    name: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        // One folder name: no separators, no NUL, not . or .. (a path would write elsewhere).
        pattern: '^(?!\\.{1,2}$)[^/\\\\\\u0000]+$',
        'x-message': 'must be one folder name (no / or \\, no NUL byte, not . or ..)',
        description: 'Run directory name (one folder); default <timestamp>-<task>.',
      }),
    ),
    events: Type.Boolean({ default: true, description: 'Write events.jsonl.' }),
    report: Type.Boolean({ default: true, description: 'Write report.html at the end of the run (CLI).' }),
    tensorboard: Type.Boolean({
      default: false,
      description: 'Also write TensorBoard event files under tensorboard/ (CLI; same as --tensorboard).',
    }),
  },
  { additionalProperties: false, default: {} },
);

export const ConfigSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    task: TaskEntrySchema,
    training: TrainingSchema,
    plugins: Type.Array(PluginEntrySchema, { default: [] }),
    output: OutputSchema,
  },
  { additionalProperties: false, title: 'trainwatch config' },
);

/** A config's `task` entry: which task and its options. */
export type TaskEntry = Static<typeof TaskEntrySchema>;
/** One entry of a config's `plugins`: `use`, `options`, `enabled`, `order`. */
export type PluginEntry = Static<typeof PluginEntrySchema>;
/** A config's `training` section, defaults applied. */
export type TrainingConfig = Static<typeof TrainingSchema>;
/** A config's `output` section, defaults applied. */
export type OutputConfig = Static<typeof OutputSchema>;
/** A config after validation, with every default applied. */
export type TrainwatchConfig = Static<typeof ConfigSchema>;

export { LOSS_NAMES, OPTIMIZER_NAMES };
export type { TSchema };
