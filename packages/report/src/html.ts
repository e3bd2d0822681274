import type { Finding } from '@trainwatch/core';
import { buildCharts } from './charts';
import { confusionHtml } from './evaluation';
import { liveState } from './live';
import { htmlPage } from './page';
import { attachMarkers, chartFor, sortFindings } from './markers';
import type { ChartData } from './client';
import { HEADLINE_STYLE, headlineHtml, round } from './headline';
import { runStatus, type RunData } from './read-run';
import { markup, type SafeHtml } from './safe-html';

/** Pictures of the examples a finding names (e.g. label-disagreement), when the run wrote them. */
function exampleThumbs(f: Finding, images: RunData['images']): SafeHtml {
  const ex = Array.isArray(f.evidence['examples']) ? (f.evidence['examples'] as Record<string, unknown>[]) : [];
  const shown = ex.filter((e) => typeof e?.['image'] === 'string' && images[e['image'] as string]);
  if (!shown.length) return markup``;
  const card = (e: Record<string, unknown>) =>
    markup`<figure class="thumb"><img alt="example ${e['id']}" src="${images[e['image'] as string]}"><figcaption>#${e['id']} label ${e['label']} → ${e['predicted']}</figcaption></figure>`;
  return markup`<div class="thumbs">${shown.map(card)}</div>`;
}

function findingsHtml(findings: Finding[], charts: ChartData, images: RunData['images']): SafeHtml {
  if (findings.length === 0) return markup`<p class="none">No findings.</p>`;
  const items = sortFindings(findings).map(({ f, target }) => {
    const chart = chartFor(f, charts);
    return markup`<li class="finding ${f.severity}" id="${target}" data-code="${f.code}">
<div class="head"><span class="sev">${f.severity}</span> <code>${f.code}</code>${f.layer ? markup` <span class="layer">layer ${f.layer}</span>` : ''} <span class="step">step ${f.step}</span> <span class="plugin">${f.plugin}</span>${chart ? markup` <a href="#${chart}">chart →</a>` : ''}</div>
<div class="msg">${f.message}</div>${f.suggestion ? markup`<div class="suggestion">${f.suggestion}</div>` : ''}
${exampleThumbs(f, images)}<details><summary>evidence</summary><pre>${JSON.stringify(f.evidence, null, 2)}</pre></details></li>`;
  });
  return markup`<ol class="findings">${items}</ol>`;
}

function chartsHtml(charts: ChartData, d: RunData): SafeHtml {
  const groups: [string, string[]][] = [
    ['Loss and metrics', ['chart-loss', 'chart-metrics', 'chart-epochs', 'chart-epoch-metrics', 'chart-lr']],
  ];
  const out: SafeHtml[] = [];
  for (const [title, ids] of groups) {
    const present = ids.filter((id) => charts.lines.some((c) => c.id === id));
    if (present.length)
      out.push(
        markup`<section><h2>${title}</h2>${present.map((id) => markup`<div class="chart" id="${id}"></div>`)}</section>`,
      );
  }
  // Plugins' charts and heatmaps, by the section each declared, in the order they came.
  const sections = new Map<string, SafeHtml[]>();
  const add = (section: string, html: SafeHtml) => sections.set(section, [...(sections.get(section) ?? []), html]);
  for (const c of charts.lines) if (c.section) add(c.section, markup`<div class="chart" id="${c.id}"></div>`);
  for (const h of charts.heatmaps)
    add(
      h.section ?? 'Heatmaps',
      markup`<figure><figcaption>${h.title} <small>(rows: ${h.yLabel}, low at the bottom; columns: steps; colour: log count)</small></figcaption><canvas class="heatmap" id="${h.id}"></canvas></figure>`,
    );
  for (const [title, parts] of sections)
    out.push(markup`<section class="contributed"><h2>${title}</h2>${parts}</section>`);
  const confusion = confusionHtml(d);
  if (confusion.value)
    out.push(markup`<section id="confusion-section"><h2>Confusion matrix</h2>${confusion}</section>`);
  return markup`${out}`;
}

