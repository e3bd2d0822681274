import { tf } from '@trainwatch/core';
import type { WatchedLayer } from './layers';

/** One layer's measurement, computed from the rows the step's readback brought back. */
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
  /** Whether this measurement includes the histogram. */
  histogram: boolean;
}

/** The tensors one layer's statistics are computed from: read back with the step's one readback. */
export interface LayerSample {
  /** The layer's whole output (the measured rows are taken on the host: see `layerSample`). */
  out: tf.Tensor;
  /** The activation function's input on the first `preSamples` rows, when recoverable and asked for. */
  pre?: tf.Tensor;
}

/**
 * Whether a measurement needs the pre-activation: for the histogram, and for the saturation of a
 * saturating function other than sigmoid/tanh (those are judged through their output). The
 * detectors read it only as evidence, so it is recomputed on histogram steps, not at every one.
 */
export function needsPre(w: WatchedLayer, histogram: boolean): boolean {
  return histogram || (w.kind === 'saturating' && w.activation !== 'sigmoid' && w.activation !== 'tanh');
}

/**
 * What to read back for one layer (call inside the event's tidy): its output, whole, and when
 * `withPre` and the layer's linear part can be recomputed, the pre-activation on the first
 * `preSamples` rows (a second matmul/conv on a few rows: plenty for a histogram). The output is not
 * sliced to the measured rows here: on wasm a Slice copies its whole input first, so reading the
 * output and taking its first rows on the host costs less than the slice alone.
 */
export function layerSample(
  w: WatchedLayer,
  output: tf.Tensor,
  input: tf.Tensor | undefined,
  preSamples: number,
  withPre: boolean,
): LayerSample {
  const first = (t: tf.Tensor, n: number) => (n > 0 && t.shape[0]! > n ? tf.slice(t, 0, n) : t);
  const pre = withPre && w.pre && input ? w.pre(first(input, preSamples)) : undefined;
  return { out: output, ...(pre ? { pre } : {}) };
}

