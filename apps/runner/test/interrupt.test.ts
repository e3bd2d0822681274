import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJson, ROOT, tmpDir, writeConfig } from './helpers';

const BIN = path.join(ROOT, 'apps/runner/bin/trainwatch.js');

/** Starts a long run of the built binary and resolves once `steps` batch:end lines were printed. */
function startRun(out: string, steps: number, files: Record<string, string> = {}) {
  const plugins = Object.keys(files).map((f) => ({ use: `./${f}` }));
  const file = writeConfig(
    { task: { use: 'mnist-mlp', options: { limit: 1000 } }, training: { epochs: 200 }, plugins },
    files,
  );
  const child = spawn(process.execPath, [BIN, 'run', file, '--out', out, '--json'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let seen = 0;
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`trainwatch exited early (${code}): ${stderr}`)));
    child.stdout.on('data', (d: Buffer) => {
      seen += d.toString().split('"event":"batch:end"').length - 1;
      if (seen >= steps) resolve();
    });
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, ready, exited, stderr: () => stderr };
}

describe('Ctrl-C', () => {
  it('first Ctrl-C finishes the step, writes every output, status stopped, exit 130', async () => {
    const out = path.join(tmpDir(), 'run');
    const run = startRun(out, 5);
    await run.ready;
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.stderr()).toMatch(/stopping after this step/);
    const summary = readJson(path.join(out, 'summary.json'));
    expect(summary).toMatchObject({ status: 'stopped', reason: 'interrupted by the user (Ctrl-C)' });
    const events = fs
      .readFileSync(path.join(out, 'events.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.at(-1)).toMatchObject({ event: 'run:end', status: 'stopped' });
    expect(events.filter((e) => e.event === 'batch:end')).toHaveLength(summary.steps);
    expect(summary.steps).toBeLessThan(200 * 13);
    // The report was written on the way out and says how the run ended.
    expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(
      /<span class="status stopped">stopped<\/span> <span class="reason">interrupted by the user/,
    );
  }, 60_000);

  it('a second Ctrl-C exits at once, even while the run is still finishing', async () => {
    // A plugin whose run:end work takes 30 s keeps the first, graceful stop busy.
    // A spawned process resolves modules from the plugin's folder (a temp dir): point at the core directly.
    const slow = `module.exports = require(${JSON.stringify(path.join(ROOT, 'packages/core'))}).definePlugin({ name: 'slow-end',
      setup(ctx) { ctx.bus.on('run:end', () => new Promise((r) => setTimeout(r, 30000))); } });`;
    const out = path.join(tmpDir(), 'run');
    const run = startRun(out, 3, { 'slow-end.js': slow });
    await run.ready;
    const t0 = Date.now();
    run.child.kill('SIGINT');
    while (!run.stderr().includes('stopping after this step')) await new Promise((r) => setTimeout(r, 20));
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(run.stderr()).toMatch(/SIGINT again: exiting now/);
  }, 60_000);
});

describe('SIGTERM (timeout, CI runners, docker stop)', () => {
  it('is treated like Ctrl-C: the step finishes, every output is written, status stopped, exit 143', async () => {
    const out = path.join(tmpDir(), 'run');
    const run = startRun(out, 5);
    await run.ready;
    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(143);
    expect(readJson(path.join(out, 'summary.json'))).toMatchObject({
      status: 'stopped',
      reason: 'terminated (SIGTERM)',
    });
    expect(fs.existsSync(path.join(out, 'report.html'))).toBe(true);
  }, 60_000);
});

describe('trainwatch report', () => {
  it('rebuilds the page of a run that was killed (no run:end, no summary) and says it did not finish', async () => {
    const out = path.join(tmpDir(), 'run');
    const run = startRun(out, 5);
    await run.ready;
    run.child.kill('SIGKILL');
    await run.exited;
    expect(fs.existsSync(path.join(out, 'summary.json'))).toBe(false);
    const r = spawnSync(process.execPath, [BIN, 'report', out], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/report: .*report\.html/);
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('id="not-finished"');
    expect(html).toMatch(/This run did not finish/);
  }, 60_000);

  it('refuses a folder that is not a run directory (exit 2)', () => {
    const r = spawnSync(process.execPath, [BIN, 'report', tmpDir()], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/does not look like a run directory/);
  });
});

describe('signals that must get through', () => {
  it('a second Ctrl-C exits at once while an evaluation is running', async () => {
    // A plugin that evaluates for a long time at run:begin (as an end-of-epoch evaluation does).
    const evaluating = `const core = require(${JSON.stringify(path.join(ROOT, 'packages/core'))});
module.exports = core.definePlugin({ name: 'long-eval', setup(ctx) {
  ctx.bus.on('batch:end', async (e) => { if (e.step !== 2) return; process.stderr.write('evaluating\\n');
    for (let i = 0; i < 5000; i++) await core.quickEvaluate(ctx.model, ctx.task.validation, ctx.task.loss); });
} });`;
    const out = path.join(tmpDir(), 'run');
    const run = startRun(out, 3, { 'long-eval.js': evaluating });
    await run.ready;
    while (!run.stderr().includes('evaluating')) await new Promise((r) => setTimeout(r, 20));
    run.child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(run.stderr()).toMatch(/SIGINT again: exiting now/);
  }, 60_000);

  it('when the wrapper that started it is killed, the run stops like SIGTERM instead of training on', async () => {
    const config = writeConfig({ task: { use: 'mnist-mlp', options: { limit: 1000 } }, training: { epochs: 200 } });
    const out = path.join(tmpDir(), 'run');
    const wrapper = spawn(
      process.execPath,
      [
        '-e',
        `const c = require('child_process').spawn(process.execPath, ${JSON.stringify([BIN, 'run', config, '--out', out, '--quiet'])}, { stdio: 'ignore' }); process.stdout.write(String(c.pid) + '\\n'); setInterval(() => {}, 1000);`,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    // The child's pid: the first line of digits the wrapper prints (written plainly: under nx,
    // FORCE_COLOR makes console.log colour a number).
    let printed = '';
    let childPid: number | undefined;
    try {
      const pid = await new Promise<number>((resolve) =>
        wrapper.stdout.on('data', (d: Buffer) => {
          printed += d.toString();
          const m = /^(\d+)$/m.exec(printed);
          if (m) resolve((childPid = Number(m[1])));
        }),
      );
      // Training has begun (a step is on disk) before the wrapper goes away.
      const events = path.join(out, 'events.jsonl');
      const started = Date.now() + 30_000;
      while (
        !(fs.existsSync(events) && fs.readFileSync(events, 'utf8').includes('"event":"batch:end"')) &&
        Date.now() < started
      )
        await new Promise((r) => setTimeout(r, 50));
      wrapper.kill('SIGKILL');
      // The orphan notices within a second, finishes its step and writes every output.
      const summary = path.join(out, 'summary.json');
      const deadline = Date.now() + 30_000;
      while (!fs.existsSync(summary) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(readJson(summary)).toMatchObject({ status: 'stopped', reason: 'terminated (SIGTERM)' });
      // Gone, or a zombie waiting for an init that may never reap it: either way it stopped running.
      const gone = () => {
        try {
          process.kill(pid, 0);
        } catch {
          return true;
        }
        const stat = fs.existsSync(`/proc/${pid}/stat`) ? fs.readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
        return / Z /.test(stat);
      };
      while (!gone() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(gone()).toBe(true);
    } finally {
      // Never leave the wrapper (or the run) behind: a hung test would keep jest from exiting.
      wrapper.kill('SIGKILL');
      if (childPid !== undefined) {
        try {
          process.kill(childPid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }, 60_000);
});

describe('SIGKILL at any moment', () => {
  const ending = `module.exports = require(${JSON.stringify(path.join(ROOT, 'packages/core'))}).definePlugin({ name: 'slow-end',
    setup(ctx) { ctx.bus.on('run:end', () => { process.stderr.write('ending\\n'); return new Promise((r) => setTimeout(r, 30000)); }); } });`;

  it.each([
    ['after the first step', 1, false],
    ['a few steps in', 4, false],
    ['mid-epoch', 12, false],
    ['after an epoch end', 16, false],
    ['while the run is ending', 3, true],
  ])(
    '%s: the files stay readable and `trainwatch report` rebuilds the run',
    async (_when, steps, atEnd) => {
      const out = path.join(tmpDir(), 'run');
      const run = atEnd ? startRun(out, steps, { 'slow-end.js': ending }) : startRun(out, steps);
      await run.ready;
      if (atEnd) {
        run.child.kill('SIGINT'); // a graceful stop reaches run:end, where the plugin lingers
        while (!run.stderr().includes('ending')) await new Promise((r) => setTimeout(r, 20));
      }
      run.child.kill('SIGKILL');
      await run.exited;
      const lines = fs.readFileSync(path.join(out, 'events.jsonl'), 'utf8').split('\n').filter(Boolean);
      expect(() => lines.slice(0, -1).forEach((l) => JSON.parse(l))).not.toThrow();
      expect(Array.isArray(readJson(path.join(out, 'findings.json')))).toBe(true);
      expect(fs.readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      const r = spawnSync(process.execPath, [BIN, 'report', out], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(fs.readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(/trainwatch report/);
    },
    60_000,
  );
});