function samplesHtml(d: RunData): SafeHtml {
  if (d.samples.length === 0) return markup``;
  const byId = new Map<unknown, RunData['samples']>();
  for (const s of d.samples) {
    if (!byId.has(s.id)) byId.set(s.id, []);
    byId.get(s.id)!.push(s);
  }
  const cards = [...byId.entries()].map(([id, hist]) => {
    hist.sort((a, b) => a.step - b.step);
    const last = hist.at(-1)!;
    // Pictures as images; ASCII art small; a one-line input (a word) as text.
    const pic =
      last.image && d.images[last.image]
        ? markup`<img alt="sample ${id}" src="${d.images[last.image]}">`
        : last.input?.includes('\n')
          ? markup`<pre class="input">${last.input}</pre>`
          : last.input
            ? markup`<div class="word">${last.input} →</div>`
            : '';
    const chip = (s: RunData['samples'][number]) =>
      markup`<span class="chip ${s.correct === undefined ? '' : s.correct ? 'ok' : 'bad'}" title="step ${s.step}: ${s.prediction}">${s.correct === undefined ? '·' : s.correct ? '✓' : '✗'}</span>`;
    const confidence =
      last.confidence !== undefined ? markup` <small>${(100 * last.confidence).toFixed(0)}%</small>` : '';
    return markup`<div class="sample ${last.correct === false ? 'wrong' : ''}" data-id="${id}">${pic}<div class="pred">${last.prediction}${confidence}</div><div class="label">label: ${last.label}</div><div class="timeline">${hist.map(chip)}</div><div class="sid">#${id}</div></div>`;
  });
  const slices = d.findings.filter((f) => f.code === 'systematic-error');
  const rows = slices.map((f) => {
    const e = f.evidence as Record<string, number | number[] | string>;
    const examples = Array.isArray(e['examples']) ? e['examples'].join(', ') : '';
    return markup`<tr><td>${e['slice']}</td><td>${(100 * Number(e['rate'])).toFixed(0)}%</td><td>${(100 * Number(e['restRate'])).toFixed(0)}%</td><td>${e['support']}</td><td>${Number(e['z']).toFixed(1)}</td><td>${examples}</td></tr>`;
  });
  const table = slices.length
    ? markup`<h3>Systematic-error slices</h3><table class="slices"><tr><th>slice</th><th>error rate</th><th>rest</th><th>support</th><th>z</th><th>examples</th></tr>${rows}</table>`
    : '';
  return markup`<section id="samples"><h2>Samples</h2><p class="note">The probe set at the last sampling; each chip is one sampling (hover for the prediction then).</p><div class="gallery">${cards}</div>${table}</section>`;
}

