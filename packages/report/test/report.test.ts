import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  buildReportHtml,
  downsample,
  headlineMetrics,
  maskedCrc32c,
  readRun,
  TensorboardLive,
  writeReport,
  writeTensorboard,
} from '../src';
import { decodeEvents } from './tfevents';

function fakeRun(opts: { steps?: number; finished?: boolean; sampleText?: string } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-report-'));
  const n = opts.steps ?? 50;
  const lines = [JSON.stringify({ event: 'run:begin', runId: 'fake', task: 't', backend: 'wasm' })];
  for (let i = 0; i < n; i++)
    lines.push(
      JSON.stringify({
        event: 'batch:end',
        step: i,
        epoch: 0,
        loss: i === Math.floor(n / 2) ? 50 : 2 / (1 + i),
        metrics: { acc: i / n },
      }),
    );
  if (opts.finished !== false)
    lines.push(
      JSON.stringify({
        event: 'run:end',
        status: 'completed',
        reason: 'done',
        step: n,
        epoch: 1,
        wallMs: 1234,
        final: { loss: 0.1 },
      }),
    );
  fs.writeFileSync(path.join(dir, 'events.jsonl'), `${lines.join('\n')}\n`);
  fs.writeFileSync(
    path.join(dir, 'findings.json'),
    JSON.stringify([
      {
        code: 'dead-units',
        severity: 'warn',
        plugin: 'activation-monitor',
        step: 3,
        epoch: 0,
        layer: 'h1',
        message: 'dead <b>units</b>',
        evidence: { share: 1 },
      },
    ]),
  );
  fs.mkdirSync(path.join(dir, 'qualitative-sampler'));
  fs.writeFileSync(
    path.join(dir, 'qualitative-sampler', 'samples.jsonl'),
    `${JSON.stringify({ step: 0, epoch: 0, id: 1, label: 'a', prediction: opts.sampleText ?? 'b', correct: false })}\n`,
  );
  fs.mkdirSync(path.join(dir, 'activation-monitor'));
  // What activation-monitor declares for the report (its report.json), so the page draws a heatmap.
  fs.writeFileSync(
    path.join(dir, 'activation-monitor', 'report.json'),
    JSON.stringify({
      plugin: 'activation-monitor',
      charts: [
        {
          kind: 'heatmap',
          id: 'histogram',
          title: '{key} ({activation})',
          yLabel: '{hist.of} value',
          file: 'activation-monitor/stats.jsonl',
          each: { array: 'layers', key: 'layer' },
          histogram: 'hist',
          findings: ['dead-units'],
        },
      ],
    }),
  );
  fs.writeFileSync(
    path.join(dir, 'activation-monitor', 'stats.jsonl'),
    [0, 10]
      .map((s) =>
        JSON.stringify({
          step: s,
          layers: [
            {
              layer: 'h1',
              activation: 'relu',
              out: { mean: 0.5, std: 1, min: 0, max: 3, zeros: 0.5 },
              hist: { of: 'pre', lo: -10, hi: 10, counts: [0, 1, 5, 1] },
              activeUnits: 1,
            },
          ],
        }),
      )
      .join('\n'),
  );
  return dir;
}

