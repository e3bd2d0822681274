import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, tmpDir } from './helpers';

describe('trainwatch run --out', () => {
  it("refuses the folder holding the user's config (exit 2) and leaves the config as it was", async () => {
    const dir = tmpDir();
    const config = JSON.stringify({ task: { use: 'mnist-mlp', options: { limit: 200 } }, training: { epochs: 1 } });
    fs.writeFileSync(path.join(dir, 'config.json'), config);
    const r = await cli('run', path.join(dir, 'config.json'), '--out', dir, '--quiet');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/already holds a run \(config\.json\).*nothing was overwritten/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).toBe(config);
    expect(fs.readdirSync(dir)).toEqual(['config.json']);
  });

  it('a path under a file: exit 2, one line naming it', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ task: { use: 'mnist-mlp' } }));
    fs.writeFileSync(path.join(dir, 'file'), 'x');
    const r = await cli('run', path.join(dir, 'config.json'), '--out', path.join(dir, 'file', 'run'), '--quiet');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/file is a file, not a folder/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a config that starts with a byte-order mark (as Windows editors write) is read', async () => {
    const dir = tmpDir();
    fs.writeFileSync(
      path.join(dir, 'config.json'),
      `\uFEFF${JSON.stringify({ task: { use: 'mnist-mlp', options: { limit: 200 } } })}`,
    );
    const r = await cli('validate', path.join(dir, 'config.json'));
    expect([r.code, r.stderr]).toEqual([0, '']);
  });
});

describe('an options value that is not an object', () => {
  it('is said once, at its path', async () => {
    const dir = tmpDir();
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        task: { use: 'mnist-mlp', options: null },
        plugins: [{ use: 'gradient-guard', options: null }],
      }),
    );
    const r = await cli('validate', file);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n').filter((l) => l.includes('plugins[0].options'))).toHaveLength(1);
    expect(r.stderr.split('\n').filter((l) => l.includes('task.options'))).toHaveLength(1);
  });
});
