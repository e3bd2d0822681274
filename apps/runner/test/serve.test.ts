import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { serveRuns, type RunServer } from '@trainwatch/report';
import { ROOT, tmpDir } from './helpers';

const BIN = path.join(ROOT, 'apps/runner/bin/trainwatch.js');
const CHROMIUM = '/usr/bin/chromium';
const required = process.env['CI'] !== undefined || process.env['TRAINWATCH_BROWSER_TESTS'] === '1';
if (!fs.existsSync(CHROMIUM) && required) throw new Error(`the serve test needs ${CHROMIUM}; .ci/run installs it`);
const describeBrowser = fs.existsSync(CHROMIUM) ? describe : describe.skip;

/** A raw request, to send what a browser would not (another Host, another method). */
function request(url: string, o: { method?: string; host?: string; path?: string }): Promise<number> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        method: o.method ?? 'GET',
        path: o.path ?? '/',
        headers: o.host ? { host: o.host } : {},
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const waitFor = async (ok: () => boolean, ms: number) => {
  const until = Date.now() + ms;
  while (!ok() && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  return ok();
};

describeBrowser('trainwatch serve against a run in progress (headless Chromium)', () => {
  let browser: Browser;
  let child: ChildProcess;
  let server: RunServer;
  let runs: string;

  beforeAll(async () => {
    const dir = tmpDir();
    runs = path.join(dir, 'runs');
    fs.writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({
        task: { use: 'mnist-mlp', options: { limit: 4000, validationFraction: 0.2 } },
        training: { epochs: 8, batchSize: 16 },
        plugins: [{ use: 'gradient-guard' }, { use: 'periodic-eval' }],
      }),
    );
    child = spawn(process.execPath, [BIN, 'run', 'config.json', '--out', path.join(runs, 'live-run'), '--quiet'], {
      cwd: dir,
      stdio: 'ignore',
    });
    const events = path.join(runs, 'live-run', 'events.jsonl');
    const started = await waitFor(
      () => fs.existsSync(events) && (fs.readFileSync(events, 'utf8').match(/"batch:end"/g)?.length ?? 0) > 20,
      60_000,
    );
    if (!started) throw new Error('the run did not start');
    server = await serveRuns(runs);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu'],
    });
  }, 90_000);

  afterAll(async () => {
    child?.kill('SIGKILL');
    await browser?.close();
    await server?.close();
  });

  it('lists the run; its page gains points on the loss chart without a reload; 127.0.0.1 only, no errors', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    page.on('pageerror', (e) => void errors.push(String(e)));
    page.on('request', (r) => void requests.push(r.url()));
    await page.goto(server.url);
    expect(await page.textContent('body')).toMatch(/live-run\s*running/);
    await page.click('a[href="/run/live-run/"]');
    await page.waitForSelector('#chart-loss[data-rendered]');
    expect(await page.getAttribute('#headline', 'data-health')).toBe('running');
    const before = Number(await page.getAttribute('#chart-loss', 'data-rendered'));
    // Functions, not strings (the page's CSP forbids eval); typed by hand: these tests have no DOM types.
    type Page = {
      __same?: number;
      document: { getElementById(id: string): { getAttribute(a: string): string | null } | null };
    };
    await page.evaluate(() => ((globalThis as unknown as Page).__same = 1));
    await page.waitForFunction(
      (n) =>
        Number((globalThis as unknown as Page).document.getElementById('chart-loss')?.getAttribute('data-rendered')) >
        n,
      before,
      { timeout: 30_000 },
    );
    expect(await page.evaluate(() => (globalThis as unknown as Page).__same)).toBe(1);
    expect(Number(await page.getAttribute('body', 'data-live-updates'))).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(runs, 'serve.png') });
    if (process.env['TRAINWATCH_DOCS_SCREENSHOTS'] === '1')
      fs.copyFileSync(path.join(runs, 'serve.png'), path.join(ROOT, 'docs', 'serve-live.png'));
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith(server.url) && !u.startsWith('data:'))).toEqual([]);
    await page.close();
  }, 60_000);

  it('is read-only and refuses other hosts and unknown paths', async () => {
    expect(await request(server.url, { method: 'POST' })).toBe(405);
    expect(await request(server.url, { host: 'evil.example:80' })).toBe(403);
    expect(await request(server.url, { path: '/run/..%2F..%2Fetc/' })).toBe(404);
    expect(await request(server.url, { path: '/run/live-run/data.json' })).toBe(200);
  });
});
