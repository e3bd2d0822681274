import * as fs from 'node:fs';
import * as path from 'node:path';
import { definePlugin, every, tf, Type, type BatchEndEvent, type Finding } from '../src';
import { blobs, readJsonl, run } from './helpers';

describe('training loop and plugin API', () => {
  it('learns a simple problem and writes the run directory', async () => {
    const r = await run({ training: { epochs: 8, learningRate: 0.01, validation: { split: 0.25 } } });
    expect(r.status).toBe('completed');
    expect(r.summary.final['val_acc']).toBeGreaterThan(0.9);
    for (const f of ['config.json', 'events.jsonl', 'findings.json', 'summary.json'])
      expect(fs.existsSync(path.join(r.runDir, f))).toBe(true);
    const summary = JSON.parse(fs.readFileSync(path.join(r.runDir, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({
      status: 'completed',
      task: 'blobs',
      steps: 48,
      epochs: 8,
      backend: { name: 'wasm' },
    });
    expect(summary.versions.tfjs).toBe('4.22.0');
    const config = JSON.parse(fs.readFileSync(path.join(r.runDir, 'config.json'), 'utf8'));
    expect(config.training).toMatchObject({ epochs: 8, batchSize: 32, optimizer: 'adam', seed: 42 });
    const events = readJsonl(path.join(r.runDir, 'events.jsonl')).map((e) => e['event']);
    expect(events[0]).toBe('run:begin');
    expect(events.at(-1)).toBe('run:end');
    expect(events.filter((e) => e === 'batch:end')).toHaveLength(48);
    expect(events.filter((e) => e === 'eval:end')).toHaveLength(8);
  });

  it('emits the events of a step in order, activations only on steps that asked', async () => {
    const order: string[] = [];
    const seenActs: { step: number; layers: string[]; sameAsPred: boolean }[] = [];
    const plugin = definePlugin({
      name: 'spy',
      setup(ctx) {
        for (const ev of ['batch:begin', 'grads:computed', 'batch:end'] as const) {
          ctx.bus.on(ev, (p) => void (p.step < 4 && order.push(`${ev}@${p.step}`)));
        }
        ctx.bus.on(
          'forward:end',
          (e) => {
            if (e.step < 4) order.push(`forward:end@${e.step}`);
            const last = e.activations.at(-1)!;
            const same = tf.tidy(() => tf.max(tf.abs(tf.sub(last.output, e.predictions))).dataSync()[0]! === 0);
            seenActs.push({
              step: e.step,
              layers: e.activations.map((a) => `${a.layer}:${a.activation}`),
              sameAsPred: same,
            });
          },
          every(3),
        );
      },
    });
    await run({ plugins: [{ plugin, options: {} }] });
    expect(order).toEqual([
      'batch:begin@0',
      'forward:end@0',
      'grads:computed@0',
      'batch:end@0',
      'batch:begin@1',
      'grads:computed@1',
      'batch:end@1',
      'batch:begin@2',
      'grads:computed@2',
      'batch:end@2',
      'batch:begin@3',
      'forward:end@3',
      'grads:computed@3',
      'batch:end@3',
    ]);
    expect(seenActs.map((s) => s.step)).toEqual([0, 3, 6]);
    expect(seenActs[0]!.layers).toEqual(['h1:relu', 'out:softmax']);
    expect(seenActs.every((s) => s.sameAsPred)).toBe(true);
  });

  it('batches plugin readbacks into the step and returns them in batch:end', async () => {
    const got: { step: number; loss: number; norms: number[] }[] = [];
    const plugin = definePlugin({
      name: 'norms',
      setup(ctx) {
        ctx.bus.on('grads:computed', (e) => {
          e.readback('norms', tf.stack(Object.values(e.grads).map((g) => tf.norm(g))));
          e.readback('loss', e.loss);
        });
        ctx.bus.on(
          'batch:end',
          (e) =>
            void got.push({ step: e.step, loss: e.readback['loss']![0]!, norms: Array.from(e.readback['norms']!) }),
        );
      },
    });
    await run({ plugins: [{ plugin, options: {} }] });
    expect(got).toHaveLength(8);
    expect(got[0]!.norms).toHaveLength(4);
    expect(got.every((g) => g.norms.every((n) => n > 0 && Number.isFinite(n)))).toBe(true);
  });

  it('keeps tf.memory().numTensors flat over 200 steps with the whole plugin API in use', async () => {
    const counts = new Map<number, number>();
    const plugin = definePlugin({
      name: 'everything',
      schema: Type.Object({}),
      setup(ctx) {
        let kept: tf.Tensor | undefined;
        ctx.bus.on(
          'forward:end',
          (e) => {
            e.readback('act-mean', tf.mean(e.activations[0]!.output));
            kept?.dispose();
            kept = tf.keep(e.activations[0]!.output.clone()); // a plugin keeping a tensor owns it
          },
          every(2),
        );
        ctx.bus.on('grads:computed', (e) => e.readback('gnorm', tf.norm(Object.values(e.grads)[0]!)));
        ctx.interceptGradients((s) => ({
          action: 'replace',
          reason: 'scale',
          grads: Object.fromEntries(Object.entries(s.grads).map(([k, g]) => [k, tf.mul(g, 0.5)])),
        }));
        ctx.interceptGradients((s) => (s.step % 7 === 0 ? { action: 'skip', reason: 'every 7th' } : undefined));
        ctx.bus.on('batch:end', (e) => {
          if (e.step === 50) ctx.report({ code: 'test-finding', severity: 'info', message: 'hello' });
          if (e.step === 20 || e.step === 200) counts.set(e.step, tf.memory().numTensors);
        });
        ctx.bus.on('epoch:end', async () => {
          await new Promise((r) => setImmediate(r));
        });
        return () => kept?.dispose();
      },
    });
    const before = tf.memory().numTensors;
    const r = await run({ plugins: [{ plugin, options: {} }], training: { epochs: 26, batchSize: 32 } });
    expect(r.status).toBe('completed');
    expect(r.summary.steps).toBe(208);
    expect(counts.get(200)).toBe(counts.get(20));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('shows interception in batch:end: a skipped step leaves the weights unchanged', async () => {
    const ends: BatchEndEvent[] = [];
    const weightsMoved: boolean[] = [];
    const plugin = definePlugin({
      name: 'skipper',
      setup(ctx) {
        let before: Float32Array | undefined;
        ctx.bus.on('batch:begin', () => {
          before = ctx.model.layers[0]!.getWeights()[0]!.dataSync().slice() as Float32Array;
        });
        ctx.interceptGradients((s) => (s.step === 2 ? { action: 'skip', reason: 'test' } : undefined));
        ctx.bus.on('batch:end', (e) => {
          ends.push(e);
          const after = ctx.model.layers[0]!.getWeights()[0]!.dataSync();
          weightsMoved.push(after.some((v, i) => v !== before![i]));
        });
      },
    });
    await run({ plugins: [{ plugin, options: {} }] });
    expect(ends[2]!.update).toEqual({
      applied: false,
      interventions: [{ plugin: 'skipper', action: 'skip', reason: 'test' }],
    });
    expect(ends[1]!.update).toEqual({ applied: true, interventions: [] });
    expect(weightsMoved).toEqual([true, true, false, true, true, true, true, true]);
  });

  it('runs interceptors in declared order: pre, then config order, then post', async () => {
    const calls: string[] = [];
    const mk = (name: string, order?: 'pre' | 'post') =>
      definePlugin({
        name,
        ...(order ? { order } : {}),
        setup(ctx) {
          ctx.interceptGradients((s) => void (s.step === 0 && calls.push(name)));
        },
      });
    await run({
      plugins: [
        { plugin: mk('late', 'post'), options: {} },
        { plugin: mk('a'), options: {} },
        { plugin: mk('early', 'pre'), options: {} },
        { plugin: mk('b'), options: {} },
        { plugin: mk('forced'), options: {}, order: 'pre' },
      ],
    });
    expect(calls).toEqual(['early', 'forced', 'a', 'b', 'late']);
  });

  it('stops when a plugin asks, with status stopped and the reason', async () => {
    const plugin = definePlugin({
      name: 'stopper',
      setup(ctx) {
        ctx.bus.on('batch:end', (e) => e.step === 3 && ctx.requestStop('enough'));
      },
    });
    const r = await run({ plugins: [{ plugin, options: {} }], training: { epochs: 3 } });
    expect(r.status).toBe('stopped');
    expect(r.reason).toBe('stopper: enough');
    expect(r.summary.steps).toBe(4);
  });

  it('goes on when a plugin throws, naming the plugin and the event', async () => {
    const bad = definePlugin({
      name: 'bad',
      setup(ctx) {
        ctx.bus.on('batch:end', (e) => {
          if (e.step === 1) throw new Error('kaboom');
        });
      },
    });
    const errors: string[] = [];
    const watcher = definePlugin({
      name: 'watcher',
      setup: (ctx) => void ctx.bus.on('error', (e) => void errors.push(`${e.plugin}:${e.event}:${e.message}`)),
    });
    const r = await run({
      plugins: [
        { plugin: bad, options: {} },
        { plugin: watcher, options: {} },
      ],
    });
    expect(r.status).toBe('completed');
    expect(r.summary.steps).toBe(8);
    expect(errors).toEqual(['bad:batch:end:plugin "bad" failed in batch:end: kaboom']);
    const f = r.findings.find((x: Finding) => x.code === 'plugin-error')!;
    expect(f).toMatchObject({
      severity: 'error',
      plugin: 'bad',
      step: 1,
      evidence: { event: 'batch:end', error: 'kaboom' },
    });
    const saved = JSON.parse(fs.readFileSync(path.join(r.runDir, 'findings.json'), 'utf8'));
    expect(saved[0].code).toBe('plugin-error');
  });

  it('fails the run on a plugin error with failFast', async () => {
    const bad = definePlugin({
      name: 'bad',
      setup: (ctx) =>
        void ctx.bus.on('batch:end', () => {
          throw new Error('kaboom');
        }),
    });
    const r = await run({ plugins: [{ plugin: bad, options: {} }], training: { failFast: true } });
    expect(r.status).toBe('failed');
    expect(r.reason).toMatch(/plugin "bad" failed in batch:end: kaboom/);
    expect(JSON.parse(fs.readFileSync(path.join(r.runDir, 'summary.json'), 'utf8')).status).toBe('failed');
  });

  it('runs disposers in reverse order, even when the run fails', async () => {
    const calls: string[] = [];
    const mk = (name: string) => definePlugin({ name, setup: () => () => void calls.push(name) });
    const boom = definePlugin({
      name: 'boom',
      setup: (ctx) =>
        void ctx.bus.on('batch:end', () => {
          throw new Error('x');
        }),
    });
    const r = await run({
      plugins: [
        { plugin: mk('one'), options: {} },
        { plugin: boom, options: {} },
        { plugin: mk('two'), options: {} },
      ],
      training: { failFast: true },
    });
    expect(r.status).toBe('failed');
    expect(calls).toEqual(['two', 'one']);
  });

  it('is deterministic for a seed', async () => {
    const losses = async (seed: number) => {
      const out: number[] = [];
      const p = definePlugin({
        name: 'rec',
        setup: (ctx) => void ctx.bus.on('batch:end', (e) => void out.push(e.loss)),
      });
      await run({ plugins: [{ plugin: p, options: {} }], training: { seed } });
      return out;
    };
    const a = await losses(1);
    expect(await losses(1)).toEqual(a);
    expect(await losses(2)).not.toEqual(a);
  });

  it('stops at maxSteps as completed, and on an abort signal as stopped', async () => {
    const r1 = await run({ training: { epochs: 5, maxSteps: 10 } });
    expect(r1).toMatchObject({ status: 'completed', reason: 'max steps (10) reached' });
    expect(r1.summary.steps).toBe(10);
    const ac = new AbortController();
    const p = definePlugin({
      name: 'ctrl-c',
      setup: (ctx) => void ctx.bus.on('batch:end', (e) => void (e.step === 4 && ac.abort('interrupted'))),
    });
    const r2 = await run({ plugins: [{ plugin: p, options: {} }], training: { epochs: 5 }, signal: ac.signal });
    expect(r2).toMatchObject({ status: 'stopped', reason: 'interrupted' });
    expect(r2.summary.steps).toBe(5);
  });

  it('reports a crash in the task as a failed run with outputs written', async () => {
    const broken = {
      ...blobs,
      name: 'broken',
      create: () => {
        throw new Error('no data');
      },
    };
    const r = await run({ task: broken });
    expect(r).toMatchObject({ status: 'failed', reason: 'no data' });
    expect(JSON.parse(fs.readFileSync(path.join(r.runDir, 'summary.json'), 'utf8')).status).toBe('failed');
    expect(readJsonl(path.join(r.runDir, 'events.jsonl')).at(-1)).toMatchObject({ event: 'run:end', status: 'failed' });
  });
});
