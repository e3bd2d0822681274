import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

// Every bench, one short round (BENCH_SMOKE=1, no timing verdict): a bench that breaks (a reused
// run directory, a renamed option) fails here instead of rotting unseen.
const DIST = path.join(__dirname, '..', 'dist');

describe('every bench runs (smoke: one short round)', () => {
  it.each([
    ['loop-overhead', /trainwatch \+ events\.jsonl .* ms\/step .* x\d\.\d{3} \[95% /],
    ['plugin-overhead', /mnist-cnn, all at every step vs no plugins:\n\s+no plugins .*\n\s+steady.* x\d\.\d{3}/],
    ['fit-overhead', /fit vs CLI loop/],
    ['conv-gradient', /Conv2DBackpropFilter/],
    ['long-run', /tensors alive at steps .*\n.*steps\/s: first/],
  ])(
    '%s',
    (name, expected) => {
      const r = spawnSync(process.execPath, [path.join(DIST, `${name}.js`)], {
        env: { ...process.env, BENCH_SMOKE: '1' },
        encoding: 'utf8',
        timeout: 240_000,
      });
      expect(r.stderr).not.toMatch(/Error|run-dir-exists/);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(expected);
      expect(r.stdout).not.toMatch(/MEETS|MISSES/);
    },
    300_000,
  );
});
