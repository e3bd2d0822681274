import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, tmpDir, writeConfig } from './helpers';

// A real full disk: a 128 KB tmpfs, smaller than what the run below writes mid-run (events.jsonl
// 120 KB + series.jsonl 52 KB); needs root, as CI runs; skipped where mount is not allowed.
function smallDisk(): string | undefined {
  const dir = tmpDir();
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=128k', 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    return undefined;
  }
}

const disk = smallDisk();
const describeDisk = disk ? describe : describe.skip;
if (!disk) console.warn('skipping the full-disk test: cannot mount a tmpfs here');
afterAll(() => {
  if (disk) execFileSync('umount', [disk], { stdio: 'ignore' });
});

describeDisk('a full disk', () => {
  it('ends the run as failed with one clear line, keeps what was written and leaves no temp files', async () => {
    const config = writeConfig({
      task: { use: 'mnist-mlp', options: { limit: 1000 } },
      training: { epochs: 50 },
      plugins: [{ use: 'gradient-guard' }],
    });
    const out = path.join(disk!, 'run');
    const r = await cli('run', config, '--out', out, '--quiet');
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(
      /failed: cannot write (events\.jsonl|findings\.json|series\.jsonl|summary\.json)/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    const files = fs.readdirSync(out, { recursive: true }) as string[];
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // What was written is readable line by line (the last line may be cut off).
    const lines = fs.readFileSync(path.join(out, 'events.jsonl'), 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(10);
    expect(() => lines.slice(0, -1).forEach((l) => JSON.parse(l))).not.toThrow();
  }, 120_000);

  it('a read-only folder: exit 2, one line naming it', async () => {
    const ro = tmpDir();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', ro], { stdio: 'ignore' });
    try {
      const config = writeConfig({ task: { use: 'mnist-mlp', options: { limit: 200 } } });
      const r = await cli('run', config, '--out', path.join(ro, 'run'), '--quiet');
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/cannot make run directory .*run: EROFS/);
      expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
    } finally {
      execFileSync('umount', [ro], { stdio: 'ignore' });
    }
  });
});
