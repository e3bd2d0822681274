import { tf } from '@trainwatch/core';
import type { WatchedLayer } from './layers';

/** One layer's measurement, read back from the step's single readback. */
export interface LayerStats {
  layer: string;
  activation: string;
  /** Output: mean, std, min, max, share of exact zeros. */
  out: { mean: number; std: number; min: number; max: number; zeros: number };
  /** Mean over features of each feature's std across the samples of the batch (0: every sample gives the same output). */
  spread: number;
  /** The activation function's input, when recoverable (on the batch's first `preSamples` rows). */
  pre?: { mean: number; std: number; min: number; max: number };
  /** What the histogram bins (pre-activation when recoverable) and over which range. */
  hist: { of: 'pre' | 'out'; lo: number; hi: number; counts: number[] };
  /** Per unit (last axis): share of samples with output > 0 (ReLU family). */
  active?: Float32Array;
  /** Per unit: share of samples whose input is saturated, |x| >= threshold (sigmoid/tanh). */
  saturated?: Float32Array;
}

export interface StatsSettings {
  bins: number;
  range: number;
  samples: number;
  threshold: number;
  /** Rows of the batch the pre-activation is recomputed on. */
  preSamples: number;
}

interface Layout {
  layer: WatchedLayer;
  size: number;
  hasPre: boolean;
  units: number;
  lo: number;
  hi: number;
}

/** mean, mean of squares, min, max: four reductions (the std is finished on the host). */
function summary(t: tf.Tensor): tf.Tensor[] {
  return [tf.mean(t), tf.mean(tf.square(t)), tf.min(t), tf.max(t)];
}

const stdOf = (mean: number, meanSq: number) => Math.sqrt(Math.max(0, meanSq - mean * mean));

/** Share per unit (last axis) of positions where `mask` holds. */
function perUnit(mask: tf.Tensor): tf.Tensor {
  const units = mask.shape[mask.shape.length - 1]!;
  return tf.mean(tf.reshape(tf.cast(mask, 'float32'), [-1, units]), 0);
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Fixed-bin counts over [lo, hi] of at most `samples` values, picked with a stride coprime to the
 * unit count (a stride that is a multiple of it would see one channel only). Strided slices and
 * Bincount are native wasm kernels; a gather of random positions cost 40x more per step.
 */
function histogram(t: tf.Tensor, lo: number, hi: number, bins: number, samples: number): tf.Tensor {
  let flat = tf.reshape(t, [-1]);
  if (flat.size > samples) {
    const units = t.shape[t.shape.length - 1] ?? 1;
    let stride = Math.ceil(flat.size / samples);
    while (gcd(stride, units) > 1) stride++;
    const n = Math.floor(flat.size / stride);
    flat = tf.reshape(tf.slice(tf.reshape(tf.slice(flat, 0, n * stride), [n, stride]), [0, 0], [n, 1]), [-1]);
  }
  const bin = tf.cast(
    tf.floor(tf.mul(tf.sub(tf.clipByValue(flat, lo, hi), lo), (bins * (1 - 1e-6)) / (hi - lo))),
    'int32',
  );
  return tf.cast(tf.bincount(bin as tf.Tensor1D, tf.tensor1d([], 'float32'), bins), 'float32');
}

/**
 * Builds one layer's statistics as flat float tensors (call inside a tidy; concatenate all layers'
 * parts for one readback) and the layout to read them back. Saturation of sigmoid/tanh is measured on every sample through the output and the
 * monotone map (|x| >= t exactly when sigmoid(x) is outside [σ(−t), σ(t)]); other saturating
 * functions use the recovered pre-activation.
 */
export function layerStatsParts(
  w: WatchedLayer,
  output: tf.Tensor,
  input: tf.Tensor | undefined,
  o: StatsSettings,
): { parts: tf.Tensor[]; layout: Layout } {
  // The linear part is a second matmul/conv: on the first rows only, which is plenty for a histogram.
  const pre =
    w.pre && input ? w.pre(input.shape[0]! > o.preSamples ? tf.slice(input, 0, o.preSamples) : input) : undefined;
  const units = w.kind === 'relu' || w.kind === 'saturating' ? output.shape[output.shape.length - 1]! : 0;
  const [lo, hi] = pre ? [-o.range, o.range] : (w.outputRange ?? [-o.range, o.range]);
  const rows = tf.reshape(output, [output.shape[0]!, -1]);
  const parts: tf.Tensor[] = [
    ...summary(output),
    // ReLU outputs are >= 0, so their zero share follows from the per-unit active shares below.
    w.kind === 'relu' ? tf.zeros([1]) : tf.mean(tf.cast(tf.equal(output, 0), 'float32')),
    tf.mean(tf.sqrt(tf.moments(rows, 0).variance)),
    ...(pre ? summary(pre) : []),
    histogram(pre ?? output, lo, hi, o.bins, o.samples),
  ];
  if (w.kind === 'relu') parts.push(perUnit(tf.greater(output, 0)));
  if (w.kind === 'saturating') {
    if (w.activation === 'sigmoid') {
      const edge = 1 / (1 + Math.exp(-o.threshold));
      parts.push(perUnit(tf.logicalOr(tf.greaterEqual(output, edge), tf.lessEqual(output, 1 - edge))));
    } else if (w.activation === 'tanh') parts.push(perUnit(tf.greaterEqual(tf.abs(output), Math.tanh(o.threshold))));
    else if (pre) parts.push(perUnit(tf.greaterEqual(tf.abs(pre), o.threshold)));
    else parts.push(tf.fill([units], Number.NaN));
  }
  const flat = parts.map((p) => tf.reshape(p, [-1]));
  return {
    parts: flat,
    layout: { layer: w, size: flat.reduce((n, p) => n + p.size, 0), hasPre: !!pre, units, lo, hi },
  };
}

/** Reads one layer's statistics from its slice of the readback. */
export function parseLayerStats(v: Float32Array, l: Layout, bins: number): LayerStats {
  let i = 0;
  const next = (n: number) => v.subarray(i, (i += n));
  const [mean, meanSq, min, max, zeros, spread] = next(6);
  const p = l.hasPre ? next(4) : undefined;
  const counts = Array.from(next(bins));
  const unitVals = l.units > 0 ? next(l.units).slice() : undefined;
  return {
    layer: l.layer.layer,
    activation: l.layer.activation,
    out: {
      mean: mean!,
      std: stdOf(mean!, meanSq!),
      min: min!,
      max: max!,
      zeros: l.layer.kind === 'relu' && unitVals ? 1 - unitVals.reduce((a, b) => a + b, 0) / unitVals.length : zeros!,
    },
    spread: spread!,
    ...(p ? { pre: { mean: p[0]!, std: stdOf(p[0]!, p[1]!), min: p[2]!, max: p[3]! } } : {}),
    hist: { of: l.hasPre ? 'pre' : 'out', lo: l.lo, hi: l.hi, counts },
    ...(l.layer.kind === 'relu' && unitVals ? { active: unitVals } : {}),
    ...(l.layer.kind === 'saturating' && unitVals ? { saturated: unitVals } : {}),
  };
}

export type { Layout as StatsLayout };