/** The first `rows` rows (0: all) of a batch-first array of `shape`: a view, and its shape. */
export function firstRows(v: Float32Array, shape: readonly number[], rows: number): [Float32Array, number[]] {
  const n = shape[0] ?? 1;
  if (rows <= 0 || n <= rows) return [v, [...shape]];
  return [v.subarray(0, (v.length / n) * rows), [rows, ...shape.slice(1)]];
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** mean, mean of squares, min, max and share of exact zeros of `v` (NaN in, NaN out: a NaN is not skipped). */
function moments(v: Float32Array): { mean: number; meanSq: number; min: number; max: number; zeros: number } {
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  let max = -Infinity;
  let zeros = 0;
  for (let i = 0; i < v.length; i++) {
    const x = v[i]!;
    sum += x;
    sumSq += x * x;
    if (x < min) min = x;
    if (x > max) max = x;
    if (x === 0) zeros++;
  }
  if (Number.isNaN(sum)) min = max = Number.NaN;
  return { mean: sum / v.length, meanSq: sumSq / v.length, min, max, zeros: zeros / v.length };
}

/**
 * Mean over features (every position but the batch axis) of each feature's standard deviation
 * across the `rows` samples: two passes (the per-feature mean, then the mean squared deviation
 * from it), in float64.
 */
function spreadOf(v: Float32Array, rows: number): number {
  const features = v.length / rows;
  const mean = new Float64Array(features);
  for (let r = 0; r < rows; r++) for (let f = 0, i = r * features; f < features; f++, i++) mean[f]! += v[i]!;
  for (let f = 0; f < features; f++) mean[f]! /= rows;
  const dev = new Float64Array(features);
  for (let r = 0; r < rows; r++)
    for (let f = 0, i = r * features; f < features; f++, i++) {
      const d = v[i]! - mean[f]!;
      dev[f]! += d * d;
    }
  let sum = 0;
  for (let f = 0; f < features; f++) sum += Math.sqrt(dev[f]! / rows);
  return sum / features;
}

/**
 * Share per unit (last axis, `units` wide) of the values above `hi` (`x > hi`), or with `lo` too,
 * outside [lo, hi] (`x <= lo || x >= hi`). Plain loops, no predicate callback: a callback per value
 * is not inlined across call sites and cost more than the loop.
 */
function perUnit(v: Float32Array, units: number, hi: number, lo?: number): Float32Array {
  const counts = new Int32Array(units);
  for (let i = 0; i < v.length; i += units)
    for (let u = 0; u < units; u++) {
      const x = v[i + u]!;
      // Counted without a branch: the outcome is a coin flip per value on live units.
      counts[u]! += (lo === undefined ? x > hi : x <= lo || x >= hi) ? 1 : 0;
    }
  const per = v.length / units;
  return Float32Array.from(counts, (c) => c / per);
}

/**
 * Fixed-bin counts over [lo, hi] (values outside clipped to the edge bins) of at most `samples`
 * values, picked with a stride coprime to the unit count (a stride that is a multiple of it would
 * see one channel only). NaN has no bin and is not counted.
 */
function histogram(v: Float32Array, units: number, lo: number, hi: number, bins: number, samples: number): number[] {
  let stride = 1;
  if (v.length > samples) {
    stride = Math.ceil(v.length / samples);
    while (gcd(stride, units) > 1) stride++;
  }
  const counts = new Array<number>(bins).fill(0);
  const scale = (bins * (1 - 1e-6)) / (hi - lo);
  for (let i = 0; i < v.length; i += stride) {
    const x = v[i]!;
    if (Number.isNaN(x)) continue;
    counts[Math.floor((Math.min(hi, Math.max(lo, x)) - lo) * scale)]!++;
  }
  return counts;
}

const stdOf = (mean: number, meanSq: number) => Math.sqrt(Math.max(0, meanSq - mean * mean));

/**
 * One layer's statistics from the values `layerSample` read back (`shape`: the output sample's
 * shape, batch first). Computed on the host: a few thousand to a few hundred thousand values, one
 * or two passes each, where the same statistics as tensor ops took ~25 kernel calls a layer (each
 * 10-30 us of dispatch on wasm: 1.5 ms a step on mnist-mlp). Saturation of sigmoid/tanh is measured
 * on every output value through the monotone map (|x| >= t exactly when sigmoid(x) is outside
 * [σ(−t), σ(t)]); other saturating functions use the recovered pre-activation.
 */
export function layerStats(
  w: WatchedLayer,
  out: Float32Array,
  shape: readonly number[],
  pre: Float32Array | undefined,
  o: StatsSettings,
): LayerStats {
  const units = shape[shape.length - 1] ?? 1;
  const m = moments(out);
  const stats: LayerStats = {
    layer: w.layer,
    activation: w.activation,
    out: { mean: m.mean, std: stdOf(m.mean, m.meanSq), min: m.min, max: m.max, zeros: m.zeros },
    spread: spreadOf(out, shape[0] ?? 1),
  };
  if (pre) {
    const p = moments(pre);
    stats.pre = { mean: p.mean, std: stdOf(p.mean, p.meanSq), min: p.min, max: p.max };
  }
  if (o.histogram) {
    const [lo, hi] = pre ? [-o.range, o.range] : (w.outputRange ?? [-o.range, o.range]);
    stats.hist = { of: pre ? 'pre' : 'out', lo, hi, counts: histogram(pre ?? out, units, lo, hi, o.bins, o.samples) };
  }
  if (w.kind === 'relu') stats.active = perUnit(out, units, 0);
  if (w.kind === 'saturating') stats.saturated = saturation(w, out, pre, units, o.threshold);
  return stats;
}

/** Per-unit share of saturated inputs, through the output where the activation is monotone and known. */
function saturation(
  w: WatchedLayer,
  out: Float32Array,
  pre: Float32Array | undefined,
  units: number,
  threshold: number,
): Float32Array {
  if (w.activation === 'sigmoid') {
    const edge = 1 / (1 + Math.exp(-threshold));
    return perUnit(out, units, edge, 1 - edge);
  }
  if (w.activation === 'tanh') {
    const edge = Math.tanh(threshold);
    return perUnit(out, units, edge, -edge);
  }
  if (pre) return perUnit(pre, units, threshold, -threshold);
  return new Float32Array(units).fill(Number.NaN);
}
