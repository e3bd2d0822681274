import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, readJson, ROOT, tmpDir, writeConfig } from './helpers';

const PYTHON = process.env['TRAINWATCH_PYTHON'] ?? (fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;
if (!hasTorch && process.env['CI'] !== undefined)
  throw new Error(`the export test needs python3-torch (${PYTHON} cannot import torch)`);
const withTorch = hasTorch ? it : it.skip;

// A local task in a temp dir cannot resolve @trainwatch/* by name: point at the package folders.
const CORE = JSON.stringify(path.join(ROOT, 'packages/core'));
const TASKS = JSON.stringify(path.join(ROOT, 'packages/tasks'));

describe('trainwatch doctor', () => {
  it('healthy mnist-mlp: every check ok, exit 0, findings and report written', async () => {
    const out = path.join(tmpDir(), 'doctor');
    const file = writeConfig({ task: { use: 'mnist-mlp', options: { limit: 2000 } } });
    const r = await cli('doctor', file, '--out', out, '--quiet');
    expect(r.code).toBe(0);
    for (const check of [
      'initial loss',
      'gradient check',
      'overfit tiny set',
      'input-independent baseline',
      'simpler network',
    ])
      expect(r.stdout).toMatch(new RegExp(`${check} +ok `));
    expect(r.stdout).toMatch(/healthy: no error finding/);
    const findings = readJson(path.join(out, 'findings.json')) as { severity: string }[];
    expect(findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(fs.existsSync(path.join(out, 'report.html'))).toBe(true);
  }, 120_000);

  it('a loss wired to a constant: the tiny-set check fails, exit 3', async () => {
    const task = `const { defineTask, tf } = require(${CORE}); const { mnistMlp } = require(${TASKS});
      module.exports = defineTask({ name: 'loss-bug', async create(o, ctx) {
        const base = await mnistMlp.create({ validationFraction: 0.2, limit: 1000, hidden: [32], activation: 'relu' }, ctx);
        // The bug: the loss compares the output with class 0 instead of the labels.
        base.loss = (y, p) => tf.tidy(() => tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(tf.zeros([p.shape[0]], 'int32'), 10), tf.log(tf.clipByValue(p, 1e-7, 1))), -1))));
        return base;
      } });`;
    const file = writeConfig({ task: { use: './loss-bug.js' } }, { 'loss-bug.js': task });
    const r = await cli('doctor', file, '--out', path.join(tmpDir(), 'doctor'), '--quiet');
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/overfit tiny set +FAIL .*cannot-overfit-tiny-set/);
  }, 120_000);
});

describe('trainwatch doctor on tasks it used to fail', () => {
  it('a game task (catch, no held-out set): no plugin-error, skipped checks say so, exit 0', async () => {
    const out = path.join(tmpDir(), 'doctor');
    const r = await cli('doctor', path.join(ROOT, 'examples/catch.json'), '--out', out, '--quiet');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/diagnosis: no problem found/);
    expect(r.stdout).toMatch(/overfit tiny set +skipped /);
    const findings = readJson(path.join(out, 'findings.json')) as { code: string }[];
    expect(findings.map((f) => f.code)).not.toContain('plugin-error');
  }, 120_000);

  it('a model with no trainable weights: the failure is printed and named, exit 1', async () => {
    const task = `const { defineTask } = require(${CORE}); const { mnistMlp } = require(${TASKS});
      module.exports = defineTask({ name: 'frozen', async create(o, ctx) {
        const base = await mnistMlp.create({ validationFraction: 0.2, limit: 200, hidden: [8], activation: 'relu' }, ctx);
        for (const l of base.model.layers) l.trainable = false;
        return base;
      } });`;
    const file = writeConfig({ task: { use: './frozen.js' } }, { 'frozen.js': task });
    const r = await cli('doctor', file, '--out', path.join(tmpDir(), 'doctor'), '--quiet');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/1\. error no-trainable-weights/);
    expect(r.stdout).toMatch(/the doctor's run failed: .*no trainable weights/);
  }, 120_000);
});

describe('trainwatch doctor: learning-rate range test', () => {
  it('a far too high learning rate is named first, with the suggested range', async () => {
    const file = writeConfig({
      task: { use: 'mnist-mlp', options: { limit: 500, hidden: [32] } },
      training: { learningRate: 0.5 },
    });
    const r = await cli('doctor', file, '--out', path.join(tmpDir(), 'doctor'), '--quiet');
    expect(r.stdout).toMatch(/diagnosis: .*\n {2}1\. warn learning-rate-too-high/);
    expect(r.stdout).toMatch(
      /learning-rate range +warn .*learning-rate-above-range: .*suggested \de-\d\.\.\de-\d; configured 0\.5/,
    );
  }, 120_000);
});

describe('trainwatch run --fail-on', () => {
  it('prints the diagnosis first and exits 4 when a warn cause stands; 0 without the flag', async () => {
    const config = {
      task: { use: 'mnist-mlp', options: { limit: 500, hidden: [16] } },
      training: { epochs: 1, batchSize: 32, learningRate: 0.5 },
      plugins: [{ use: 'gradient-guard' }, { use: 'periodic-eval' }],
    };
    const failing = await cli(
      'run',
      writeConfig(config),
      '--out',
      path.join(tmpDir(), 'a'),
      '--quiet',
      '--fail-on',
      'warn',
    );
    expect(failing.code).toBe(4);
    expect(failing.stdout).toMatch(/diagnosis: 1 root cause\n {2}1\. warn learning-rate-too-high/);
    const plain = await cli('run', writeConfig(config), '--out', path.join(tmpDir(), 'b'), '--quiet');
    expect(plain.code).toBe(0);
    const bad = await cli('run', writeConfig(config), '--fail-on', 'often');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--fail-on must be warn or error/);
  }, 120_000);
});

describe('trainwatch export + torch_dump.py + reference-check', () => {
  withTorch(
    'the documented workflow: export, dump with PyTorch, then a run whose reference-check passes',
    async () => {
      const dir = tmpDir();
      const base = {
        task: { use: 'mnist-cnn', options: { limit: 300, filters: [4, 8] } },
        training: { epochs: 1, maxSteps: 2 },
      };
      const exported = await cli('export', writeConfig(base), '--out', dir);
      expect(exported.code).toBe(0);
      expect(exported.stdout).toMatch(/next: python3 tools\/reference\/torch_dump\.py/);
      const dump = path.join(dir, 'reference-dump.json');
      const py = spawnSync(
        PYTHON,
        [path.join(ROOT, 'tools/reference/torch_dump.py'), path.join(dir, 'reference-input.json'), dump],
        { encoding: 'utf8' },
      );
      expect(py.status).toBe(0);
      const out = path.join(tmpDir(), 'run');
      const r = await cli(
        'run',
        writeConfig({ ...base, plugins: [{ use: 'reference-check', options: { reference: 'dump', file: dump } }] }),
        '--out',
        out,
        '--quiet',
      );
      expect(r.code).toBe(0);
      const findings = readJson(path.join(out, 'findings.json')) as { code: string; message: string }[];
      expect(findings.map((f) => f.code)).toContain('reference-check-passed');
      expect(findings.find((f) => f.code === 'reference-check-passed')!.message).toMatch(/matches the dump/);
    },
    120_000,
  );
});
