import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJson, ROOT, tmpDir } from './helpers';

/**
 * The README's main job, exactly as a newcomer runs it: the built `trainwatch` binary on
 * examples/mnist.json (a CNN on the real MNIST digits, the example plugin loaded by path).
 */
describe('main job: trainwatch run examples/mnist.json', () => {
  it('trains mnist-cnn on wasm to at least 90% validation accuracy and writes the run directory', () => {
    const out = path.join(tmpDir(), 'run');
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, 'apps/runner/bin/trainwatch.js'), 'run', 'examples/mnist.json', '--out', out],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 170_000,
        // The test file's environment (NO_COLOR from the helpers), not the worker's.
        env: { ...process.env },
      },
    );
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /trainwatch: mnist-cnn on wasm · 8000 train \/ 2000 validation examples\n {2}plugins: gradient-guard, activation-monitor, periodic-eval, qualitative-sampler, loss-spike\n/,
    );
    expect(r.stdout.match(/^epoch \d\/5 {2}loss/gm)).toHaveLength(5);
    const summary = readJson(path.join(out, 'summary.json'));
    expect(summary).toMatchObject({
      status: 'completed',
      steps: 625,
      epochs: 5,
      backend: { name: 'wasm', wasm: { simd: true } },
    });
    expect(summary.final.val_acc).toBeGreaterThanOrEqual(0.9);
    expect(summary.backend.kernels.filled).toEqual(['Conv2DBackpropFilter']);
    const findings = readJson(path.join(out, 'findings.json')) as { code: string; severity: string }[];
    expect(findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(findings.map((f) => f.code)).toEqual(
      expect.arrayContaining(['gradient-check-passed', 'eval-summary', 'loss-spike-summary']),
    );
    expect(fs.existsSync(path.join(out, 'qualitative-sampler', 'samples.jsonl'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'activation-monitor', 'stats.jsonl'))).toBe(true);
    expect(fs.statSync(path.join(out, 'report.html')).size).toBeGreaterThan(50_000);
    expect(r.stdout).toMatch(/info: gradient-check-passed, .*loss-spike-summary/);
    expect(r.stdout).toMatch(/report: .*report\.html/);
    const events = fs.readFileSync(path.join(out, 'events.jsonl'), 'utf8').trim().split('\n');
    expect(events.filter((l) => l.includes('"event":"batch:end"'))).toHaveLength(625);
  }, 180_000);
});

describe('the game example: trainwatch run examples/catch.json', () => {
  it('learns to catch (periodic-eval plays the game on a schedule) with no warning', () => {
    const out = path.join(tmpDir(), 'run');
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, 'apps/runner/bin/trainwatch.js'), 'run', 'examples/catch.json', '--out', out, '--quiet'],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(r.status).toBe(0);
    const evals = fs
      .readFileSync(path.join(out, 'periodic-eval', 'evals.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(evals[0].trigger).toEqual(['baseline']);
    expect(evals.at(-1).metrics.catchRate).toBeGreaterThanOrEqual(0.9);
    const findings = readJson(path.join(out, 'findings.json')) as { severity: string }[];
    expect(findings.filter((f) => f.severity !== 'info')).toEqual([]);
  }, 60_000);
});