describe('report.html', () => {
  it('puts findings first, escapes every string, forbids remote loads and embeds the charts', () => {
    const html = buildReportHtml(readRun(fakeRun({ sampleText: '<script>window.__pwned=1</script>' })));
    expect(html).toContain('Content-Security-Policy');
    expect(html).toMatch(/default-src 'none'/);
    expect(html).not.toMatch(/<script>window\.__pwned/);
    expect(html).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt;');
    expect(html).toContain('dead &lt;b&gt;units&lt;/b&gt;');
    expect(html.indexOf('id="findings"')).toBeLessThan(html.indexOf('id="chart-loss"'));
    expect(html).not.toMatch(/(src|href)="https?:/);
    // The heatmap activation-monitor declared, with the marker of its dead-units finding (step 3, layer h1).
    expect(html).toContain('id="activation-monitor-histogram-0"');
    expect(html).toMatch(
      /"id":"activation-monitor-histogram-0"[^]*"markers":\[\{"step":3,"severity":"warn","code":"dead-units"/,
    );
  });

  it('says so when the run did not finish (no run:end, no summary)', () => {
    const html = buildReportHtml(readRun(fakeRun({ finished: false })));
    expect(html).toContain('id="not-finished"');
    expect(html).toMatch(/did not finish/);
  });

  it('stays small for a 5,000-step run, and downsampling keeps the spike', () => {
    const dir = fakeRun({ steps: 5000 });
    const file = writeReport(dir);
    expect(fs.statSync(file).size).toBeLessThan(1_000_000);
    const x = Array.from({ length: 5000 }, (_, i) => i);
    const y = x.map((i) => (i === 2500 ? 50 : 1));
    const d = downsample(x, [y], 1000);
    expect(d.x.length).toBeLessThanOrEqual(1001);
    expect(Math.max(...(d.ys[0] as number[]))).toBe(50);
  });
});

describe('TensorBoard files', () => {
  it('are TFRecords with valid masked CRC32C and Event protos: scalars and histograms', () => {
    const dir = fakeRun();
    const file = writeTensorboard(readRun(dir));
    expect(path.basename(file)).toMatch(/^events\.out\.tfevents\.\d+\./);
    const events = decodeEvents(fs.readFileSync(file));
    expect(events[0]!.fileVersion).toBe('brain.Event:2');
    const loss = events.filter((e) => e.tag === 'train/loss');
    expect(loss).toHaveLength(50);
    expect(loss[1]!.step).toBe(1);
    expect(loss[1]!.value).toBeCloseTo(1, 5);
    const hist = events.filter((e) => e.tag === 'activations/h1/pre');
    expect(hist).toHaveLength(2);
    expect(hist[0]!.buckets).toEqual([0, 1, 5, 1]);
    expect(hist[0]!.limits![0]).toBeCloseTo(-5, 6);
  });

  it('written live: each flush appends only the new complete lines; the end result equals the one-shot file', () => {
    const done = fakeRun();
    const full = fs.readFileSync(path.join(done, 'events.jsonl'), 'utf8');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-live-'));
    // The plugins' files as they are; events.jsonl as it grows.
    fs.cpSync(done, dir, { recursive: true });
    const events = path.join(dir, 'events.jsonl');
    // Mid-run: 21 lines and half of the next one (a write in progress).
    const cut = full.split('\n').slice(0, 21).join('\n').length + 1 + 10;
    fs.writeFileSync(events, full.slice(0, cut));
    const live = new TensorboardLive(dir);
    expect(live.flush()).toBeGreaterThan(0);
    const mid = decodeEvents(fs.readFileSync(live.file));
    expect(mid[0]!.fileVersion).toBe('brain.Event:2');
    expect(mid.filter((e) => e.tag === 'train/loss').map((e) => e.step)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
    expect(live.flush()).toBe(0);
    fs.appendFileSync(events, full.slice(cut));
    live.flush(true);
    const end = decodeEvents(fs.readFileSync(live.file));
    const key = (e: { tag?: string; step?: number }) => `${e.tag}@${e.step}`;
    const once = decodeEvents(fs.readFileSync(writeTensorboard(readRun(done))));
    expect(
      end
        .filter((e) => e.tag)
        .map(key)
        .sort(),
    ).toEqual(
      once
        .filter((e) => e.tag)
        .map(key)
        .sort(),
    );
    expect(end.filter((e) => e.fileVersion)).toHaveLength(1);
  });

  it('masked CRC32C matches the reference value', () => {
    // CRC32C("123456789") = 0xE3069283; masked = ((c >>> 15) | (c << 17)) + 0xa282ead8.
    const c = 0xe3069283;
    expect(maskedCrc32c(Buffer.from('123456789'))).toBe(((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0);
  });
});

describe('the headline', () => {
  const data = (summary: Record<string, unknown>) => ({ ...readRun(fakeRun()), summary });
  it('shows a game’s evaluation (from the summary) and leaves out a held-out evaluation the validation already shows', () => {
    const game = headlineMetrics(
      data({ final: { loss: 0.1 }, evaluations: { 'periodic-eval': { reward: 1, catchRate: 1 } } }),
    );
    expect(game.val).toEqual([
      ['eval reward', 1],
      ['eval catchRate', 1],
    ]);
    const mnist = headlineMetrics(
      data({ final: { loss: 0.4, val_loss: 0.5 }, evaluations: { 'periodic-eval': { loss: 0.5, acc: 0.9 } } }),
    );
    expect(mnist.val).toEqual([['val_loss', 0.5]]);
  });
});
