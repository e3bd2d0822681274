import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { writeReport } from '../src';

const CHROMIUM = '/usr/bin/chromium';
const required = process.env['CI'] !== undefined || process.env['TRAINWATCH_BROWSER_TESTS'] === '1';
if (!fs.existsSync(CHROMIUM) && required) throw new Error(`browser tests need ${CHROMIUM}; .ci/run installs it`);
const describeBrowser = fs.existsSync(CHROMIUM) ? describe : describe.skip;

/** Markup that counts itself if it ever runs: as an element, an attribute break-out or a handler. */
const EVIL = (where: string) =>
  `"'><img src=x onerror="window.__runs=(window.__runs||[]).concat('${where}');alert(1)"><script>window.__runs=(window.__runs||[]).concat('${where}-script');alert(2)</script><svg onload="alert(3)">`;

const line = (v: unknown) => `${JSON.stringify(v)}\n`;

/** A run directory whose every string field the report shows carries markup (what a hostile plugin or a handed-over folder can write). */
function hostileRun(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-inject-'));
  const w = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  const layer = EVIL('layer');
  w('config.json', JSON.stringify({ task: { use: EVIL('config-task') }, note: EVIL('config') }));
  w(
    'summary.json',
    JSON.stringify({
      runId: EVIL('runId'),
      task: EVIL('task'),
      status: EVIL('status'),
      reason: EVIL('reason'),
      steps: 2,
      final: { [EVIL('final-key')]: 1 },
      versions: { [EVIL('version')]: EVIL('version-value') },
      backend: { name: EVIL('backend'), kernels: { [EVIL('kernel')]: 1 } },
    }),
  );
  w(
    'events.jsonl',
    line({ event: 'run:begin', runId: EVIL('begin-run'), task: EVIL('begin-task'), backend: EVIL('begin-backend') }) +
      line({ event: 'batch:end', step: 0, epoch: 0, loss: 1, metrics: { [EVIL('metric')]: 0.5 } }) +
      line({ event: 'batch:end', step: 1, epoch: 0, loss: 0.5, metrics: { [EVIL('metric')]: 0.6 } }) +
      line({ event: 'epoch:end', epoch: 0, step: 2, train: { loss: 0.7 }, val: { [EVIL('val-key')]: 0.4 } }),
  );
  w(
    'findings.json',
    JSON.stringify([
      {
        code: EVIL('code'),
        severity: 'warn',
        plugin: EVIL('plugin'),
        step: 1,
        epoch: 0,
        layer,
        message: EVIL('message'),
        suggestion: EVIL('suggestion'),
        evidence: { [EVIL('evidence-key')]: EVIL('evidence-value') },
      },
      {
        code: 'systematic-error',
        severity: 'warn',
        plugin: 'qualitative-sampler',
        step: 1,
        epoch: 0,
        message: 'm',
        evidence: {
          slice: EVIL('slice'),
          rate: 1,
          restRate: 0,
          support: EVIL('support'),
          z: 3,
          examples: [EVIL('example')],
        },
      },
    ]),
  );
  w(
    'gradient-guard/series.jsonl',
    line({ step: 0, loss: 1, layers: [{ layer, grad: 1, weight: 1, gradToWeight: 1, update: 0.01 }] }),
  );
  w(
    'activation-monitor/stats.jsonl',
    [0, 1]
      .map((step) =>
        line({
          step,
          layers: [
            {
              layer,
              activation: EVIL('activation'),
              out: { mean: 0, std: 1, min: 0, max: 1, zeros: 0 },
              hist: { of: EVIL('of'), lo: 0, hi: 1, counts: [1, 2] },
              activeUnits: 1,
            },
          ],
        }),
      )
      .join(''),
  );
  w(
    'periodic-eval/evals.jsonl',
    line({
      step: 1,
      epoch: 0,
      name: EVIL('eval-name'),
      evaluator: EVIL('evaluator'),
      metrics: { [EVIL('eval-metric')]: 1, loss: 0.3 },
      monitor: { metric: EVIL('monitor'), mode: 'min' },
      behaviour: EVIL('behaviour'),
    }),
  );
  w(
    'qualitative-sampler/samples.jsonl',
    line({
      step: 1,
      epoch: 0,
      id: EVIL('id'),
      label: EVIL('label'),
      prediction: EVIL('prediction'),
      input: EVIL('input'),
      image: EVIL('image'),
      correct: false,
      confidence: 0.5,
    }) +
      line({
        step: 1,
        epoch: 0,
        id: 7,
        label: 'a',
        prediction: 'b',
        input: `${EVIL('multiline')}\nsecond line`,
        correct: true,
      }),
  );
  return dir;
}

