import { Type, type Static } from '@trainwatch/core';

/** simpler-baseline's options: validation, defaults, docs and the TypeScript type in one place. */
export const SimplerBaselineOptions = Type.Object({
  steps: Type.Integer({
    minimum: 1,
    default: 200,
    description: 'Optimizer steps for every model (the same budget for all).',
  }),
  examples: Type.Integer({ minimum: 10, default: 1000, description: 'Held-out examples the models are compared on.' }),
  hidden: Type.Integer({
    minimum: 1,
    default: 32,
    description: 'Width of the derived narrow MLP (one hidden layer); the linear model is always tried.',
  }),
  margin: Type.Number({
    minimum: 0,
    default: 0.05,
    description:
      'simpler-model-better: a simpler model’s accuracy beats the full model’s by more than this (for losses: is lower by more than this share).',
  }),
  chanceMargin: Type.Number({
    minimum: 0,
    default: 0.1,
    description:
      'both-fail: every model’s accuracy is within this share of the room above chance (the largest class share, per position for sequences).',
  }),
});

export type SimplerBaselineOptions = Static<typeof SimplerBaselineOptions>;
