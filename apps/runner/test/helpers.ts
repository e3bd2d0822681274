import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../src';

export const ROOT = path.resolve(__dirname, '../../..');

// The tests read plain text. nx sets FORCE_COLOR for the tasks it runs; NO_COLOR wins over it (and
// reaches the processes the tests start). The terminal test removes both to see a real terminal.
process.env['NO_COLOR'] = '1';

export function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tw-cli-'));
}

/** Runs the CLI in-process; returns exit code and what it printed. */
export async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    stdout: { write: (s: string) => out.push(s) } as unknown as NodeJS.WritableStream,
    stderr: { write: (s: string) => err.push(s) } as unknown as NodeJS.WritableStream,
  };
  const quiet = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const code = await main(['node', 'trainwatch', ...args], io);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    quiet.mockRestore();
  }
}

/** Writes a config (and optional extra files) into a fresh folder; returns the config path. */
export function writeConfig(config: unknown, files: Record<string, string> = {}): string {
  const dir = tmpDir();
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  const file = path.join(dir, 'config.json');
  fs.writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return file;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read run files for loose, shape-by-shape assertions
export function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

export const LOSS_SPIKE = path.join(ROOT, 'examples/custom-plugin/loss-spike.js');
