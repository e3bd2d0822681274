import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT, tmpDir, writeConfig } from './helpers';

const BIN = path.join(ROOT, 'apps/runner/bin/trainwatch.js');
const CORE = JSON.stringify(path.join(ROOT, 'packages/core'));
const small = { use: 'mnist-mlp', options: { limit: 200 } };

/** Runs the built CLI on a config with one local plugin file; a hang fails by the spawn timeout. */
function cliWith(file: string, source: string, args: string[], env: Record<string, string> = {}) {
  const config = writeConfig(
    { task: small, training: { epochs: 1, maxSteps: 2 }, plugins: [{ use: `./${file}` }] },
    { [file]: source },
  );
  const r = spawnSync(process.execPath, [BIN, ...args, config], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  });
  return { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

describe('plugin files that misbehave while loading or leave work behind', () => {
  it('process.exit at load: validate says so (exit 2), not a silent exit 0', () => {
    const r = cliWith('exits.js', 'process.exit(0);', ['validate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/plugins\[0\]\.use: "exits\.js" called process\.exit\(0\) while loading/);
  });

  it('a top-level await that never settles: a bounded load error naming the file', () => {
    const r = cliWith(
      'hangs.mjs',
      'await new Promise(() => setInterval(() => {}, 1000));\nexport default {};',
      ['validate'],
      { TRAINWATCH_LOAD_TIMEOUT_MS: '500' },
    );
    expect(r.signal).toBeNull();
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"hangs\.mjs" did not finish loading within 0\.5 s/);
  });

  it('a timer left running at load and in setup: run prints its summary and the process ends', () => {
    const source = `setInterval(() => {}, 1000);
module.exports = require(${CORE}).definePlugin({ name: 'ticker', setup() { setInterval(() => {}, 1000); } });`;
    const r = cliWith('ticker.js', source, ['run', '--quiet', '--out', path.join(tmpDir(), 'run')]);
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/completed: max steps \(2\) reached/);
  });
});

describe('validate sets everything up without training', () => {
  it('a plugin listening to an unknown event is caught by validate (exit 2, named by path), and no run directory is left', () => {
    const source = `module.exports = require(${CORE}).definePlugin({ name: 'typo', setup(ctx) { ctx.bus.on('batch:ended', () => {}); } });`;
    const r = cliWith('typo.js', source, ['validate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/plugins\[0\]: plugin "typo" failed in setup: unknown event "batch:ended"/);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  });

  it('a healthy config still validates', () => {
    const source = `module.exports = require(${CORE}).definePlugin({ name: 'fine', setup(ctx) { ctx.bus.on('batch:end', () => {}); } });`;
    const r = cliWith('fine.js', source, ['validate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/OK \(task mnist-mlp, plugins: fine\)/);
  });
});
