import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { colourEnabled } from '../src';
import { ROOT, tmpDir } from './helpers';

const BIN = path.join(ROOT, 'apps/runner/bin/trainwatch.js');
// In CI tmux is installed by .ci/run and this test must run; elsewhere it needs tmux.
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux && process.env['CI'] !== undefined) throw new Error('the terminal test needs tmux (.ci/run installs it)');
const describeTmux = hasTmux ? describe : describe.skip;

const COLUMNS = 100;

describeTmux('trainwatch run in a real terminal (tmux, 100 columns)', () => {
  const screens: string[] = [];
  let final = '';

  beforeAll(async () => {
    const dir = tmpDir();
    // A plugin that warns at step 3, early in the first epoch: the progress line must come back after it.
    fs.writeFileSync(
      path.join(dir, 'warn-at-3.js'),
      `module.exports = require(${JSON.stringify(path.join(ROOT, 'packages/core'))}).definePlugin({ name: 'warn-at-3',
        setup(ctx) { ctx.bus.on('batch:end', (e) => { if (e.step === 3) ctx.report({ code: 'test-warning', severity: 'warn', message: 'a warning at step 3' }); }); } });`,
    );
    fs.writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({
        task: { use: 'mnist-mlp', options: { limit: 4000, validationFraction: 0.2 } },
        training: { epochs: 5, batchSize: 32 },
        plugins: [
          { use: 'gradient-guard' },
          { use: 'activation-monitor' },
          { use: 'periodic-eval' },
          { use: 'qualitative-sampler' },
          { use: './warn-at-3.js' },
        ],
      }),
    );
    // A private tmux server, so a developer's own sessions are never touched.
    const socket = `tw-test-${process.pid}`;
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
    const env = { ...process.env };
    for (const k of ['TMUX', 'NO_COLOR', 'FORCE_COLOR']) delete env[k];
    const cmd = `cd ${JSON.stringify(dir)} && ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} run config.json --out run; echo EXIT=$?; sleep 120`;
    execFileSync('tmux', ['-L', socket, 'new-session', '-d', '-s', 'tw', '-x', String(COLUMNS), '-y', '50', cmd], {
      env,
    });
    try {
      const until = Date.now() + 120_000;
      while (Date.now() < until) {
        const screen = tmux('capture-pane', '-p', '-t', 'tw');
        screens.push(screen);
        if (/EXIT=\d+/.test(screen)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      // The whole scrollback, wrapped lines joined (-J): a line wider than the pane shows as one long line.
      final = tmux('capture-pane', '-p', '-J', '-S', '-', '-t', 'tw');
    } finally {
      spawnSync('tmux', ['-L', socket, 'kill-server']);
    }
  }, 150_000);

  const lines = () => final.split('\n').map((l) => l.replace(/\s+$/, ''));

  it('completes, and each epoch prints at most 3 lines at defaults (epoch, evaluation, changed samples)', () => {
    expect(final).toMatch(/EXIT=0/);
    const all = lines();
    const first = all.findIndex((l) => l.startsWith('epoch 1/5  '));
    const last = all.findIndex((l) => l.startsWith('epoch 5/5  '));
    expect(first).toBeGreaterThan(0);
    // Between the first and the fifth epoch line: 4 epochs of at most 3 lines each.
    expect(last - first).toBeLessThanOrEqual(12);
    expect(all.filter((l) => /^epoch \d\/5 {2}loss/.test(l))).toHaveLength(5);
  });

  it('the progress bar is drawn again after a finding', () => {
    const after = screens.find((s) => {
      const shown = s.split('\n').filter((l) => l.trim());
      return shown.some((l) => l.includes('test-warning')) && /^epoch 1\/5 \[[█░]+\] \d+\/100/.test(shown.at(-1) ?? '');
    });
    expect(after).toBeDefined();
  });

  it('every line fits the terminal; no digit drawn as text without --verbose', () => {
    const wide = lines().filter((l) => l.length > COLUMNS);
    expect(wide).toEqual([]);
    expect(lines().filter((l) => /^ {4}[ .:\-=+*#%@]{28}$/.test(l))).toEqual([]);
  });
});

describe('colour', () => {
  const tty = { isTTY: true } as unknown as NodeJS.WritableStream;
  const pipe = {} as NodeJS.WritableStream;
  it('on for a terminal, off for a pipe; NO_COLOR turns it off, FORCE_COLOR on', () => {
    expect(colourEnabled(tty, {})).toBe(true);
    expect(colourEnabled(pipe, {})).toBe(false);
    expect(colourEnabled(tty, { NO_COLOR: '1' })).toBe(false);
    expect(colourEnabled(pipe, { FORCE_COLOR: '1' })).toBe(true);
    expect(colourEnabled(tty, { FORCE_COLOR: '0' })).toBe(false);
  });
});
