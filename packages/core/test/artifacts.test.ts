import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { definePlugin } from '../src';
import { createArtifactWriter } from '../src/run/artifacts';
import { runWith } from '../src/testing';
import { blobs } from './helpers';

describe("ctx.artifacts: a plugin's files, never the run's own", () => {
  it("refuses the core's records, the folder itself and links out, as that plugin's error; the run's files survive", async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-outside-'));
    const attempts: [string, () => unknown][] = [];
    const plugin = definePlugin({
      name: 'vandal',
      setup(ctx) {
        const a = ctx.artifacts;
        fs.symlinkSync(outside, path.join(a.dir, 'escape'));
        attempts.push(
          ['events.jsonl', () => a.write('events.jsonl', '')],
          ['summary.json', () => a.writeJson('summary.json', {})],
          ['findings.json', () => a.appendLine('findings.json', 'x')],
          ['config.json', () => a.write('./config.json', '{}')],
          ['sub/../report.html', () => a.write('sub/../report.html', '')],
          ['empty path', () => a.write('', 'x')],
          ['dot', () => a.write('.', 'x')],
          ['link out', () => a.write('escape/stolen.txt', 'x')],
        );
        ctx.bus.on('run:end', () => {
          for (const [, attempt] of attempts) attempt();
        });
        // Its own files are fine.
        a.write('vandal/notes.txt', 'mine');
      },
    });
    const r = await runWith({ task: blobs, taskOptions: { n: 64 }, training: { epochs: 1 }, plugins: [{ plugin }] });
    expect(r.status).toBe('completed');
    const errors = r.findings.filter((f) => f.code === 'plugin-error');
    expect(errors).toHaveLength(1); // the first refusal ends that listener call
    expect(errors[0]!.message).toMatch(/vandal: artifact path "events\.jsonl" is one of the run's own records/);
    // Each refusal on its own, named.
    const messages = attempts.map(([, attempt]) => {
      try {
        attempt();
        return 'written';
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(messages.every((m) => m.startsWith('vandal: artifact path'))).toBe(true);
    expect(messages[5]).toMatch(/names the run directory itself/);
    expect(messages[7]).toMatch(/leads out of the run directory through a link/);
    const events = fs.readFileSync(path.join(r.runDir, 'events.jsonl'), 'utf8');
    expect(events).toMatch(/"event":"run:begin"/);
    expect(JSON.parse(fs.readFileSync(path.join(r.runDir, 'summary.json'), 'utf8')).status).toBe('completed');
    expect(fs.readdirSync(outside)).toEqual([]);
    expect(fs.readdirSync(path.dirname(r.runDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(fs.readFileSync(path.join(r.runDir, 'vandal/notes.txt'), 'utf8')).toBe('mine');
  });
});

describe('appendLine keeps its file open', () => {
  it('every line is on disk as soon as it is appended; an atomic write of the file is not lost to the open descriptor', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-append-'));
    const w = createArtifactWriter(dir, 'p');
    const file = path.join(dir, 'p', 'lines.jsonl');
    w.appendLine('p/lines.jsonl', '1');
    w.appendLine('p/./lines.jsonl', '2');
    expect(fs.readFileSync(file, 'utf8')).toBe('1\n2\n'); // readable mid-run, nothing buffered
    w.write('p/lines.jsonl', 'fresh\n');
    w.appendLine('p/lines.jsonl', '3');
    expect(fs.readFileSync(file, 'utf8')).toBe('fresh\n3\n');
    w.close();
    w.appendLine('p/lines.jsonl', '4'); // after close: reopened
    w.close();
    expect(fs.readFileSync(file, 'utf8')).toBe('fresh\n3\n4\n');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a link made after the first line does not redirect the lines out of the run folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-append-'));
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-outside-'));
    const w = createArtifactWriter(dir, 'p');
    w.appendLine('p/x.jsonl', 'a');
    fs.rmSync(path.join(dir, 'p'), { recursive: true });
    fs.symlinkSync(outside, path.join(dir, 'p'));
    w.appendLine('p/x.jsonl', 'b');
    w.close();
    expect(fs.existsSync(path.join(outside, 'x.jsonl'))).toBe(false);
    expect(() => w.appendLine('p/x.jsonl', 'c')).toThrow(/leads out of the run directory/);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });
});
