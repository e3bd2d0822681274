import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, fit, tf } from '../src';
import { threeBlobs, userModel } from './fixtures';

const out = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tw-fit-')), 'run');

const userData = (n = 192) => threeBlobs(n, { spread: 3, noise: 1, seed: 4 });

describe('fit(model, x, y, options)', () => {
  it('trains a model and tensors made before the call (on cpu), leaves them usable, writes the report', async () => {
    await tf.setBackend('cpu'); // what a script gets when it makes tensors right after require
    const { x, y } = userData();
    const model = userModel();
    const tensorsBefore = tf.memory().numTensors;
    const r = await fit(model, x, y, {
      epochs: 4,
      batchSize: 16,
      learningRate: 0.01,
      loss: 'categoricalCrossentropy',
      metrics: ['accuracy'],
      validationSplit: 0.25,
      plugins: ['gradient-guard', { use: 'activation-monitor', options: { every: 5 } }],
      out: out(),
      quiet: true,
    });
    expect(r.status).toBe('completed');
    expect(r.summary.backend.name).toBe('wasm');
    expect(r.epoch).toEqual([0, 1, 2, 3]);
    expect(Object.keys(r.history).sort()).toEqual(['acc', 'loss', 'val_acc', 'val_loss']);
    expect(r.history['loss']![0]).toBeGreaterThan(0.1); // real data, not reinterpreted bits
    expect(r.history['loss']![3]).toBeLessThan(r.history['loss']![0]! * 0.6);
    expect(r.history['val_acc']![3]).toBeGreaterThan(0.9);
    expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(fs.existsSync(path.join(r.runDir, 'report.html'))).toBe(true);
    // Yours afterwards: the backend you had, tensors intact, the model trained and usable.
    expect(tf.getBackend()).toBe('cpu');
    expect(x.isDisposed || y.isDisposed).toBe(false);
    expect(Array.from(tf.tidy(() => tf.sum(y, 0).dataSync()))).toEqual([64, 64, 64]);
    const acc = tf.tidy(
      () =>
        tf
          .mean(tf.cast(tf.equal(tf.argMax(model.predict(x) as tf.Tensor, 1), tf.argMax(y, 1)), 'float32'))
          .dataSync()[0]!,
    );
    expect(acc).toBeGreaterThan(0.9);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    tf.dispose([x, y]);
    model.dispose();
  });

  it("uses a compiled model's loss, optimizer and metrics, and calls tfjs callbacks (early stopping too)", async () => {
    const { x, y } = userData();
    const model = userModel();
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const seen: string[] = [];
    const r = await fit(model, x, y, {
      epochs: 50,
      batchSize: 32,
      validationData: userData(60) as { x: tf.Tensor; y: tf.Tensor },
      callbacks: [
        {
          onEpochEnd: async (epoch, logs) =>
            void seen.push(
              `${epoch}:${Object.keys(logs ?? {})
                .sort()
                .join(',')}`,
            ),
        },
        tf.callbacks.earlyStopping({ monitor: 'val_acc', patience: 2, mode: 'max' }),
      ],
      out: out(),
      quiet: true,
    });
    expect(seen[0]).toBe('0:acc,loss,val_acc,val_loss');
    expect(r.status).toBe('stopped');
    expect(r.reason).toMatch(/model\.stopTraining was set by a callback/);
    expect(r.epoch.length).toBeLessThan(50);
    expect(r.history['val_acc']!.at(-1)).toBeGreaterThan(0.9);
    // The compiled optimizer trained the run and is still the caller's (its state not disposed).
    const state = await model.optimizer.getWeights();
    expect(state.length).toBeGreaterThan(1);
    expect(state.every((w) => !w.tensor.isDisposed)).toBe(true);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('takes a tf.data dataset of { xs, ys } batches', async () => {
    const { x, y } = userData(96);
    const ds = tf.data.zip({ xs: tf.data.array(tf.unstack(x)), ys: tf.data.array(tf.unstack(y)) }).batch(16);
    const model = userModel();
    const r = await fit(model, ds, {
      epochs: 3,
      loss: 'categoricalCrossentropy',
      learningRate: 0.01,
      out: out(),
      quiet: true,
      report: false,
    });
    expect(r.status).toBe('completed');
    expect(r.summary.steps).toBe(3 * 6);
    expect(r.history['loss']![2]).toBeLessThan(r.history['loss']![0]!);
    tf.dispose([x, y]);
    model.dispose();
  });

  it('names every bad option by path and trains nothing', async () => {
    const { x, y } = userData(30);
    const model = userModel();
    const dir = out();
    const p = fit(model, x, y, {
      epochs: 0,
      evry: 3,
      plugins: ['gradient-gaurd', { use: 'activation-monitor', options: { evry: 2 } }],
      out: dir,
    } as never);
    await expect(p).rejects.toBeInstanceOf(ConfigError);
    const message = await p.catch((e: Error) => e.message);
    expect(message).toMatch(/options\.epochs: must be >= 1/);
    expect(message).toMatch(/options\.evry: unknown option "evry"/);
    expect(message).toMatch(/options\.loss: the model is not compiled/);
    expect(message).toMatch(
      /options\.plugins\[0\]\.use: unknown plugin "gradient-gaurd" \(did you mean "gradient-guard"\?\)/,
    );
    expect(message).toMatch(/options\.plugins\[1\]\.options\.evry: unknown option "evry" \(did you mean "every"\?\)/);
    expect(fs.existsSync(dir)).toBe(false);
    tf.dispose([x, y]);
    model.dispose();
  });
});