function factsHtml(d: RunData): SafeHtml {
  const st = runStatus(d);
  const s = d.summary ?? {};
  const backend = s['backend'] as { name?: string; kernels?: unknown } | undefined;
  const rows: [string, unknown][] = [
    ['status', st.status],
    ['reason', st.reason],
    ['task', s['task'] ?? d.begin?.['task'] ?? '?'],
    ['backend', backend?.name ?? d.begin?.['backend'] ?? '?'],
    ['steps', s['steps'] ?? d.end?.step ?? d.steps.at(-1)?.step ?? 0],
    [
      'wall time',
      s['wallMs'] !== undefined
        ? `${(Number(s['wallMs']) / 1000).toFixed(1)} s`
        : d.end
          ? `${(d.end.wallMs / 1000).toFixed(1)} s`
          : 'unknown',
    ],
    [
      'final metrics',
      Object.entries((s['final'] ?? d.end?.final ?? {}) as Record<string, unknown>)
        .map(([k, v]) => `${k} ${round(v)}`)
        .join(' · '),
    ],
    ['versions', JSON.stringify(s['versions'] ?? {})],
    ['started / ended', `${s['startedAt'] ?? '?'} / ${s['endedAt'] ?? '?'}`],
  ];
  if (d.skippedLines)
    rows.push([
      'unreadable records',
      `${d.skippedLines} skipped (a line cut off by a killed run, or a record missing what the page needs)`,
    ]);
  const kernels = backend?.kernels
    ? markup`<details><summary>backend kernels</summary><pre>${JSON.stringify(backend.kernels, null, 2)}</pre></details>`
    : '';
  return markup`<section id="facts"><h2>Run facts</h2><table class="facts">${rows.map(([k, v]) => markup`<tr><th>${k}</th><td>${v}</td></tr>`)}</table>
<details><summary>config (with defaults)</summary><pre>${JSON.stringify(d.config ?? {}, null, 2)}</pre></details>${kernels}</section>`;
}

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1140px;padding:16px;color:#222}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;border-bottom:1px solid #ddd;padding-bottom:4px;margin-top:28px}
.status{display:inline-block;padding:2px 8px;border-radius:10px;color:#fff;background:#2ca02c}.status.stopped,.status.interrupted{background:#ff7f0e}.status.failed{background:#d62728}
.banner{background:#fff3e0;border:1px solid #ff7f0e;padding:8px 12px;margin:10px 0}
.findings{list-style:none;padding:0}.finding{border-left:4px solid #999;padding:6px 10px;margin:6px 0;background:#fafafa}
.finding.error{border-color:#d62728}.finding.warn{border-color:#ff7f0e}.finding.info{border-color:#1f77b4}
.sev{font-weight:600;text-transform:uppercase;font-size:11px}.head .step,.head .plugin,.head .layer{color:#666;font-size:12px;margin-left:6px}
.suggestion{color:#2a5d2a;margin-top:2px}pre{white-space:pre-wrap;font-size:12px;background:#f4f4f4;padding:6px;overflow:auto}
.chart{margin:8px 0}.note{color:#666;font-size:12px}figure{margin:10px 0}figcaption{font-size:12px;color:#444}
.gallery{display:flex;flex-wrap:wrap;gap:8px}.sample{border:1px solid #ddd;padding:6px;width:150px;font-size:12px}.sample.wrong{border-color:#d62728}
.sample img{width:112px;image-rendering:pixelated;display:block}.sample .word{font-weight:600}.sample pre.input{font-size:6px;line-height:6px;background:none;padding:0}
.chip{display:inline-block;width:11px;text-align:center;font-size:10px}.chip.ok{color:#2ca02c}.chip.bad{color:#d62728}.sid{color:#999}
.thumbs{display:flex;flex-wrap:wrap;gap:6px;margin:4px 0}.thumb{margin:0;font-size:11px;width:84px}.thumb img{width:56px;image-rendering:pixelated;display:block}
.controls{font-size:12px;color:#555}.controls label{margin-right:14px}.markers{font-size:12px;margin:2px 0 10px}.marker{margin-right:8px;text-decoration:none}.marker.error{color:#d62728}.marker.warn{color:#e67300}
table.confusion td.cm{text-align:right;min-width:28px}table.confusion td.recall{font-weight:600}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top;font-size:13px}`;

/** The diagnosis first: the headline, then each root cause with its fix and what it explains. */
function diagnosisHtml(d: RunData): SafeHtml {
  const dx = d.diagnosis;
  if (!dx) return markup``;
  const causes = dx.causes.map(
    (c) =>
      markup`<li class="finding ${c.severity}"><strong>${c.title}</strong>${c.layer ? markup` <code>${c.layer}</code>` : markup``} <small>${c.id} · step ${String(c.step)} · confidence ${c.confidence.toFixed(2)}</small><br>Fix: ${c.fix}${c.explains.length ? markup`<br><small>explains: ${c.explains.join(', ')}</small>` : markup``}</li>`,
  );
  // The headline above says the verdict; this section gives each cause, or what was checked.
  return markup`<section id="diagnosis"><h2>Diagnosis</h2>${causes.length ? markup`<ol class="findings">${causes}</ol>` : markup`<p class="none">No problem found. Checked by: ${dx.checked.join(', ')}.</p>`}</section>`;
}

/** The whole page: the diagnosis and findings first, then charts, samples and run facts. Everything inline; nothing loads from anywhere. */
export function buildReportHtml(d: RunData, opts: { live?: { dataUrl: string } } = {}): string {
  const charts = attachMarkers(buildCharts(d), d.findings);
  const st = runStatus(d);
  const title = `trainwatch report: ${String((d.summary?.['runId'] as string | undefined) ?? d.begin?.['runId'] ?? 'run')}`;
  const counts = { error: 0, warn: 0, info: 0 };
  for (const f of d.findings) counts[f.severity]++;
  const banner = st.finished
    ? ''
    : st.status === 'running'
      ? markup`<div class="banner" id="in-progress"><strong>This run is in progress.</strong> ${st.reason}; the charts update as it trains.</div>`
      : markup`<div class="banner" id="not-finished"><strong>This run did not finish.</strong> ${st.reason}. The page shows what was written before it stopped.</div>`;
  return htmlPage({
    title,
    style: `${STYLE}\n${HEADLINE_STYLE}`,
    charts,
    body: markup`<h1>${title}</h1>
${headlineHtml(d)}
${banner}
${diagnosisHtml(d)}
<section id="findings"><h2>Findings <small>(${counts.error} error, ${counts.warn} warn, ${counts.info} info)</small></h2>${findingsHtml(d.findings, charts, d.images)}</section>
${chartsHtml(charts, d)}
${samplesHtml(d)}
${factsHtml(d)}`,
    ...(opts.live
      ? {
          live: {
            dataUrl: opts.live.dataUrl,
            first: liveState(d),
          },
        }
      : {}),
  });
}
