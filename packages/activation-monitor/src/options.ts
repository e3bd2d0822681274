import { Type, type Static } from '@trainwatch/core';

const block = <T extends Parameters<typeof Type.Object>[0]>(props: T) =>
  Type.Object(props, { default: {}, additionalProperties: false });

/** activation-monitor's options: validation, defaults, docs and the TypeScript type in one place. */
export const ActivationMonitorOptions = Type.Object({
  every: Type.Integer({
    minimum: 1,
    default: 10,
    description: 'Steps between measurements (activations come from the training forward pass on those steps only).',
  }),
  window: Type.Integer({
    minimum: 1,
    default: 3,
    description:
      'Consecutive measurements a condition must hold before a finding (dead units: measurements pooled over the window).',
  }),
  histogram: block({
    bins: Type.Integer({ minimum: 2, maximum: 200, default: 40, description: 'Fixed bins per layer histogram.' }),
    range: Type.Number({
      exclusiveMinimum: 0,
      default: 10,
      description:
        'Pre-activations (and unbounded outputs) are binned over [-range, range]; sigmoid/softmax outputs over [0, 1], tanh over [-1, 1]. Values outside land in the edge bins.',
    }),
    samples: Type.Integer({
      minimum: 64,
      default: 4096,
      description:
        'At most this many values per layer go into the histogram (a fixed stride); the other statistics use every value.',
    }),
    everySteps: Type.Integer({
      minimum: 1,
      default: 50,
      description:
        'Histograms at most this often (steps since the last one): they are for the report and TensorBoard, no detector reads them, and the sampling costs about 1 ms a layer on wasm (every measurement with one cost mnist-mlp ~2.5% of its steps). At the default every: 10, one measurement in five has one.',
    }),
  }),
  rows: Type.Integer({
    minimum: 0,
    default: 16,
    description:
      'Rows of the batch the output statistics are measured on: the first n (0: every row). A quarter of a 64-row batch measures the same shares and spreads for a quarter of the work (the CNN’s per-step cost went from 6.2 to about 2 ms).',
  }),
  preSamples: Type.Integer({
    minimum: 1,
    default: 16,
    description:
      'Rows of the batch on which pre-activations are recomputed (exactly, from the layer’s linear part) for their statistics and histogram.',
  }),
  dead: block({
    activeShare: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.01,
      description:
        'A ReLU unit is dead when it is active (> 0) on under this share of samples over the window (published rule: 1%).',
    }),
    layerShare: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.5,
      description: 'A layer is flagged when over this share of its units are dead (published rule: 50%).',
    }),
  }),
  saturation: block({
    threshold: Type.Number({
      exclusiveMinimum: 0,
      default: 5,
      description:
        'A sigmoid/tanh input with |x| >= threshold is saturated (published default: 5; the gradient is below 0.007 of its peak for sigmoid).',
    }),
    unitShare: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.5,
      description: 'The layer is flagged when over this share of units are saturated on most samples.',
    }),
  }),
  explosion: block({
    factor: Type.Number({
      exclusiveMinimum: 1,
      default: 100,
      description:
        'activation-explosion: a layer’s output std grows past this multiple of its first measurement (two orders of magnitude).',
    }),
  }),
  collapse: block({
    ratio: Type.Number({
      exclusiveMinimum: 0,
      default: 1e-3,
      description: 'activation-collapse: the spread across samples falls below this share of its first measurement...',
    }),
    minStd: Type.Number({
      minimum: 0,
      default: 1e-6,
      description: '...or below this absolute value (all samples give the same output).',
    }),
  }),
  input: block({
    checks: Type.Integer({
      minimum: 0,
      default: 3,
      description: 'unnormalized-input: measurements of the model input to check (0: off).',
    }),
    maxAbs: Type.Number({
      exclusiveMinimum: 0,
      default: 20,
      description: 'Flag inputs whose largest |x| exceeds this (e.g. raw 0-255 pixels)...',
    }),
    maxMean: Type.Number({ exclusiveMinimum: 0, default: 5, description: '...or whose |mean| exceeds this...' }),
    maxStd: Type.Number({ exclusiveMinimum: 0, default: 10, description: '...or whose std exceeds this.' }),
  }),
  record: Type.Boolean({
    default: true,
    description: 'Write each measurement to activation-monitor/stats.jsonl (for the report).',
  }),
});

export type ActivationMonitorOptions = Static<typeof ActivationMonitorOptions>;
