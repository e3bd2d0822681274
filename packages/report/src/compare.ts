import * as path from 'node:path';
import { metricLabel, PAIR_COLOURS } from './charts';
import type { LineChart } from './client';
import { headlineMetrics, round, runHealth } from './headline';
import { htmlPage } from './page';
import type { RunData } from './read-run';
import { markup, type SafeHtml } from './safe-html';

const idOf = (d: RunData) => String(d.summary?.['runId'] ?? d.begin?.['runId'] ?? path.basename(d.runDir));

/** A name per run; two runs with one name (e.g. both `run`) get their folder's parent too, then a number. */
function runNames(runs: RunData[]): string[] {
  const base = runs.map(idOf);
  const twice = (list: string[], i: number) => list.filter((n) => n === list[i]).length > 1;
  const parent = runs.map((d, i) =>
    twice(base, i) ? `${path.basename(path.dirname(d.runDir))}/${base[i]}` : base[i]!,
  );
  return parent.map((n, i) => (twice(parent, i) ? `${n} #${i + 1}` : n));
}

/** One chart overlaying a series from every run on a shared x (steps), gaps where a run has no point. */
function overlay(
  id: string,
  title: string,
  yLabel: string,
  runs: RunData[],
  names: string[],
  points: (d: RunData) => { x: number; y: number }[],
  extra: Partial<LineChart> = {},
): LineChart | undefined {
  const per = runs.map(points);
  if (per.every((p) => p.length === 0)) return undefined;
  const x = [...new Set(per.flatMap((p) => p.map((q) => q.x)))].sort((a, b) => a - b);
  const at = new Map(x.map((v, i) => [v, i]));
  const series = per.map((p, r) => {
    const values: (number | null)[] = x.map(() => null);
    for (const q of p) values[at.get(q.x)!] = Number.isFinite(q.y) ? q.y : null;
    return { label: names[r]!, values, color: PAIR_COLOURS[r % PAIR_COLOURS.length]! };
  });
  return { id, title, yLabel, x, series, ...extra };
}

/** Every config value by its dotted path (arrays by index), for the diff. */
function flatten(v: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (v !== null && typeof v === 'object') {
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    if (entries.length === 0) out.set(prefix, JSON.stringify(v));
    for (const [k, x] of entries) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, JSON.stringify(v));
  return out;
}

/** The config paths whose values differ between the runs, each run's value in a column. */
function configDiff(runs: RunData[], names: string[]): SafeHtml {
  const flat = runs.map((d) => flatten(d.config ?? {}));
  const paths = [...new Set(flat.flatMap((f) => [...f.keys()]))].sort();
  // The run's own name and folder always differ: they are not a difference in what was trained.
  const differ = paths.filter((p) => !/^output\.(dir|name)$/.test(p) && new Set(flat.map((f) => f.get(p))).size > 1);
  if (differ.length === 0) return markup`<p class="none">The configs are the same (defaults included).</p>`;
  const rows = differ.map(
    (p) => markup`<tr><th><code>${p}</code></th>${flat.map((f) => markup`<td>${f.get(p) ?? '—'}</td>`)}</tr>`,
  );
  return markup`<table id="config-diff"><tr><th>config path</th>${names.map((n) => markup`<th>${n}</th>`)}</tr>${rows}</table>`;
}

