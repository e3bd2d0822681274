import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineTask, tf, type Task, type TensorDataset } from '@trainwatch/core';
import { disposeTask, selectBackend, type RunResult } from '@trainwatch/core/runner';
import { runWith } from '@trainwatch/core/testing';
import { mnistCnn, mnistMlp } from '@trainwatch/tasks';
import { referenceBatch, referenceCheck, referenceInput, writeReferenceInput } from '../src';
import { BuggyDense } from './layers';

const ROOT = path.resolve(__dirname, '../../..');
const PYTHON = process.env['TRAINWATCH_PYTHON'] ?? (fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
const required = process.env['CI'] !== undefined || process.env['TRAINWATCH_TORCH_TESTS'] === '1';
if (!hasTorch && required)
  throw new Error(
    `the PyTorch reference tests need python3-torch (${PYTHON} cannot import torch); .ci/run installs it`,
  );
if (!hasTorch) console.warn('skipping PyTorch reference tests: torch not importable');
const withTorch = hasTorch ? describe : describe.skip;

const SEED = 42;
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tw-ref-'));
const mlpOpts = { validationFraction: 0.2, limit: 200, hidden: [32, 16], activation: 'relu' as const };
const cnnOpts = { validationFraction: 0.2, limit: 200, filters: [4, 8] };

async function check(
  task: Task,
  taskOptions: Record<string, unknown>,
  options: Record<string, unknown>,
): Promise<RunResult> {
  return runWith({
    task,
    taskOptions,
    training: { epochs: 1, maxSteps: 1, seed: SEED },
    plugins: [{ plugin: referenceCheck, options }],
  });
}

/** mnist-mlp whose second hidden layer is hand-written (BuggyDense with the given bug). */
function mlpWith(bug: { transpose?: boolean; gradScale?: number }) {
  return defineTask({
    name: 'mlp-custom',
    async create(_o, ctx) {
      const base = await mnistMlp.create(mlpOpts, ctx);
      base.model.dispose();
      const m = tf.sequential();
      m.add(
        tf.layers.dense({
          units: 16,
          activation: 'relu',
          inputShape: [784],
          name: 'hidden1',
          kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed }),
        }),
      );
      m.add(new BuggyDense({ units: 16, name: 'hidden2', seed: ctx.seed + 1, activation: 'relu', ...bug }));
      m.add(
        tf.layers.dense({
          units: 10,
          activation: 'softmax',
          name: 'output',
          kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed + 2 }),
        }),
      );
      return { ...base, model: m };
    },
  });
}

const mismatch = (r: RunResult) => r.findings.find((f) => f.code === 'reference-mismatch');
const passed = (r: RunResult) => r.findings.find((f) => f.code === 'reference-check-passed');

