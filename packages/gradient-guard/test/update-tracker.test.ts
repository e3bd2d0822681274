import { tf } from '@trainwatch/core';
import { SquareSums } from '../src/square-sums';
import { UpdateTracker } from '../src/update-tracker';

/**
 * One step's `beforeStep`, its Σ(Δw)² values read as the plugin reads them: computed in host memory,
 * or (`onHost` false, as on webgl) queued as tensors for the step's readback, read and freed here.
 */
function stepSums(t: UpdateTracker, ws: tf.Tensor[], track: boolean, onHost: boolean): Float32Array | undefined {
  const sums = new SquareSums(onHost);
  t.beforeStep(ws, track, sums);
  let queued: Float32Array | undefined;
  const host = sums.finish((_key, x) => {
    queued = x.dataSync().slice() as Float32Array;
    x.dispose();
  }, 'k');
  const v = host ?? queued;
  return v && v.length > 0 ? v : undefined;
}

const sq = (t: tf.Tensor) => tf.tidy(() => tf.sum(tf.square(t)).dataSync()[0]!);

describe.each([
  ['host memory', true],
  ['tensor ops', false],
])('UpdateTracker, sums in %s', (_where, onHost) => {
  const read = (t: UpdateTracker, ws: tf.Tensor[], track: boolean) => stepSums(t, ws, track, onHost);
  let a: tf.Variable;
  let b: tf.Variable;
  beforeEach(() => {
    a = tf.variable(tf.tensor1d([3, 4]));
    b = tf.variable(tf.tensor2d([[1, 1]]));
  });
  afterEach(() => tf.dispose([a, b]));

  it('measures the update applied after the tracked step, over the weights before it', () => {
    const t = new UpdateTracker();
    expect(read(t, [a, b], true)).toBeUndefined(); // step 0: copy kept, nothing to measure yet
    expect(t.hasUpdateSums).toBe(false);
    t.readback(undefined, Float32Array.from([sq(a), sq(b)]));
    t.stepEnded(true);
    a.assign(tf.tensor1d([3.3, 3.6])); // the optimizer's update: Δa = (0.3, -0.4), Δb = 0
    const sums = read(t, [a, b], false);
    expect(t.hasUpdateSums).toBe(true);
    t.readback(sums, undefined);
    const m = t.take()!;
    expect(m.updateSq[0]).toBeCloseTo(0.25, 5);
    expect(m.updateSq[1]).toBeCloseTo(0, 6);
    expect(Array.from(m.prevWeightSq)).toEqual([25, 2]);
    expect(Math.sqrt(m.updateSq[0]!) / Math.sqrt(m.prevWeightSq[0]!)).toBeCloseTo(0.1, 5);
    expect(t.take()).toBeUndefined(); // handed out once
    t.dispose();
  });

  it('measures what an optimizer really changed (it keeps the values from before the update, not the variable)', () => {
    const t = new UpdateTracker();
    const before = a.dataSync().slice();
    read(t, [a, b], true);
    t.readback(undefined, Float32Array.from([sq(a), sq(b)]));
    t.stepEnded(true);
    const opt = tf.train.adam(0.05);
    opt.applyGradients({ [a.name]: tf.tensor1d([1, -2]), [b.name]: tf.tensor2d([[0, 0]]) } as never);
    const after = a.dataSync();
    const expected = (after[0]! - before[0]!) ** 2 + (after[1]! - before[1]!) ** 2;
    expect(expected).toBeGreaterThan(1e-3);
    const sums = read(t, [a, b], false);
    t.readback(sums, undefined);
    const m = t.take()!;
    expect(m.updateSq[0]).toBeCloseTo(expected, 6);
    expect(m.updateSq[1]).toBeCloseTo(0, 6);
    opt.dispose();
    t.dispose();
  });

  it('does not measure an update an interceptor skipped', () => {
    const t = new UpdateTracker();
    read(t, [a, b], true);
    t.readback(undefined, Float32Array.from([sq(a), sq(b)]));
    t.stepEnded(false);
    expect(read(t, [a, b], false)).toBeUndefined();
    expect(t.hasUpdateSums).toBe(false);
    t.readback(undefined, undefined);
    expect(t.take()).toBeUndefined();
    t.dispose();
  });

  it('measures only steps it was asked to track', () => {
    const t = new UpdateTracker();
    read(t, [a, b], false);
    t.stepEnded(true);
    expect(read(t, [a, b], false)).toBeUndefined();
    t.dispose();
  });

  it('frees its copy of the weights: the tensor count stays flat over many steps', () => {
    const t = new UpdateTracker();
    const start = tf.memory().numTensors;
    for (let step = 0; step < 50; step++) {
      const sums = read(t, [a, b], step % 5 === 0);
      t.readback(sums, step % 5 === 0 ? Float32Array.from([sq(a), sq(b)]) : undefined);
      t.stepEnded(true);
      t.take();
    }
    t.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
