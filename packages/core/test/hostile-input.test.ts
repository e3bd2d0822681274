import { definePlugin, validateOptions } from '../src';
import { runWith } from '../src/testing';
import { validateConfig } from '../src/runner';
import { blobs } from './helpers';

describe('input no schema expects', () => {
  it('numbers JSON cannot hold (1e400) are refused by path, not accepted as Infinity', () => {
    const raw = JSON.parse('{"task":{"use":"t"},"training":{"epochs":1e400,"learningRate":-1e400}}');
    expect(validateConfig(raw).issues).toEqual([
      { path: 'training.epochs', message: 'must be a finite number (got Infinity; too large for a double)' },
      { path: 'training.learningRate', message: 'must be a finite number (got -Infinity; too large for a double)' },
    ]);
  });

  it('"options": null, a string or an array is an issue at its path; a broken options schema is the module\'s', () => {
    const schema = { type: 'object', properties: { every: { type: 'integer' } } };
    for (const bad of [null, 'x', [1]])
      expect(validateOptions(schema, bad, 'plugins[0].options').issues).toEqual([
        { path: 'plugins[0].options', message: expect.stringMatching(/^must be an object \(got /) },
      ]);
    const broken = { type: 'object', properties: { every: { type: 'integr' } } };
    expect(validateOptions(broken, {}, 'plugins[1].options').issues).toEqual([
      {
        path: 'plugins[1].options',
        message: expect.stringMatching(/^cannot be checked: the module's options schema is invalid/),
      },
    ]);
  });

  it('a plugin failing at every step: one plugin-error with the count, and a bounded number of log lines', async () => {
    const logs: string[] = [];
    const plugin = definePlugin({
      name: 'flaky',
      setup: (ctx) =>
        void ctx.bus.on('batch:end', () => {
          throw new Error('again');
        }),
    });
    const r = await runWith({
      task: blobs,
      taskOptions: { n: 128 },
      training: { epochs: 1, batchSize: 8 },
      plugins: [{ plugin }],
      logSink: (_l, _s, m) => void logs.push(m),
    });
    expect(r.status).toBe('completed');
    expect(r.findings.filter((f) => f.code === 'plugin-error')).toEqual([
      expect.objectContaining({
        plugin: 'flaky',
        evidence: expect.objectContaining({ event: 'batch:end', count: 16, lastStep: 15 }),
      }),
    ]);
    expect(logs.filter((m) => m.includes('flaky'))).toHaveLength(4);
  });

  it('an output name must be one folder name', () => {
    const issues = (name: string) =>
      validateConfig({ task: { use: 't' }, output: { name } }).issues.map((i) => i.message);
    for (const bad of ['a/b', '..', '.', 'a\\b', 'x\u0000y'])
      expect(issues(bad)).toEqual([expect.stringMatching(/^must be one folder name/)]);
    expect(issues('n'.repeat(256))).toEqual(['must NOT have more than 255 characters']);
    expect(issues('run-1.final')).toEqual([]);
  });

  it('a plugin that throws a BigInt, a Symbol or an object with a cycle gets a normal plugin-error; the run goes on', async () => {
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    const thrower = (name: string, value: unknown) =>
      definePlugin({
        name,
        setup: (ctx) =>
          void ctx.bus.on('epoch:end', () => {
            throw value;
          }),
      });
    const r = await runWith({
      task: blobs,
      taskOptions: { n: 64 },
      training: { epochs: 2 },
      plugins: [
        { plugin: thrower('big', 10n) },
        { plugin: thrower('sym', Symbol('boom')) },
        { plugin: thrower('cyc', cycle) },
      ],
    });
    expect(r.status).toBe('completed');
    const errors = r.findings.filter((f) => f.code === 'plugin-error');
    // One finding per plugin and event, counting the repeats (2 epochs, 2 failures each).
    expect(errors.map((f) => f.plugin).sort()).toEqual(['big', 'cyc', 'sym']);
    expect(errors.map((f) => f.evidence['count'])).toEqual([2, 2, 2]);
    expect(errors.find((f) => f.plugin === 'big')!.message).toMatch(/plugin "big" failed in epoch:end: 10/);
    expect(errors.find((f) => f.plugin === 'sym')!.message).toMatch(/Symbol\(boom\)/);
  });
});

describe('ctx.options', () => {
  it('reads like the validated options and throws on any write, nested ones included, naming the plugin', async () => {
    const seen: unknown[] = [];
    const plugin = definePlugin({
      name: 'writer',
      schema: {
        type: 'object',
        properties: { every: { type: 'integer', default: 3 }, nested: { type: 'object', default: { a: 1 } } },
      },
      setup(ctx) {
        const o = ctx.options as { every: number; nested: { a: number } };
        seen.push(o.every, o.nested.a, JSON.stringify(o), Object.keys(o).sort().join());
        for (const write of [() => (o.every = 5), () => (o.nested.a = 2), () => delete (o as Partial<typeof o>).every])
          try {
            write();
            seen.push('written');
          } catch (e) {
            seen.push((e as Error).message);
          }
      },
    });
    const r = await runWith({ task: blobs, taskOptions: { n: 32 }, training: { epochs: 1 }, plugins: [{ plugin }] });
    expect(r.status).toBe('completed');
    expect(seen.slice(0, 4)).toEqual([3, 1, '{"every":3,"nested":{"a":1}}', 'every,nested']);
    expect(seen.slice(4)).toEqual([
      'writer: ctx.options.every is read-only (options are validated once, before setup)',
      'writer: ctx.options.nested.a is read-only (options are validated once, before setup)',
      'writer: ctx.options.every is read-only (options are validated once, before setup)',
    ]);
  });
});

describe('a listener that never settles', () => {
  it("is reported as that plugin's error after the listener timeout, and the run still ends with its summary", async () => {
    process.env['TRAINWATCH_LISTENER_TIMEOUT_MS'] = '300';
    try {
      const plugin = definePlugin({
        name: 'stuck',
        setup: (ctx) => void ctx.bus.on('epoch:end', () => new Promise(() => {})),
      });
      const r = await runWith({ task: blobs, taskOptions: { n: 32 }, training: { epochs: 1 }, plugins: [{ plugin }] });
      expect(r.status).toBe('completed');
      expect(r.findings.find((f) => f.code === 'plugin-error')?.message).toMatch(
        /stuck's "epoch:end" listener did not settle within 0\.3 s/,
      );
    } finally {
      delete process.env['TRAINWATCH_LISTENER_TIMEOUT_MS'];
    }
  });
});