describeBrowser('report.html with markup in every string it shows', () => {
  let browser: Browser;
  beforeAll(
    async () =>
      void (browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu'],
      })),
  );
  afterAll(async () => void (await browser?.close()));

  it('shows it all as text: 0 dialogs, 0 script executions', async () => {
    const dir = hostileRun();
    const html = fs.readFileSync(writeReport(dir), 'utf8');
    expect(html).not.toContain('<img src=x');
    expect(html).not.toMatch(/<script>window\.__runs/);
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`file://${path.join(dir, 'report.html')}`);
    await page.waitForLoadState('load');
    await page.waitForTimeout(300);
    const facts = await page.evaluate(() => ({
      runs: (window as unknown as { __runs?: string[] }).__runs ?? [],
      text: document.body.textContent ?? '',
      handlers: [...document.querySelectorAll('*')].filter((el) =>
        [...el.attributes].some((a) => a.name.startsWith('on')),
      ).length,
    }));
    await page.close();
    expect(dialogs).toEqual([]);
    expect(facts.runs).toEqual([]);
    expect(facts.handlers).toBe(0);
    // The strings are there, as text.
    for (const where of [
      'message',
      'suggestion',
      'layer',
      'evidence-key',
      'evidence-value',
      'prediction',
      'label',
      'id',
      'slice',
      'reason',
    ])
      expect(facts.text).toContain(`concat('${where}')`);
  }, 60_000);
});

describe('reading a run directory', () => {
  it('never follows a link out of it (a symlinked PNG is not inlined)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-link-'));
    fs.mkdirSync(path.join(dir, 'qualitative-sampler'));
    fs.writeFileSync(path.join(dir, 'findings.json'), '[]');
    fs.symlinkSync('/etc/hostname', path.join(dir, 'qualitative-sampler', 'x.png'));
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-outside-'));
    fs.writeFileSync(
      path.join(outside, 'findings.json'),
      JSON.stringify([
        { code: 'planted', severity: 'error', plugin: 'x', step: 0, epoch: 0, message: 'planted', evidence: {} },
      ]),
    );
    fs.rmSync(path.join(dir, 'findings.json'));
    fs.symlinkSync(path.join(outside, 'findings.json'), path.join(dir, 'findings.json'));
    fs.writeFileSync(
      path.join(dir, 'qualitative-sampler', 'samples.jsonl'),
      line({ step: 0, epoch: 0, id: 1, label: 'a', prediction: 'b', image: 'qualitative-sampler/x.png' }),
    );
    const html = fs.readFileSync(writeReport(dir), 'utf8');
    const hostname = fs.readFileSync('/etc/hostname');
    expect(html).not.toContain(hostname.toString('base64'));
    expect(html).not.toContain('data:image/png');
    expect(html).not.toContain('planted');
  });
});

describe('a damaged run directory', () => {
  it('loses only the records it broke: the page is written and says how many were skipped', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-damaged-'));
    const w = (rel: string, text: string) => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    };
    w(
      'events.jsonl',
      'null\n' + line({ event: 'batch:end', step: 0, epoch: 0, loss: 1, metrics: {} }) + '3\n{"event":"batch:e',
    );
    w(
      'findings.json',
      JSON.stringify([
        null,
        { code: 'kept', severity: 'warn', plugin: 'p', step: 0, epoch: 0, message: 'still here' },
        { code: 7 },
      ]),
    );
    w('activation-monitor/stats.jsonl', line({ step: 0, layers: [{ layer: 'h', out: { mean: 0 } }] }));
    w('periodic-eval/evals.jsonl', line({ step: 0, epoch: 0, metrics: { loss: 1 } }));
    w('qualitative-sampler/samples.jsonl', line({ step: 0, label: 'a' }));
    w('gradient-guard/series.jsonl', line({ step: 0, layers: null }));
    const html = fs.readFileSync(writeReport(dir), 'utf8');
    expect(html).toContain('still here');
    expect(html).toMatch(/unreadable records<\/th><td>8 skipped/);
  });
});
