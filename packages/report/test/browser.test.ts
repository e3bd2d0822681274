import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { defineTask, tf, type TensorDataset } from '@trainwatch/core';
import { runWith } from '@trainwatch/core/testing';
import { activationMonitor } from '@trainwatch/activation-monitor';
import { gradientGuard } from '@trainwatch/gradient-guard';
import { periodicEval } from '@trainwatch/periodic-eval';
import { qualitativeSampler } from '@trainwatch/qualitative-sampler';
import { mnistMlp } from '@trainwatch/tasks';
import { buildCompareHtml, readRun, writeReport } from '../src';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
// In CI the browser is installed by .ci/run and these tests must run; elsewhere they need it installed.
const required = process.env['CI'] !== undefined || process.env['TRAINWATCH_BROWSER_TESTS'] === '1';
const present = fs.existsSync(CHROMIUM);
if (!present && required)
  throw new Error(`browser tests need ${CHROMIUM} (apt-get install chromium); .ci/run installs it`);
const describeBrowser = present ? describe : describe.skip;
if (!present) console.warn(`skipping browser tests: ${CHROMIUM} not installed`);

const mlp = { validationFraction: 0.2, limit: 1500, hidden: [32], activation: 'relu' as const };

/**
 * A run with every plugin on; `buggy` relabels every training 7 as 1 (systematic-error findings);
 * `learningRate` far too high gives findings on the gradient charts.
 */
async function makeRun(buggy: boolean, learningRate?: number): Promise<string> {
  const task = defineTask({
    name: buggy ? 'sevens-are-ones' : 'mnist-small',
    async create(_o, ctx) {
      const base = await mnistMlp.create(mlp, ctx);
      if (!buggy) return base;
      const train = base.train as TensorDataset;
      const y = tf.tidy(() => {
        const cls = tf.argMax(train.y, -1);
        return tf.oneHot(tf.where(tf.equal(cls, 7), tf.onesLike(cls), cls), 10).toFloat();
      });
      train.y.dispose();
      // And held-out examples 0..29 labelled (true + 1) mod 10: label-disagreement names them.
      const val = base.validation!;
      const vy = tf.tidy(() => {
        const cls = tf.argMax(val.y, -1);
        const shifted = tf.mod(tf.add(cls, tf.scalar(1, 'int32')), tf.scalar(10, 'int32'));
        const mask = tf.less(tf.range(0, cls.shape[0]!, 1, 'int32'), 30);
        return tf.oneHot(tf.where(mask, shifted, cls) as tf.Tensor1D, 10).toFloat();
      });
      val.y.dispose();
      return { ...base, train: { x: train.x, y }, validation: { x: val.x, y: vy } };
    },
  });
  const r = await runWith({
    task,
    training: { epochs: buggy ? 5 : 3, ...(learningRate ? { learningRate } : {}) },
    plugins: [
      { plugin: gradientGuard },
      { plugin: activationMonitor },
      { plugin: periodicEval },
      { plugin: qualitativeSampler, options: { size: 12 } },
    ],
  });
  const runDir = r.runDir;
  writeReport(runDir);
  return runDir;
}

interface PageFacts {
  errors: string[];
  requests: string[];
  failed: string[];
  findings: number;
  charts: Record<string, { rendered: number; inked: boolean; yLabel: string | null }>;
  headline: { health: string | null; verdict: string; metrics: string };
  /** Per chart with markers: how many, and whether every marker link points at a listed finding. */
  markers: Record<string, { count: number; linked: boolean }>;
  confusionCells: number;
  /** Loaded pictures of examples that findings name. */
  thumbs: number;
  /** data-log of chart-loss before and after clicking its log toggle. */
  logToggle: [string | null, string | null];
  imagesLoaded: number;
  banner: boolean;
  pwned: unknown;
  text: string;
}

