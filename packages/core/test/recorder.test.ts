import * as fs from 'node:fs';
import * as path from 'node:path';
import { definePlugin, every, type PluginUse } from '../src';
import { readJsonl, run } from './helpers';

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

  it('the parameter list is written once per run; batch:end leaves out the plugins’ raw readback', async () => {
    const r = await run({ plugins: [watcher(undefined)], training: { epochs: 2 } });
    const events = readJsonl(path.join(r.runDir, 'events.jsonl'));
    const grads = events.filter((e) => e['event'] === 'grads:computed');
    expect(grads.length).toBe(16);
    expect(grads[0]!['params']).toBeDefined();
    expect(grads.slice(1).every((e) => e['params'] === undefined)).toBe(true);
    expect(events.filter((e) => e['event'] === 'batch:end').every((e) => e['readback'] === undefined)).toBe(true);
    const bytes = fs.statSync(path.join(r.runDir, 'events.jsonl')).size;
    // A step's records (batch:begin, grads:computed, batch:end) in well under 1 KB on this model.
    expect(bytes / 16).toBeLessThan(1000);
  });
});
