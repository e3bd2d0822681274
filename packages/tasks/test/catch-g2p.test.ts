import { tf, validateOptions, type BatchSource, type TensorDataset } from '@trainwatch/core';
import { selectBackend } from '@trainwatch/core/runner';
import { catchGame, cmudictG2p, g2pCodec, renderCatch } from '../src';

const log = { debug() {}, info() {}, warn() {}, error() {} };

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('catch', () => {
  it('plays games with the current policy: batches of states and advantage-weighted actions; a perfect policy scores 1', async () => {
    const o = validateOptions(catchGame.schema, {}, 't').options;
    const inst = await catchGame.create(o as never, { seed: 3, log });
    const source = inst.train as BatchSource;
    expect(source.kind).toBe('batch-source');
    const b = await source.next({ model: inst.model, step: 0, epoch: 0, batch: 0, seed: 3 });
    expect(b.x.shape).toEqual([32 * 4, 30]);
    expect(b.y.shape).toEqual([32 * 4, 3]);
    // Each row has one non-zero entry at most: the action taken, weighted by its advantage.
    const y = b.y.arraySync() as number[][];
    expect(y.every((r) => r.filter((v) => v !== 0).length <= 1)).toBe(true);
    tf.dispose([b.x, b.y]);
    // A hand-written perfect policy (move towards the ball) catches every ball.
    const perfect = {
      predict: (x: tf.Tensor) =>
        tf.tidy(() => {
          const rows = x.arraySync() as number[][];
          return tf.tensor2d(
            rows.map((r) => {
              const ball = r.slice(0, 25).indexOf(1) % 5;
              const paddle = r.slice(25).indexOf(1);
              return ball < paddle ? [1, 0, 0] : ball > paddle ? [0, 0, 1] : [0, 1, 0];
            }),
          );
        }),
    } as unknown as tf.LayersModel;
    const r = await inst.evaluate!(perfect, { step: 0, epoch: 0, seed: 0, log });
    expect(r.metrics['reward']).toBe(1);
    expect(r.behaviour).toHaveLength(3);
    expect(
      renderCatch(
        { width: 5, height: 5 },
        Float32Array.from({ length: 30 }, (_, i) => (i === 2 || i === 27 ? 1 : 0)),
      ),
    ).toBe('..o..\n.....\n.....\n.....\n..=..');
    inst.model.dispose();
  });
});

describe('cmudict-g2p', () => {
  it('builds letter ids and padded one-hot phonemes from CMUdict, and decodes them back', async () => {
    const o = validateOptions(cmudictG2p.schema, { trainSize: 200, validationSize: 50 }, 't').options;
    const inst = await cmudictG2p.create(o as never, { seed: 1, log });
    const train = inst.train as TensorDataset;
    expect(train.x.shape).toEqual([200, 8]);
    const [, L, P] = train.y.shape;
    expect(L).toBe(8);
    expect(P).toBeGreaterThan(30);
    const x = train.x.arraySync() as number[][];
    const y = train.y.arraySync() as number[][][];
    const word = inst.hooks!.render!(Float32Array.from(x[0]!));
    const pron = inst.hooks!.decode!(Float32Array.from(y[0]!.flat()));
    expect(word).toMatch(/^[A-Z]{2,8}$/);
    expect(pron.split(' ').length).toBeLessThanOrEqual(word.length);
    expect(pron).toMatch(/^[A-Z]+( [A-Z]+)*$/); // no stress digits by default
    // Token slices: one observation per reference phoneme, plus one per distinct letter.
    const obs = inst.hooks!.slices!(
      Float32Array.from(x[0]!),
      Float32Array.from(y[0]!.flat()),
      Float32Array.from(y[0]!.flat()),
    );
    expect(obs.filter((s) => s.slice.startsWith('phoneme ')).length).toBe(pron.split(' ').length);
    expect(obs.every((s) => !s.error)).toBe(true);
    const out = inst.model.predict(train.x.slice(0, 2)) as tf.Tensor;
    expect(out.shape).toEqual([2, 8, P]);
    out.dispose();
    const codec = g2pCodec({ maxLength: 8, stress: false }, ['AH', 'B']);
    const buf = new Float32Array(8 * 3);
    codec.encodePron(['B', 'AH'], buf, 0);
    expect(codec.tokens(buf)).toEqual(['B', 'AH']);
    inst.model.dispose();
    tf.dispose([train.x, train.y, inst.validation!.x, inst.validation!.y]);
  });
});
