import { Type, type Static } from '@trainwatch/core';

const block = <T extends Parameters<typeof Type.Object>[0]>(props: T) =>
  Type.Object(props, { default: {}, additionalProperties: false });

/** qualitative-sampler's options: validation, defaults, docs and the TypeScript type in one place. */
export const QualitativeSamplerOptions = Type.Object({
  size: Type.Integer({
    minimum: 1,
    maximum: 1000,
    default: 30,
    description:
      'Probe samples, chosen once per run from the held-out data (seeded; stratified by class where there are classes).',
  }),
  seed: Type.Integer({ default: 7, description: 'Seeds the probe choice.' }),
  every: Type.Integer({ minimum: 0, default: 0, description: 'Also sample every n steps (0: only at epoch ends).' }),
  atEpochEnd: Type.Boolean({ default: true, description: 'Sample at the end of every epoch.' }),
  baseline: Type.Boolean({ default: true, description: 'Sample the untrained model before the first step.' }),
  show: Type.Integer({
    minimum: 0,
    default: 6,
    description:
      'Probe samples in the terminal table, printed at the first sampling and at the end (a line when predictions change; every table with --verbose; 0: none; --quiet hides them).',
  }),
  topK: Type.Integer({ minimum: 1, default: 3, description: 'Classes kept per prediction for classification.' }),
  images: Type.Boolean({
    default: true,
    description: 'Write each probe input as a PNG (when the task gives a picture: image hook or NHWC input).',
  }),
  imageScale: Type.Integer({ minimum: 1, maximum: 16, default: 4, description: 'PNG upscaling (nearest neighbour).' }),
  patterns: block({
    examples: Type.Integer({
      minimum: 0,
      default: 2000,
      description: 'Held-out examples scanned for patterns at each sampling (0: the probe set only).',
    }),
    minSupport: Type.Integer({
      minimum: 1,
      default: 20,
      description: 'Observations a slice needs before it can be judged.',
    }),
    minRate: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.5,
      description: 'A systematic error: the slice is wrong at least this often...',
    }),
    minGap: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.25,
      description: '...at least this much more often than the rest of its family...',
    }),
    z: Type.Number({
      minimum: 0,
      default: 4,
      description:
        '...with a two-proportion z score at least this (4: about 1 in 30,000 by chance, allowing for many slices)...',
    }),
    persist: Type.Integer({ minimum: 1, default: 2, description: '...at this many samplings in a row.' }),
    warnRate: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.9,
      description:
        'A warning needs the slice "always wrong" (at least this often) while the rest of its family works (see maxRestRate); weaker patterns are info.',
    }),
    maxRestRate: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.35,
      description:
        '...and the rest of the family wrong at most this often (a model bad everywhere has no one bad slice).',
    }),
    regions: Type.Boolean({
      default: true,
      description: 'For pictures: slice by the quadrant of the input’s centre of mass.',
    }),
  }),
  disagreement: block({
    confidence: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.9,
      description: 'label-disagreement: predicted class probability at least this...',
    }),
    samplings: Type.Integer({
      minimum: 1,
      default: 3,
      description: '...the same wrong class at this many samplings in a row.',
    }),
    list: Type.Integer({ minimum: 1, default: 20, description: 'Examples listed in the finding.' }),
  }),
});

export type QualitativeSamplerOptions = Static<typeof QualitativeSamplerOptions>;
