import { tf, type TensorDataset } from '@trainwatch/core';
import { selectBackend } from '@trainwatch/core/runner';
import { decodeDigit, loadMnist, mnistCnn, mnistMlp, renderDigit } from '../src';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('MNIST data', () => {
  it('splits the 10,000 real digits deterministically, balanced by class', () => {
    const a = loadMnist({ validationFraction: 0.2, shape: 'flat' });
    const b = loadMnist({ validationFraction: 0.2, shape: 'flat' });
    const n = a.train.x.shape[0]! + a.validation.x.shape[0]!;
    expect(n).toBe(10000);
    expect(a.validation.x.shape[0]).toBeGreaterThan(1900);
    expect(a.validation.x.shape[0]).toBeLessThan(2100);
    expect(tf.tidy(() => tf.max(tf.abs(tf.sub(a.train.x, b.train.x))).dataSync()[0])).toBe(0);
    const counts = tf.tidy(() => Array.from(tf.sum(a.train.y, 0).dataSync()));
    for (const c of counts) expect(c).toBeGreaterThan(650);
    const [lo, hi] = tf.tidy(() => [tf.min(a.train.x).dataSync()[0]!, tf.max(a.train.x).dataSync()[0]!]);
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThanOrEqual(1);
    tf.dispose([
      a.train.x,
      a.train.y,
      a.validation.x,
      a.validation.y,
      b.train.x,
      b.train.y,
      b.validation.x,
      b.validation.y,
    ]);
  });

  it('limits the set and shapes images for the CNN', () => {
    const d = loadMnist({ validationFraction: 0.5, limit: 100, shape: 'image' });
    expect(d.train.x.shape).toEqual([50, 28, 28, 1]);
    expect(d.validation.y.shape).toEqual([50, 10]);
    tf.dispose([d.train.x, d.train.y, d.validation.x, d.validation.y]);
  });

  it('renders a digit as text and decodes predictions', () => {
    const d = loadMnist({ validationFraction: 0.5, limit: 20, shape: 'flat' });
    const row = d.train.x.slice(0, 1).dataSync();
    const art = renderDigit(row);
    expect(art.split('\n')).toHaveLength(14);
    expect(art).toMatch(/[#%@]/);
    expect(decodeDigit([0.1, 0.05, 0.7, 0.15])).toBe('2');
    tf.dispose([d.train.x, d.train.y, d.validation.x, d.validation.y]);
  });
});

describe('built-in tasks', () => {
  it.each([
    ['mnist-mlp', mnistMlp],
    ['mnist-cnn', mnistCnn],
  ] as const)('%s builds a seeded model whose output has 10 classes', async (_name, task) => {
    const log = { debug() {}, info() {}, warn() {}, error() {} };
    const opts =
      task === mnistMlp
        ? { validationFraction: 0.5, limit: 40, hidden: [16], activation: 'relu' }
        : { validationFraction: 0.5, limit: 40, filters: [4] };
    const a = await task.create(opts as never, { seed: 7, log });
    const b = await task.create(opts as never, { seed: 7, log });
    const out = a.model.predict((a.train as TensorDataset).x) as tf.Tensor;
    expect(out.shape).toEqual([20, 10]);
    const wa = a.model.getWeights()[0]!.dataSync();
    const wb = b.model.getWeights()[0]!.dataSync();
    expect(Array.from(wa)).toEqual(Array.from(wb));
    out.dispose();
    for (const t of [a, b]) {
      t.model.dispose();
      const train = t.train as TensorDataset;
      tf.dispose([train.x, train.y, t.validation!.x, t.validation!.y]);
    }
  });
});
