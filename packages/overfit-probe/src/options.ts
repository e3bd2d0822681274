import { Type, type Static } from '@trainwatch/core';

/** overfit-probe's options: validation, defaults, docs and the TypeScript type in one place. */
export const OverfitProbeOptions = Type.Object({
  sizes: Type.Array(Type.Integer({ minimum: 1 }), {
    default: [1, 100],
    minItems: 1,
    description:
      'Tiny training sets to fit (a seeded random subset of the training data; the smaller sets are part of the larger).',
  }),
  steps: Type.Integer({
    minimum: 1,
    default: 300,
    description: 'Most optimizer steps per tiny set (stops early once fitted).',
  }),
  learningRate: Type.Number({
    exclusiveMinimum: 0,
    default: 0.003,
    description: 'Adam learning rate for the probes (a tiny set tolerates a larger one than the run).',
  }),
  batchSize: Type.Integer({ minimum: 1, default: 32, description: 'Batch size for the probes.' }),
  lossRatio: Type.Number({
    exclusiveMinimum: 0,
    maximum: 1,
    default: 0.05,
    description: 'Fitted: the final loss is at most this share of the initial loss...',
  }),
  maxLoss: Type.Number({ exclusiveMinimum: 0, default: 0.05, description: '...or at most this absolute loss.' }),
  accuracy: Type.Number({
    minimum: 0,
    maximum: 1,
    default: 0.99,
    description: 'With class labels, fitted also needs this training accuracy on the tiny set.',
  }),
  zeroInputs: Type.Boolean({
    default: true,
    description:
      'Also train on the largest tiny set with inputs zeroed: it must end clearly worse (model-ignores-input otherwise).',
  }),
  zeroRatio: Type.Number({
    exclusiveMinimum: 0,
    maximum: 1,
    default: 0.5,
    description: 'model-ignores-input unless the real-input loss is below this share of the zeroed-input loss.',
  }),
  lrRange: Type.Object(
    {
      steps: Type.Integer({
        minimum: 0,
        default: 0,
        description:
          'Learning-rate range test: Adam steps with an exponentially growing rate (0: off; the doctor runs 100).',
      }),
      min: Type.Number({ exclusiveMinimum: 0, default: 1e-6, description: 'First learning rate tried.' }),
      max: Type.Number({ exclusiveMinimum: 0, default: 1, description: 'Last learning rate tried.' }),
    },
    { default: {}, additionalProperties: false },
  ),
});

export type OverfitProbeOptions = Static<typeof OverfitProbeOptions>;