/** Writes the reference input the way `trainwatch export` does, runs torch_dump.py, returns the dump path. */
async function torchDump(task: Task, taskOptions: Record<string, unknown>): Promise<string> {
  const inst = await task.create(taskOptions as never, {
    seed: SEED,
    log: { debug() {}, info() {}, warn() {}, error() {} },
  });
  const batch = referenceBatch(inst.train as TensorDataset, 16);
  const dir = tmp();
  const input = writeReferenceInput(dir, referenceInput(inst.model, batch, String(inst.loss)));
  tf.dispose([batch.x, batch.y]);
  disposeTask(inst);
  const out = path.join(dir, 'reference-dump.json');
  const r = spawnSync(PYTHON, [path.join(ROOT, 'tools/reference/torch_dump.py'), input, out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`torch_dump.py failed: ${r.stderr}`);
  return out;
}

describe('reference: another tfjs backend', () => {
  it('mnist-cnn on wasm matches the cpu backend layer by layer (guards the core’s wasm conv gradient)', async () => {
    const r = await check(mnistCnn, cnnOpts, { reference: 'backend', backend: 'cpu' });
    expect(mismatch(r)).toBeUndefined();
    const p = passed(r)!;
    expect((p.evidence['layers'] as { layer: string }[]).map((l) => l.layer)).toEqual([
      'conv1',
      'pool1',
      'conv2',
      'pool2',
      'flatten',
      'output',
    ]);
    expect(tf.getBackend()).toBe('wasm');
  }, 60_000);

  it('a broken wasm Conv2DBackpropFilter (halved): backward mismatch at the last conv layer', async () => {
    await selectBackend('wasm'); // installs the core's wasm kernels
    const original = tf.getKernel('Conv2DBackpropFilter', 'wasm')!;
    let calls = 0;
    tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
    tf.registerKernel({
      ...original,
      kernelFunc: (args) => {
        calls++;
        const out = original.kernelFunc(args) as tf.TensorInfo;
        // Scale the true kernel's output on the host: a faulty kernel, as a bug in a kernel fill would be.
        const backend = args.backend as unknown as {
          readSync(id: unknown): Float32Array;
          makeOutput(shape: number[], dtype: string): tf.TensorInfo;
          typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
          disposeData(id: unknown): void;
        };
        const vals = backend.readSync(out.dataId);
        const res = backend.makeOutput(out.shape, out.dtype);
        backend.typedArrayFromHeap(res).set(vals.map((v) => v * 0.5));
        backend.disposeData(out.dataId);
        return res;
      },
    });
    try {
      const r = await check(mnistCnn, cnnOpts, { reference: 'backend', backend: 'cpu' });
      expect(calls).toBeGreaterThan(0);
      const f = mismatch(r)!;
      expect(f).toBeDefined();
      expect(f.layer).toBe('conv2');
      expect(f.evidence['direction']).toBe('backward');
      expect(f.evidence['weight']).toBe('kernel');
      expect(f.evidence['relative'] as number).toBeGreaterThan(0.3);
    } finally {
      tf.unregisterKernel('Conv2DBackpropFilter', 'wasm');
      tf.registerKernel(original);
    }
  }, 60_000);
});

describe('reference: a model module', () => {
  const refModule = path.join(tmp(), 'reference-mlp.js');
  fs.writeFileSync(
    refModule,
    `exports.build = (tf, { inputShape }) => {
      const m = tf.sequential();
      m.add(tf.layers.dense({ units: 16, activation: 'relu', inputShape, name: 'fc1' }));
      m.add(tf.layers.dense({ units: 16, activation: 'relu', name: 'fc2' }));
      m.add(tf.layers.dense({ units: 10, activation: 'softmax', name: 'fc3' }));
      return m;
    };`,
  );
  const mapping = { hidden1: 'fc1', hidden2: 'fc2', output: 'fc3' };

  it('a hand-written layer that matches the standard one: passes', async () => {
    const r = await check(mlpWith({}), {}, { reference: 'model', module: refModule, mapping });
    expect(mismatch(r)).toBeUndefined();
    expect(passed(r)).toBeDefined();
  }, 60_000);

  it('a hand-written layer that multiplies by the transposed kernel: forward mismatch named at that layer', async () => {
    const r = await check(mlpWith({ transpose: true }), {}, { reference: 'model', module: refModule, mapping });
    const f = mismatch(r)!;
    expect(f.layer).toBe('hidden2');
    expect(f.evidence['direction']).toBe('forward');
    expect((f.evidence['examples'] as unknown[]).length).toBeGreaterThan(0);
  }, 60_000);
});

withTorch('reference: a PyTorch dump (tools/reference/torch_dump.py)', () => {
  it.each([
    ['an MLP', mnistMlp, mlpOpts, ['hidden1', 'hidden2', 'output']],
    ['a small CNN', mnistCnn, cnnOpts, ['conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'output']],
  ] as const)(
    '%s matches PyTorch layer by layer, forward and backward',
    async (_n, task, opts, layers) => {
      const dump = await torchDump(task, opts);
      const r = await check(task, opts, { reference: 'dump', file: dump });
      expect(mismatch(r)).toBeUndefined();
      const p = passed(r)!;
      expect((p.evidence['layers'] as { layer: string; backward?: number }[]).map((l) => l.layer)).toEqual([...layers]);
      expect(p.evidence['lossReference'] as number).toBeCloseTo(p.evidence['lossOurs'] as number, 4);
    },
    120_000,
  );

  it('a transposed kernel in one tfjs layer: PyTorch names that layer (forward)', async () => {
    const dump = await torchDump(mlpWith({}), {});
    const r = await check(mlpWith({ transpose: true }), {}, { reference: 'dump', file: dump });
    expect(mismatch(r)!.layer).toBe('hidden2');
    expect(mismatch(r)!.evidence['direction']).toBe('forward');
  }, 120_000);

  it('a custom gradient that is half the true one: PyTorch names that layer (backward, from the end)', async () => {
    const dump = await torchDump(mlpWith({}), {});
    const r = await check(mlpWith({ gradScale: 0.5 }), {}, { reference: 'dump', file: dump });
    const f = mismatch(r)!;
    expect(f.layer).toBe('hidden2');
    expect(f.evidence['direction']).toBe('backward');
    expect(f.evidence['weight']).toBe('kernel');
  }, 120_000);
});

describe('hygiene', () => {
  it('leaves the tensor count as it found it (backend switch included)', async () => {
    const before = tf.memory().numTensors;
    await check(mnistCnn, cnnOpts, { reference: 'backend', backend: 'cpu' });
    expect(tf.memory().numTensors).toBe(before);
  }, 60_000);

  it('a reference file that does not exist is a clear plugin error naming the option', async () => {
    const r = await check(mnistMlp, mlpOpts, { reference: 'dump', file: 'nope/reference-dump.json' });
    expect(r.findings.find((f) => f.code === 'plugin-error')!.message).toMatch(
      /reference "dump" needs options\.file, a dump that exists/,
    );
  }, 60_000);
});
