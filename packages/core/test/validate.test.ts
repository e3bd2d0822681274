import { ConfigError, validateOptions, Type, definePlugin } from '../src';
import { validateConfig } from '../src/runner';

describe('config validation', () => {
  it('applies defaults to a minimal config', () => {
    const { config, issues } = validateConfig({ task: { use: 'mnist-mlp' } });
    expect(issues).toEqual([]);
    expect(config.training).toMatchObject({
      epochs: 5,
      batchSize: 64,
      optimizer: 'adam',
      learningRate: 0.001,
      seed: 42,
      backend: 'auto',
      failFast: false,
    });
    expect(config.output).toEqual({ dir: 'runs', events: true, report: true, tensorboard: false });
    expect(config.plugins).toEqual([]);
  });

  it('lists every problem by JSON path, with did-you-mean for typos', () => {
    const { issues } = validateConfig({
      task: { use: 'mnist-mlp' },
      training: { epochs: 'five', batchSize: 0, optimzer: 'adam', backend: 'gpu' },
      plugins: [{ use: 'x', option: {} }, { options: {} }],
    });
    const lines = issues.map((i) => `${i.path}: ${i.message}`);
    expect(lines).toEqual(
      expect.arrayContaining([
        'training.epochs: must be integer (got "five")',
        'training.batchSize: must be >= 1',
        'training.optimzer: unknown key "optimzer" (did you mean "optimizer"?)',
        expect.stringMatching(/^training\.backend: must be one of "auto", "tensorflow", "wasm", "cpu" \(got "gpu"\)/),
        'plugins[0].option: unknown key "option" (did you mean "options"?)',
        'plugins[1].use: is required',
      ]),
    );
    expect(lines).toHaveLength(6);
  });

  it('validates plugin options with the plugin schema: defaults, bounds, unknown options', () => {
    const plugin = definePlugin({
      name: 'clipper',
      schema: Type.Object({
        maxNorm: Type.Number({ exclusiveMinimum: 0, default: 1 }),
        everyNSteps: Type.Integer({ minimum: 1, default: 10 }),
      }),
      setup() {},
    });
    expect(validateOptions(plugin.schema, undefined, 'plugins[0].options')).toEqual({
      options: { maxNorm: 1, everyNSteps: 10 },
      issues: [],
    });
    const { issues } = validateOptions(plugin.schema, { maxNorm: -1, everyNStep: 3 }, 'plugins[0].options');
    expect(issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'plugins[0].options.everyNStep: unknown option "everyNStep" (did you mean "everyNSteps"?)',
      'plugins[0].options.maxNorm: must be > 0',
    ]);
  });

  it('treats a plain JSON Schema without additionalProperties as closed', () => {
    const { issues } = validateOptions(
      { type: 'object', properties: { a: { type: 'number' } } },
      { b: 1 },
      'task.options',
    );
    expect(issues[0]).toEqual({ path: 'task.options.b', message: 'unknown option "b"; known: a' });
  });

  it('formats a ConfigError with every issue', () => {
    const e = new ConfigError([
      { path: 'a.b', message: 'must be > 0' },
      { path: 'c', message: 'is required' },
    ]);
    expect(e.code).toBe('invalid-config');
    expect(e.message).toBe('invalid config (2 problems):\n  a.b: must be > 0\n  c: is required');
  });
});
