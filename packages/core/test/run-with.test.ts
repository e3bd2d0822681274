import { ConfigError, definePlugin, Type } from '../src';
import { runWith } from '../src/testing';
import { blobs } from './helpers';

describe('runWith (a run from code, validated like a config)', () => {
  const plugin = definePlugin({
    name: 'counter',
    schema: Type.Object({ every: Type.Integer({ minimum: 1, default: 5 }) }, { additionalProperties: false }),
    setup: () => {},
  });

  it('runs a task with plugins, defaults applied', async () => {
    const r = await runWith({ task: blobs, taskOptions: { n: 64 }, training: { epochs: 1 }, plugins: [{ plugin }] });
    expect(r.status).toBe('completed');
    expect(r.summary.steps).toBe(1);
  });

  it('names every bad option by its path, and trains nothing', async () => {
    const p = runWith({ task: blobs, training: { epochs: 0 }, plugins: [{ plugin, options: { every: 0, evry: 3 } }] });
    await expect(p).rejects.toBeInstanceOf(ConfigError);
    const message = await p.catch((e: Error) => e.message);
    expect(message).toContain('training.epochs: must be >= 1');
    expect(message).toContain('plugins[0].options.every: must be >= 1');
    expect(message).toContain('plugins[0].options.evry: unknown option "evry" (did you mean "every"?)');
  });
});
