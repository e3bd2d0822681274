import { StringEnum, Type, type Static } from '@trainwatch/core';

/** reference-check's options: validation, defaults, docs and the TypeScript type in one place. */
export const ReferenceCheckOptions = Type.Object({
  reference: StringEnum(['backend', 'model', 'dump'] as const, {
    default: 'backend',
    description:
      'backend: the same model on another tfjs backend; model: a module that builds the reference model; dump: a file of per-layer outputs and gradients from another framework (tools/reference/torch_dump.py).',
  }),
  backend: StringEnum(['cpu', 'wasm', 'tensorflow'] as const, {
    default: 'cpu',
    description: 'Reference backend (for reference "backend").',
  }),
  module: Type.Optional(
    Type.String({
      minLength: 1,
      'x-path': true,
      description:
        'Reference model module (for reference "model"): exports build(tf, { inputShape }) returning a tf.LayersModel. Relative to the config file (from code: to the working directory).',
    }),
  ),
  mapping: Type.Record(Type.String(), Type.String(), {
    default: {},
    description:
      'Our layer name -> the reference layer name, where they differ (reference "model" and "dump"). Unmapped layers match by name; layers the reference lacks are skipped (listed in the evidence).',
  }),
  file: Type.Optional(
    Type.String({
      minLength: 1,
      'x-path': true,
      description:
        'The dump file (for reference "dump"), e.g. reference-dump.json written by torch_dump.py. Relative to the config file (from code: to the working directory).',
    }),
  ),
  examples: Type.Integer({
    minimum: 1,
    default: 16,
    description: 'The batch: the first n training examples, in order.',
  }),
  atol: Type.Number({
    minimum: 0,
    default: 1e-4,
    description: 'Absolute tolerance: |ours − reference| <= atol + rtol·|reference| elementwise.',
  }),
  rtol: Type.Number({
    minimum: 0,
    default: 1e-3,
    description: 'Relative tolerance (float32 across backends and frameworks).',
  }),
});

export type ReferenceCheckOptions = Static<typeof ReferenceCheckOptions>;