/** Which findings (code and layer, warn and error) each run has, and each run's diagnosis. */
function findingsDiff(runs: RunData[], names: string[]): SafeHtml {
  const keyOf = (f: RunData['findings'][number]) => `${f.code}${f.layer ? ` @${f.layer}` : ''}`;
  const loud = runs.map((d) => new Set(d.findings.filter((f) => f.severity !== 'info').map(keyOf)));
  const keys = [...new Set(loud.flatMap((s) => [...s]))].sort();
  const diagnosis = markup`<tr><th>diagnosis</th>${runs.map((d) => markup`<td>${d.diagnosis?.headline ?? '—'}</td>`)}</tr>`;
  const rows = keys.map(
    (k) =>
      markup`<tr class="${loud.every((s) => s.has(k)) ? 'same' : 'differs'}"><th><code>${k}</code></th>${loud.map((s) => markup`<td>${s.has(k) ? '✗ found' : '—'}</td>`)}</tr>`,
  );
  return markup`<table id="findings-diff"><tr><th></th>${names.map((n) => markup`<th>${n}</th>`)}</tr>${diagnosis}${rows}</table>${keys.length ? '' : markup`<p class="none">No warn or error findings in any run.</p>`}`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1140px;padding:16px;color:#222}
h1{font-size:20px}h2{font-size:17px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:28px}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top;font-size:13px}
tr.differs th{background:#fff3e0}.swatch{display:inline-block;width:10px;height:10px;margin-right:6px}
.health-healthy{color:#2ca02c}.health-problems,.health-stopped,.health-interrupted{color:#e67300}.health-failed{color:#d62728}
.controls{font-size:12px;color:#555}.controls label{margin-right:14px}.chart{margin:8px 0}.none{color:#666}`;

/**
 * One self-contained page comparing runs, as a W&B user compares two runs: the runs side by side
 * (health, verdict, final metrics), their curves overlaid (training loss, validation metrics per
 * epoch, evaluations), the config paths that differ and which findings each run has.
 */
export function buildCompareHtml(runs: RunData[]): string {
  const names = runNames(runs);
  const lines: LineChart[] = [];
  const push = (c: LineChart | undefined) => void (c && lines.push(c));
  push(
    overlay(
      'cmp-loss',
      'training loss per step',
      'training loss',
      runs,
      names,
      (d) => d.steps.map((s) => ({ x: s.step, y: s.loss })),
      {
        smooth: true,
      },
    ),
  );
  const valKeys = [...new Set(runs.flatMap((d) => d.epochs.flatMap((e) => Object.keys(e.val))))];
  valKeys.forEach((k, i) =>
    push(
      overlay(`cmp-val-${i}`, `validation ${k} per epoch`, metricLabel([k]), runs, names, (d) =>
        d.epochs.filter((e) => typeof e.val[k] === 'number').map((e) => ({ x: e.step, y: e.val[k]! })),
      ),
    ),
  );
  const monitored = [
    ...new Set(runs.flatMap((d) => d.evals.map((e) => e.monitor?.metric).filter(Boolean))),
  ] as string[];
  monitored.forEach((m, i) =>
    push(
      overlay(`cmp-eval-${i}`, `evaluations: ${m}`, m, runs, names, (d) =>
        d.evals.filter((e) => typeof e.metrics[m] === 'number').map((e) => ({ x: e.step, y: e.metrics[m]! })),
      ),
    ),
  );
  const header = runs.map((d, r) => {
    const { train, val } = headlineMetrics(d);
    const health = runHealth(d);
    return markup`<tr><th><span class="swatch" style="background:${PAIR_COLOURS[r % PAIR_COLOURS.length]!}"></span>${names[r]}</th><td class="health-${health}">${health}</td><td>${d.diagnosis?.headline ?? '—'}</td><td>${[...train, ...val].map(([k, v]) => `${k} ${round(v)}`).join(' · ')}</td><td>${String(d.summary?.['steps'] ?? d.steps.at(-1)?.step ?? 0)}</td></tr>`;
  });
  const title = `trainwatch compare: ${names.join(' vs ')}`;
  return htmlPage({
    title,
    style: STYLE,
    charts: { lines, heatmaps: [] },
    body: markup`<h1>${title}</h1>
<section id="runs"><table><tr><th>run</th><th>health</th><th>diagnosis</th><th>final metrics</th><th>steps</th></tr>${header}</table></section>
<section><h2>Curves</h2>${lines.map((c) => markup`<div class="chart" id="${c.id}"></div>`)}</section>
<section><h2>Config differences</h2>${configDiff(runs, names)}</section>
<section><h2>Findings</h2>${findingsDiff(runs, names)}</section>`,
  });
}
