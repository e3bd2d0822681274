import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { claimRunDir, validateConfig } from '../src/runner';

const { config } = validateConfig({ task: { use: 't' } });
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tw-rundir-'));

describe('claiming a run directory', () => {
  it("refuses a folder with the user's files in it (no run): nothing is written over", () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'config.json'), '{"mine": true}');
    expect(() => claimRunDir(dir, config)).toThrow(expect.objectContaining({ code: 'run-dir-exists' }));
    const other = tmp();
    fs.writeFileSync(path.join(other, 'notes.txt'), 'mine');
    fs.mkdirSync(path.join(other, 'gradient-guard'));
    expect(() => claimRunDir(other, config)).toThrow(
      expect.objectContaining({
        code: 'run-dir-not-empty',
        message: expect.stringMatching(/must be new or empty: nothing was written/),
      }),
    );
    expect(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).toBe('{"mine": true}');
    expect(fs.readdirSync(other).sort()).toEqual(['gradient-guard', 'notes.txt']);
  });

  it('takes a new or empty folder, and moves a default name on to -2 when taken', () => {
    const base = tmp();
    const empty = path.join(base, 'empty');
    fs.mkdirSync(empty);
    expect(claimRunDir(empty, config)).toBe(empty);
    expect(JSON.parse(fs.readFileSync(path.join(empty, 'config.json'), 'utf8')).task.use).toBe('t');
    const name = path.join(base, 'deep', 'er', 'run');
    expect(claimRunDir(name, config, { retry: true })).toBe(name);
    expect(claimRunDir(name, config, { retry: true })).toBe(`${name}-2`);
  });

  it('names what is wrong with a path it cannot use, without hanging', () => {
    const file = path.join(tmp(), 'a-file');
    fs.writeFileSync(file, 'x');
    expect(() => claimRunDir(path.join(file, 'run'), config)).toThrow(/a-file is a file, not a folder/);
    expect(() => claimRunDir(file, config)).toThrow(expect.objectContaining({ code: 'run-dir-invalid' }));
    expect(() => claimRunDir('/proc/trainwatch-x/run', config)).toThrow(
      /cannot make run directory \/proc\/trainwatch-x.*: ENOENT/,
    );
    expect(() => claimRunDir('/dev/null/run', config)).toThrow(/\/dev\/null is a file, not a folder/);
  });

  it('ten processes claiming one default name get ten directories', async () => {
    const base = tmp();
    const script = `const { claimRunDir, validateConfig } = require(${JSON.stringify(path.join(__dirname, '../dist/runner.js'))});
      const { config } = validateConfig({ task: { use: 't' } });
      process.stdout.write(claimRunDir(${JSON.stringify(path.join(base, 'run'))}, config, { retry: true }));`;
    const runs = await Promise.all(Array.from({ length: 10 }, () => promisify(execFile)('node', ['-e', script])));
    const dirs = runs.map((r) => r.stdout);
    expect(new Set(dirs).size).toBe(10);
    expect(fs.readdirSync(base)).toHaveLength(10);
  }, 60_000);
});
