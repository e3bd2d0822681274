import * as fs from 'node:fs';
import * as path from 'node:path';
import { definePlugin, every, type PluginUse } from '../src';
import { EventBus, EventRecorder } from '../src/runner';
import { readJsonl, run, tmpDir } from './helpers';

/** A plugin that looks at activations every `n`-th step (or never), and one that asks for readback. */
const watcher = (n: number | undefined): PluginUse => ({
  plugin: definePlugin({
    name: 'watcher',
    setup(ctx) {
      if (n !== undefined) ctx.bus.on('forward:end', () => {}, every(n));
      ctx.bus.on('grads:computed', (e) => e.readback('watcher:sum', e.inputs.sum()));
    },
  }),
  options: {},
});

describe('events.jsonl records what happened without causing it, and stays bounded', () => {
  it('forward:end is recorded only on the steps a plugin asked for (captured every 10th step, not every step)', async () => {
    const r = await run({ plugins: [watcher(10)], training: { epochs: 4 } }); // 32 steps
    const events = readJsonl(path.join(r.runDir, 'events.jsonl'));
    expect(events.filter((e) => e['event'] === 'forward:end').map((e) => e['step'])).toEqual([0, 10, 20, 30]);
  });

  it('with no plugin asking, the recorder alone captures nothing', async () => {
    const r = await run({ plugins: [watcher(undefined)], training: { epochs: 1 } });
    const events = readJsonl(path.join(r.runDir, 'events.jsonl'));
    expect(events.filter((e) => e['event'] === 'forward:end')).toEqual([]);
  });

  it('one line per step: no batch:begin or grads:computed lines, parameters once (run:begin), no raw readback', async () => {
    const r = await run({ plugins: [watcher(undefined)], training: { epochs: 2 } });
    const events = readJsonl(path.join(r.runDir, 'events.jsonl'));
    expect(events.filter((e) => e['event'] === 'grads:computed' || e['event'] === 'batch:begin')).toEqual([]);
    expect(events.filter((e) => e['params'] !== undefined).map((e) => e['event'])).toEqual(['run:begin']);
    const steps = events.filter((e) => e['event'] === 'batch:end');
    expect(steps.map((e) => e['step'])).toEqual([...Array(16).keys()]);
    expect(steps.every((e) => e['readback'] === undefined && typeof e['loss'] === 'number')).toBe(true);
    const bytes = fs.statSync(path.join(r.runDir, 'events.jsonl')).size;
    // Half of the 1,491 bytes a step the issue measured, run and epoch records included.
    expect(bytes / 16).toBeLessThan(745);
  });

  it('a non-finite loss is written as a string, the line still valid JSON', () => {
    const file = path.join(tmpDir(), 'events.jsonl');
    const bus = new EventBus();
    const recorder = new EventRecorder(file, bus);
    const step = { epoch: 0, batch: 0, metrics: {}, learningRate: 0.1, stepMs: 1.23456, readback: {} };
    bus.emit('batch:end', {
      ...step,
      step: 0,
      loss: 0.5,
      metrics: { acc: 0.25, 'a"b': 1 },
      update: { applied: true, interventions: [] },
    });
    bus.emit('batch:end', { ...step, step: 1, loss: Number.NaN, update: { applied: false, interventions: [] } });
    recorder.close();
    const [ok, nan] = readJsonl(file);
    expect(ok).toMatchObject({ step: 0, loss: 0.5, stepMs: 1.235, metrics: { acc: 0.25, 'a"b': 1 } });
    expect(ok!['update']).toBeUndefined();
    expect(nan).toMatchObject({ step: 1, loss: 'NaN', update: { applied: false } });
  });

  it('step lines, written in groups, keep their place among the other events, a flush in between too', () => {
    const file = path.join(tmpDir(), 'events.jsonl');
    const bus = new EventBus();
    const recorder = new EventRecorder(file, bus);
    const step = (n: number) => ({
      step: n,
      epoch: 0,
      batch: n,
      loss: 1 / (n + 1),
      metrics: { acc: n / 10 },
      learningRate: 0.01,
      stepMs: 2,
      update: { applied: true, interventions: [] },
      readback: {},
    });
    bus.emit('batch:end', step(0));
    bus.emit('epoch:end', { epoch: 0, step: 1, train: { loss: 1 }, val: {}, epochMs: 5 });
    bus.emit('batch:end', step(1));
    bus.emit('finding', { code: 'c', severity: 'info', plugin: 'p', step: 1, epoch: 0, message: 'm', evidence: {} }); // flushes
    expect(readJsonl(file).map((e) => `${String(e['event'])}${e['step'] ?? ''}`)).toEqual([
      'batch:end0',
      'epoch:end1',
      'batch:end1',
      'finding1',
    ]);
    bus.emit('batch:end', step(2));
    recorder.close();
    const events = readJsonl(file);
    expect(events.map((e) => e['step'])).toEqual([0, 1, 1, 1, 2]);
    expect(events[4]).toMatchObject({ step: 2, loss: 1 / 3, metrics: { acc: 0.2 }, learningRate: 0.01 });
  });
});