async function open(browser: Browser, runDir: string, shotName?: string): Promise<PageFacts> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const errors: string[] = [];
  const requests: string[] = [];
  const failed: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
  page.on('pageerror', (e) => void errors.push(String(e)));
  page.on('request', (r) => void requests.push(r.url()));
  page.on('requestfailed', (r) => void failed.push(r.url()));
  await page.goto(`file://${path.join(runDir, 'report.html')}`);
  await page.waitForLoadState('load');
  const facts = await page.evaluate(() => {
    // A chart has ink when its canvas holds non-white pixels.
    const inked = (c: HTMLCanvasElement | null) => {
      if (!c || !c.width || !c.height) return false;
      const px = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < px.length; i += 4)
        if (px[i + 3]! > 0 && (px[i]! < 240 || px[i + 1]! < 240 || px[i + 2]! < 240)) return true;
      return false;
    };
    const charts: Record<string, { rendered: number; inked: boolean; yLabel: string | null }> = {};
    document.querySelectorAll('[data-rendered]').forEach((el) => {
      const canvas = el instanceof HTMLCanvasElement ? el : el.querySelector('canvas');
      charts[el.id] = {
        rendered: Number(el.getAttribute('data-rendered')),
        inked: inked(canvas),
        yLabel: el.getAttribute('data-y-label'),
      };
    });
    const markers: Record<string, { count: number; linked: boolean }> = {};
    document.querySelectorAll('[data-markers]').forEach((el) => {
      const links = [...el.querySelectorAll('a.marker')] as HTMLAnchorElement[];
      markers[el.id || (el.querySelector('canvas')?.id ?? '?')] = {
        count: Number(el.getAttribute('data-markers')),
        linked: links.every((a) => document.getElementById(a.hash.slice(1))?.classList.contains('finding') === true),
      };
    });
    const head = document.getElementById('headline');
    const imgs = [...document.querySelectorAll('.sample img')] as HTMLImageElement[];
    return {
      findings: document.querySelectorAll('#findings li.finding').length,
      charts,
      imagesLoaded: imgs.filter((i) => i.complete && i.naturalWidth > 0).length,
      banner: document.getElementById('not-finished') !== null,
      headline: {
        health: head?.getAttribute('data-health') ?? null,
        verdict: head?.querySelector('.verdict')?.textContent ?? '',
        metrics: head?.querySelector('.metrics')?.textContent ?? '',
      },
      markers,
      confusionCells: document.querySelectorAll('#confusion td.cm').length,
      thumbs: ([...document.querySelectorAll('#findings .thumbs img')] as HTMLImageElement[]).filter(
        (i) => i.complete && i.naturalWidth > 0,
      ).length,
      pwned: (window as unknown as { __pwned?: unknown }).__pwned,
      text: document.body.innerText,
    };
  });
  const logOf = () => page.evaluate(() => document.getElementById('chart-loss')?.getAttribute('data-log') ?? null);
  const before = await logOf();
  if (before !== null) await page.click('#chart-loss .log-toggle');
  const logToggle: [string | null, string | null] = [before, await logOf()];
  if (before !== null) await page.click('#chart-loss .log-toggle');
  await page.screenshot({ path: path.join(runDir, 'report.png'), fullPage: true });
  if (shotName && process.env['TRAINWATCH_DOCS_SCREENSHOTS'] === '1')
    fs.copyFileSync(path.join(runDir, 'report.png'), path.join(__dirname, '..', '..', '..', 'docs', shotName));
  await page.close();
  return { errors, requests, failed, logToggle, ...facts };
}

