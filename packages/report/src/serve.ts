import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildReportHtml } from './html';
import { liveData } from './live';
import { readRun, runStatus } from './read-run';
import { markup, trusted } from './safe-html';
import { round } from './headline';

/** A run counts as live while its events.jsonl was written this recently and it has no end. */
const LIVE_MS = 60_000;

const isRunDir = (dir: string) =>
  fs.existsSync(path.join(dir, 'events.jsonl')) || fs.existsSync(path.join(dir, 'summary.json'));

/** The runs a folder holds by name (one run when the folder is itself a run directory). */
function listRuns(root: string): Map<string, string> {
  if (isRunDir(root)) return new Map([[path.basename(root), root]]);
  const runs = new Map<string, string>();
  for (const e of fs.readdirSync(root, { withFileTypes: true }))
    if (e.isDirectory() && isRunDir(path.join(root, e.name))) runs.set(e.name, path.join(root, e.name));
  return runs;
}

function readLive(dir: string) {
  const d = readRun(dir);
  const events = path.join(dir, 'events.jsonl');
  const fresh = fs.existsSync(events) && Date.now() - fs.statSync(events).mtimeMs < LIVE_MS;
  if (!d.end && !d.summary && fresh) d.live = true;
  return d;
}

const INDEX_STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1000px;padding:16px}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:4px 10px;text-align:left}`;

function indexHtml(root: string, runs: Map<string, string>): string {
  const rows = [...runs].map(([name, dir]) => {
    const d = readLive(dir);
    const st = runStatus(d);
    const s = d.summary ?? {};
    const final = Object.entries((s['final'] ?? {}) as Record<string, number>)
      .map(([k, v]) => `${k} ${round(v)}`)
      .join(' · ');
    const loud = d.findings.filter((f) => f.severity !== 'info').length;
    return markup`<tr><td><a href="/run/${encodeURIComponent(name)}/">${name}</a></td><td>${st.status}</td><td>${String(s['task'] ?? d.begin?.['task'] ?? '?')}</td><td>${d.steps.at(-1)?.step ?? 0}</td><td>${loud}</td><td>${final}</td></tr>`;
  });
  return markup`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>trainwatch runs</title><style>${trusted(INDEX_STYLE)}</style></head><body>
<h1>trainwatch runs in ${root}</h1>
${rows.length ? markup`<table><tr><th>run</th><th>status</th><th>task</th><th>steps</th><th>warn+ findings</th><th>final</th></tr>${rows}</table>` : markup`<p>No runs here yet.</p>`}
</body></html>`.value;
}

/** A running `trainwatch serve`. */
export interface RunServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves a runs folder (or one run directory) read-only on 127.0.0.1: `/` lists the runs, `/run/<name>/`
 * is the run's report, live while the run trains (it polls `/run/<name>/data.json` and redraws its
 * charts in place). Only GET; only names that are run directories in the folder; requests whose
 * Host is not this server are refused (no DNS rebinding); nothing is loaded from elsewhere.
 */
export async function serveRuns(root: string, opts: { port?: number } = {}): Promise<RunServer> {
  const dir = path.resolve(root);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new Error(`${root} is not a folder (give a runs folder or one run directory)`);
  let port = 0;
  const server = http.createServer((req, res) => {
    const send = (code: number, type: string, body: string) => {
      res.writeHead(code, {
        'content-type': `${type}; charset=utf-8`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) return send(403, 'text/plain', 'forbidden host');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain', 'read-only');
    const url = new URL(req.url ?? '/', `http://${host}`);
    try {
      const runs = listRuns(dir);
      if (url.pathname === '/') {
        // One run directory: its page is the whole site.
        if (isRunDir(dir)) {
          res.writeHead(302, { location: `/run/${encodeURIComponent(path.basename(dir))}/` });
          return res.end();
        }
        return send(200, 'text/html', indexHtml(root, runs));
      }
      const m = /^\/run\/([^/]+)\/(data\.json)?$/.exec(url.pathname);
      const runDir = m ? runs.get(decodeURIComponent(m[1]!)) : undefined;
      if (!m || !runDir) return send(404, 'text/plain', 'not found');
      const d = readLive(runDir);
      if (m[2]) return send(200, 'application/json', JSON.stringify(liveData(d)));
      return send(200, 'text/html', buildReportHtml(d, { live: { dataUrl: 'data.json' } }));
    } catch (e) {
      return send(500, 'text/plain', `cannot read the run: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
