import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { definePlugin } from '../src';
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
