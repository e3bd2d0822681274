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
  /** What the histogram bins (pre-activation when recoverable) and over which range (on `histogram.everySteps`). */
  hist?: { of: 'pre' | 'out'; lo: number; hi: number; counts: number[] };
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
  /** Whether this measurement includes the histogram. */
  histogram: boolean;
}

interface Layout {
  layer: WatchedLayer;
  size: number;
  hasPre: boolean;
  hasHist: boolean;
  units: number;
  lo: number;
  hi: number;
}

const stdOf = (mean: number, meanSq: number) => Math.sqrt(Math.max(0, meanSq - mean * mean));

/**
 * Column means of a 2-D tensor, as mᵀ·(1/n) (a matmul with the tensor as the transposed left
 * operand). On wasm a mean over axis 0 transposes first (22.8 ms for tf.moments over the rows of a
 * [64, 21632] conv output), and a fresh tensor as the right operand is repacked by XNNPACK on every
 * call (0.8 ms for [64, 5408]); this form costs well under 0.1 ms there (measured on this project's
 * machine). Results agree with tf.mean / tf.moments to float32 rounding.
 */
function columnMeans(m: tf.Tensor2D): tf.Tensor2D {
  const n = m.shape[0];
  return tf.reshape(tf.matMul(m, tf.fill([n, 1], 1 / n), true, false), [1, -1]);
}

/** Share per unit (last axis) of positions where `mask` (0/1, or bool) holds. */
function perUnit(mask: tf.Tensor): tf.Tensor {
  const units = mask.shape[mask.shape.length - 1]!;
  const ones = mask.dtype === 'float32' ? mask : tf.cast(mask, 'float32');
  return columnMeans(tf.reshape(ones, [-1, units]) as tf.Tensor2D);
}

/**
 * Per-feature mean and variance over the batch (two passes: the mean, then the mean squared
 * deviation from it, as tf.moments does, through matmuls), then the whole tensor's mean and mean
 * of squares from them (equal counts per feature), min and max.
 */
function summaries(output: tf.Tensor): { whole: tf.Tensor[]; spread: tf.Tensor } {
  const rows = tf.reshape(output, [output.shape[0]!, -1]) as tf.Tensor2D;
  const mean = columnMeans(rows);
  const variance = columnMeans(tf.squaredDifference(rows, mean));
  const whole = [tf.mean(mean), tf.mean(tf.add(variance, tf.square(mean))), tf.min(output), tf.max(output)];
  return { whole, spread: tf.mean(tf.sqrt(variance)) };
}

/** mean, mean of squares, min, max of a small tensor (the recomputed pre-activation). */
function summary(t: tf.Tensor): tf.Tensor[] {
  return [tf.mean(t), tf.mean(tf.square(t)), tf.min(t), tf.max(t)];
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/**
 * Fixed-bin counts over [lo, hi] of at most `samples` values, picked with a stride coprime to the
 * unit count (a stride that is a multiple of it would see one channel only). The positions are a
 * gather of a strided range (0.23 ms on a [64, 26, 26, 32] output, against 3.7 ms for the strided
 * slices it replaces), then Bincount.
 */
function histogram(t: tf.Tensor, lo: number, hi: number, bins: number, samples: number): tf.Tensor {
  let flat = tf.reshape(t, [-1]);
  if (flat.size > samples) {
    const units = t.shape[t.shape.length - 1] ?? 1;
    let stride = Math.ceil(flat.size / samples);
    while (gcd(stride, units) > 1) stride++;
    const n = Math.floor(flat.size / stride);
    flat = tf.gather(flat, tf.range(0, n * stride, stride, 'int32'));
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
  const { whole, spread } = summaries(output);
  const parts: tf.Tensor[] = [
    ...whole,
    // ReLU outputs are >= 0, so their zero share follows from the per-unit active shares below.
    w.kind === 'relu' ? tf.zeros([1]) : tf.mean(tf.cast(tf.equal(output, 0), 'float32')),
    spread,
    ...(pre ? summary(pre) : []),
    ...(o.histogram ? [histogram(pre ?? output, lo, hi, o.bins, o.samples)] : []),
  ];
  // step(x) is 1 where x > 0, else 0: one kernel where greater + cast were two (1.4 + 0.6 ms on conv1).
  if (w.kind === 'relu') parts.push(perUnit(tf.step(output)));
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
    layout: {
      layer: w,
      size: flat.reduce((n, p) => n + p.size, 0),
      hasPre: !!pre,
      hasHist: o.histogram,
      units,
      lo,
      hi,
    },
  };
}

/** Reads one layer's statistics from its slice of the readback. */
export function parseLayerStats(v: Float32Array, l: Layout, bins: number): LayerStats {
  let i = 0;
  const next = (n: number) => v.subarray(i, (i += n));
  const [mean, meanSq, min, max, zeros, spread] = next(6);
  const p = l.hasPre ? next(4) : undefined;
  const counts = l.hasHist ? Array.from(next(bins)) : undefined;
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
    ...(counts ? { hist: { of: l.hasPre ? 'pre' : 'out', lo: l.lo, hi: l.hi, counts } } : {}),
    ...(l.layer.kind === 'relu' && unitVals ? { active: unitVals } : {}),
    ...(l.layer.kind === 'saturating' && unitVals ? { saturated: unitVals } : {}),
  };
}

export type { Layout as StatsLayout };
