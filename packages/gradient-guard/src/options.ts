import { StringEnum, Type, type Static } from '@trainwatch/core';

export const ACTIONS = ['warn', 'skip-step', 'clip', 'stop', 'snapshot'] as const;
export type Action = (typeof ACTIONS)[number];

const actions = (defaults: Action[], description: string) =>
  Type.Array(StringEnum(ACTIONS), {
    default: defaults,
    uniqueItems: true,
    description: `${description} Any of: ${ACTIONS.join(', ')}.`,
  });

/** gradient-guard's options: validation, defaults, docs and the TypeScript type in one place. */
export const GradientGuardOptions = Type.Object({
  every: Type.Integer({
    minimum: 1,
    default: 1,
    description: 'Steps between magnitude checks (norms, ratios). Non-finite values are checked on the same cadence.',
  }),
  nonfinite: Type.Object(
    { action: actions(['snapshot', 'stop'], 'What to do on a NaN/Inf loss, gradient or weight.') },
    { default: {}, additionalProperties: false },
  ),
  exploding: Type.Object(
    {
      factor: Type.Number({
        exclusiveMinimum: 1,
        default: 10,
        description: 'Fires when the global gradient norm exceeds factor x its median over the last `window` checks.',
      }),
      window: Type.Integer({
        minimum: 2,
        default: 20,
        description: 'Checks of history for the median (also the warm-up before judging).',
      }),
      minNorm: Type.Number({
        minimum: 0,
        default: 1,
        description: 'The jump-over-median rule only judges global norms at least this large.',
      }),
      maxNorm: Type.Number({
        exclusiveMinimum: 0,
        default: 1000,
        description: 'Absolute bound on any layer’s gradient L2 norm.',
      }),
      layerRatio: Type.Number({
        exclusiveMinimum: 1,
        default: 70,
        description:
          'Fires when the first layer’s gradient norm exceeds this multiple of the last layer’s (a published default).',
      }),
      clipNorm: Type.Number({
        exclusiveMinimum: 0,
        default: 5,
        description: 'With the `clip` action: every step whose global gradient norm exceeds this is scaled down to it.',
      }),
      action: actions(['warn'], 'What to do on an exploding gradient.'),
    },
    { default: {}, additionalProperties: false },
  ),
  vanishing: Type.Object(
    {
      ratio: Type.Number({
        exclusiveMinimum: 0,
        default: 1e-3,
        description:
          'First-to-last layer gradient norm ratio at or below which gradients vanish (a published default).',
      }),
      norm: Type.Number({
        exclusiveMinimum: 0,
        default: 1e-4,
        description: 'And the first layer’s gradient norm at or below this (a published default).',
      }),
      window: Type.Integer({ minimum: 1, default: 20, description: 'Consecutive checks the condition must hold.' }),
      action: actions(['warn'], 'What to do on vanishing gradients.'),
    },
    { default: {}, additionalProperties: false },
  ),
  updateRatio: Type.Object(
    {
      low: Type.Number({
        exclusiveMinimum: 0,
        default: 1e-5,
        description: 'Update-to-weight ratio ‖Δw‖/‖w‖ below this is too low (healthy is about 1e-3).',
      }),
      high: Type.Number({ exclusiveMinimum: 0, default: 1e-1, description: 'Above this is too high.' }),
      every: Type.Integer({
        minimum: 1,
        default: 5,
        description:
          'Measure the update ‖Δw‖ every n steps (it keeps the weights from before the step and reads ‖Δw‖ after it; the ratio moves slowly).',
      }),
      window: Type.Integer({
        minimum: 1,
        default: 20,
        description: 'Consecutive measured updates out of range before a finding.',
      }),
      action: actions(['warn'], 'What to do when the ratio stays out of range.'),
    },
    { default: {}, additionalProperties: false },
  ),
  gradientCheck: Type.Object(
    {
      mode: StringEnum(['directional', 'elementwise', 'off'] as const, {
        default: 'directional',
        description:
          'directional: one random direction per variable (2 forward passes per step size); elementwise: `coordinates` random entries per variable; off: never.',
      }),
      steps: Type.Array(Type.Integer({ minimum: 0 }), { default: [0], description: 'Steps at which to check.' }),
      every: Type.Integer({ minimum: 0, default: 0, description: 'Also check every n steps (0: never).' }),
      epsilon: Type.Number({
        exclusiveMinimum: 0,
        default: 1e-2,
        description:
          'Step size per weight relative to the variable’s RMS (at least 0.05): each entry moves by about epsilon x max(rms(w), 0.05); retried at 1/4, 1/16 and 1/64 when a step crosses a kink.',
      }),
      samples: Type.Integer({
        minimum: 1,
        default: 8,
        description: 'Samples of the step’s batch the check runs on (fewer samples cross fewer ReLU/max-pool kinks).',
      }),
      coordinates: Type.Integer({ minimum: 1, default: 4, description: 'Entries per variable in elementwise mode.' }),
      tolerance: Type.Number({
        exclusiveMinimum: 0,
        default: 1e-2,
        description: 'Relative error above which a gradient is wrong (the usual band).',
      }),
      seed: Type.Integer({ default: 1234, description: 'Seeds directions and coordinates.' }),
    },
    { default: {}, additionalProperties: false },
  ),
  record: Type.Object(
    {
      every: Type.Integer({
        minimum: 0,
        default: 10,
        description: 'Write per-layer norms and ratios to gradient-guard/series.jsonl every n checks (0: off).',
      }),
      first: Type.Integer({
        minimum: 0,
        default: 50,
        description:
          'Also write every check of the first n steps (early blow-ups stay on the report’s charts); needs every > 0.',
      }),
    },
    { default: {}, additionalProperties: false },
  ),
});

export type GradientGuardOptions = Static<typeof GradientGuardOptions>;