describeBrowser('report.html in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });
  afterAll(async () => {
    await browser?.close();
  });

  const expectClean = (f: PageFacts) => {
    expect(f.errors).toEqual([]);
    expect(f.failed).toEqual([]);
    // The page itself is the only request: no network, nothing remote.
    expect(f.requests.filter((u) => !u.startsWith('data:'))).toEqual([
      expect.stringMatching(/^file:\/\/.*report\.html$/),
    ]);
  };
  const expected = [
    'chart-loss',
    'chart-metrics',
    'chart-epochs',
    'gradient-guard-gradient-norm',
    'gradient-guard-update-ratio',
    'periodic-eval-evaluations',
    'activation-monitor-dead-share',
    'activation-monitor-histogram-0',
    'activation-monitor-histogram-1',
    'chart-epoch-metrics',
    'chart-lr',
    'periodic-eval-eval-loss',
    'periodic-eval-class-accuracy',
  ];

  it('a healthy run: findings, every chart with content, sample pictures; screenshot saved', async () => {
    const dir = await makeRun(false);
    const f = await open(browser, dir, 'report-healthy.png');
    expectClean(f);
    // The headline: verdict, health-coloured status and rounded final metrics.
    expect(f.headline.health).toBe('healthy');
    expect(f.headline.verdict).toMatch(/^no problem found/);
    expect(f.headline.metrics).toMatch(/train loss \d\.\d{1,3} acc 0\.\d{1,3} /);
    expect(f.headline.metrics).toMatch(/validation val_loss \d\.\d{1,3} val_acc 0\.\d{1,3} /);
    // Every chart says what its y axis measures.
    for (const [id, c] of Object.entries(f.charts)) expect([id, c.yLabel]).toEqual([id, expect.stringMatching(/\w/)]);
    expect(f.charts['chart-metrics']!.yLabel).toBe('accuracy (fraction)');
    expect(f.charts['gradient-guard-gradient-norm']!.yLabel).toBe('gradient L2 norm (log)');
    expect(f.confusionCells).toBe(100);
    expect(f.logToggle).toEqual(['false', 'true']);
    const findings = JSON.parse(fs.readFileSync(path.join(dir, 'findings.json'), 'utf8')) as unknown[];
    expect(f.findings).toBe(findings.length);
    for (const id of expected) {
      expect(f.charts[id]).toBeDefined();
      expect(f.charts[id]!.rendered).toBeGreaterThan(0);
      expect(f.charts[id]!.inked).toBe(true);
    }
    expect(f.imagesLoaded).toBe(12);
    expect(fs.statSync(path.join(dir, 'report.png')).size).toBeGreaterThan(10_000);
  }, 120_000);

  it('a run with findings: they are listed first with links to their charts; slices table', async () => {
    const dir = await makeRun(true);
    const f = await open(browser, dir, 'report-findings.png');
    expectClean(f);
    expect(f.headline.health).toBe('problems');
    expect(f.text).toMatch(/completed with problems/);
    expect(f.headline.verdict).not.toMatch(/no problem found/);
    // The examples label-disagreement names are shown as pictures next to it.
    const disagreement = (
      JSON.parse(fs.readFileSync(path.join(dir, 'findings.json'), 'utf8')) as {
        code: string;
        evidence: { examples?: unknown[] };
      }[]
    ).find((x) => x.code === 'label-disagreement');
    expect(disagreement).toBeDefined();
    expect(f.thumbs).toBe(disagreement!.evidence.examples!.length);
    expect(f.text).toMatch(/systematic-error/);
    expect(f.text).toMatch(/Systematic-error slices/);
    expect(f.text.indexOf('Findings')).toBeLessThan(f.text.indexOf('Loss and metrics'));
    expect(f.findings).toBeGreaterThan(0);
  }, 120_000);

  it('a far too high learning rate: a marker at each finding on its chart, linked to the finding', async () => {
    const dir = await makeRun(false, 0.5);
    const f = await open(browser, dir);
    expectClean(f);
    const loud = (
      JSON.parse(fs.readFileSync(path.join(dir, 'findings.json'), 'utf8')) as { severity: string }[]
    ).filter((x) => x.severity !== 'info');
    const drawn = Object.values(f.markers).reduce((a, m) => a + m.count, 0);
    expect(drawn).toBeGreaterThan(0);
    expect(drawn).toBeLessThanOrEqual(loud.length);
    expect(Object.values(f.markers).every((m) => m.linked)).toBe(true);
    expect(Object.keys(f.markers)).toEqual(expect.arrayContaining(['gradient-guard-update-ratio']));
  }, 120_000);

  it('compare: two runs overlaid on each chart, the config paths that differ, findings side by side', async () => {
    const a = await makeRun(false);
    const b = await makeRun(false, 0.5);
    const file = path.join(path.dirname(a), 'compare.html');
    fs.writeFileSync(file, buildCompareHtml([readRun(a), readRun(b)]));
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('pageerror', (e) => void errors.push(String(e)));
    page.on('request', (r) => void requests.push(r.url()));
    await page.goto(`file://${file}`);
    const facts = await page.evaluate(() => ({
      loss: document.getElementById('cmp-loss')?.getAttribute('data-rendered'),
      legend: document.querySelectorAll('#cmp-loss .u-legend .u-series').length,
      charts: document.querySelectorAll('.chart[data-rendered]').length,
      diff: document.getElementById('config-diff')?.textContent ?? '',
      differs: document.querySelectorAll('#findings-diff tr.differs').length,
    }));
    if (process.env['TRAINWATCH_DOCS_SCREENSHOTS'] === '1')
      await page.screenshot({ path: path.join(__dirname, '..', '..', '..', 'docs', 'compare.png'), fullPage: true });
    await page.close();
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('data:'))).toEqual([`file://${file}`]);
    expect(Number(facts.loss)).toBeGreaterThan(0);
    // The x series and one per run.
    expect(facts.legend).toBe(3);
    expect(facts.charts).toBeGreaterThanOrEqual(3);
    expect(facts.diff).toMatch(/training\.learningRate\s*0\.001\s*0\.5/);
    expect(facts.diff).not.toMatch(/output\.dir/);
    expect(facts.differs).toBeGreaterThan(0);
  }, 120_000);

  it('shows sample text with markup as text and runs none of it; an unfinished run says so', async () => {
    const dir = await makeRun(false);
    const file = path.join(dir, 'qualitative-sampler', 'samples.jsonl');
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    const evil = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">';
    lines.push(JSON.stringify({ ...JSON.parse(lines.at(-1)!), step: 9999, prediction: evil }));
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    // Pretend the run was killed: no run:end, no summary.
    fs.rmSync(path.join(dir, 'summary.json'));
    const events = fs
      .readFileSync(path.join(dir, 'events.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => !l.includes('"event":"run:end"'));
    fs.writeFileSync(path.join(dir, 'events.jsonl'), events.join('\n'));
    writeReport(dir);
    const f = await open(browser, dir);
    expectClean(f);
    expect(f.pwned).toBeUndefined();
    expect(f.text).toContain('<script>window.__pwned=1</script>');
    expect(f.banner).toBe(true);
    expect(f.text).toMatch(/This run did not finish/);
  }, 120_000);
});
