import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, LOSS_SPIKE, ROOT, tmpDir } from './helpers';

// Generated configs, seeded: every kind of wrong value at every level, through `validate` (and a
// sample through `run --max-steps 2`): never a stack trace, never a hang, exit 2 for every invalid
// config, and every problem on a line of its own that starts with the path it is about.
const CORE = JSON.stringify(path.join(ROOT, 'packages/core'));
const BAD_FILES: Record<string, string> = {
  'throws.js': "throw new Error('broken at load');",
  'nothing.js': 'module.exports = 42;',
  'bad-schema.js': `module.exports = require(${CORE}).definePlugin({ name: 'bad-schema', schema: { type: 'object', properties: { a: { type: 'integr' } } }, setup() {} });`,
  'exits.js': 'process.exit(3);',
  'syntax.js': 'module.exports = {',
  'task-throws.js': "throw new TypeError('task broken');",
};

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WEIRD: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  -0,
  0.5,
  1e308,
  2 ** 53 + 1,
  '',
  ' ',
  'NaN',
  'Infinity',
  '1e400',
  'ten',
  'gradient-gaurd',
  '../../etc/passwd',
  '\u0000',
  '日本語',
  '😀'.repeat(50),
  'x'.repeat(5000),
  [],
  [1, 'a', null],
  {},
  { a: { b: { c: { d: {} } } } },
  { use: 'gradient-guard' },
  { __proto__: { polluted: true } },
  { constructor: { prototype: {} } },
];
const KEYS = [
  'task',
  'training',
  'plugins',
  'output',
  'use',
  'options',
  'epochs',
  'batchSize',
  'learningRate',
  'optimizer',
  'seed',
  'backend',
  'validation',
  'split',
  'maxSteps',
  'failFast',
  'shuffle',
  'enabled',
  'order',
  'dir',
  'name',
  'events',
  'report',
  'tensorboard',
  'every',
  'evry',
  '$schema',
  '__proto__',
  'constructor',
  '',
];

const base = () => ({
  task: { use: 'mnist-mlp', options: { limit: 200 } },
  training: { epochs: 1, batchSize: 32, learningRate: 0.001 },
  plugins: [{ use: 'gradient-guard' }, { use: LOSS_SPIKE, options: { factor: 3 } }],
  output: { events: true },
});

/** One mutated config, as JSON text (some with literals JSON.stringify cannot write). */
function mutate(r: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const c = base() as Record<string, unknown>;
  const n = 1 + Math.floor(r() * 3);
  let text: string | undefined;
  for (let i = 0; i < n; i++) {
    const kind = r();
    // Pick a container inside the config and change one of its keys.
    const containers: Record<string, unknown>[] = [c];
    const walk = (v: unknown, depth: number) => {
      if (depth > 4 || !v || typeof v !== 'object') return;
      containers.push(v as Record<string, unknown>);
      for (const x of Object.values(v)) walk(x, depth + 1);
    };
    walk(c, 0);
    const target = pick(containers);
    const key = Array.isArray(target) ? String(Math.floor(r() * 3)) : pick([...Object.keys(target), ...KEYS]);
    if (kind < 0.6) target[key] = pick(WEIRD);
    else if (kind < 0.75) delete target[key];
    else if (kind < 0.9) {
      const plugins = Array.isArray(c['plugins']) ? (c['plugins'] as unknown[]) : [];
      plugins.push({ use: `./${pick(Object.keys(BAD_FILES))}`, options: pick(WEIRD) });
      c['plugins'] = plugins;
    } else c['task'] = { use: `./${pick(['task-throws.js', 'nothing.js', 'missing.js'])}` };
  }
  text ??= JSON.stringify(c);
  if (r() < 0.05) text = text.replace(/"epochs":\d+/, '"epochs":1e400');
  if (r() < 0.03) text = `\uFEFF${text}`;
  if (r() < 0.03) text = text.slice(0, Math.floor(text.length * r()));
  return text;
}

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('generated configs', () => {
  const dir = tmpDir();
  for (const [name, text] of Object.entries(BAD_FILES)) fs.writeFileSync(path.join(dir, name), text);
  const r = rng(20261201);
  const configs = Array.from({ length: 320 }, () => mutate(r));
  const validCodes: number[] = [];

  it('validate: exit 0 or 2, never a stack trace; every problem line names its path', async () => {
    const codes = new Map<number, number>();
    validCodes.length = 0;
    for (const [i, text] of configs.entries()) {
      const file = path.join(dir, `c${i}.json`);
      fs.writeFileSync(file, text);
      const res = await cli('validate', file);
      codes.set(res.code, (codes.get(res.code) ?? 0) + 1);
      validCodes.push(res.code);
      noStack(res.stderr);
      expect([0, 2]).toContain(res.code);
      if (res.code === 2) {
        const lines = res.stderr.split('\n').filter((l) => l.startsWith('  '));
        expect(lines.length).toBeGreaterThan(0);
        // "path: message", or (for a file that is not a config object at all) the message alone.
        for (const l of lines) expect(l).toMatch(/^ {2}(\S[^:]*: .+|\S.*(JSON|must be object).*)$/);
        expect(res.stderr).toMatch(/Nothing was trained/);
      }
    }
    process.stdout.write(`fuzz: ${configs.length} configs, exit codes ${JSON.stringify(Object.fromEntries(codes))}\n`);
    expect(codes.get(2)).toBeGreaterThan(250);
  }, 300_000);

  it('run --max-steps 2 on a sample: exit 0, 1 or 2 with a message, never a stack trace or a hang', async () => {
    // The valid ones train; a few invalid ones must still be refused by run as by validate.
    const valid = configs.filter(
      (_t, i) => fs.readFileSync(path.join(dir, `c${i}.json`), 'utf8') && validCodes[i] === 0,
    );
    const sample = [...valid.slice(0, 8), ...configs.filter((_t, i) => validCodes[i] === 2).slice(0, 10)];
    expect(valid.length).toBeGreaterThan(3);
    for (const [i, text] of sample.entries()) {
      const file = path.join(dir, `r${i}.json`);
      fs.writeFileSync(file, text);
      const res = await cli('run', file, '--max-steps', '2', '--out', path.join(dir, `run-${i}`), '--quiet');
      noStack(res.stderr);
      expect(res.code).toBe(validCodes[configs.indexOf(text)] === 2 ? 2 : 0);
    }
  }, 300_000);
});
