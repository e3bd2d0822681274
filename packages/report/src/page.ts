import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { renderCharts, type ChartData } from './client';
import { pollLive } from './live';
import { markup, trusted, type SafeHtml } from './safe-html';

/** JSON safe inside a <script> element: no `</script>`, no `<!--`. */
function scriptJson(v: unknown): string {
  return JSON.stringify(v)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A CSP source for one inline script: its SHA-256, so only the page's own scripts run (no inline handlers). */
const scriptHash = (code: string) => `'sha256-${crypto.createHash('sha256').update(code, 'utf8').digest('base64')}'`;

function csp(scripts: readonly string[], live: boolean): string {
  return [
    "default-src 'none'",
    `script-src ${scripts.map(scriptHash).join(' ')}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    // Only the live page (trainwatch serve) fetches, and only from where it came from.
    live ? "connect-src 'self'" : "connect-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/**
 * A self-contained page (the report, a comparison): uPlot and its CSS inlined, the chart data as
 * JSON, the page's own scripts allowed by hash and nothing else; with `live`, a poller that fetches
 * from the page's own origin.
 */
export function htmlPage(o: {
  title: string;
  style: string;
  body: SafeHtml;
  charts: ChartData;
  live?: { dataUrl: string; first: { version: string; findings: number; status: string } };
}): string {
  const uplotJs = fs
    .readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8')
    .replace(/<\/script/gi, '<\\/script');
  const uplotCss = fs.readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  const render = `var render = function (c) { (${renderCharts.toString()})(c, uPlot); };\nrender(JSON.parse(document.getElementById('chart-data').textContent));`;
  const boot = o.live
    ? `${render}\n(${pollLive.toString()})(${JSON.stringify(o.live.dataUrl)}, ${JSON.stringify(o.live.first)}, render);`
    : render;
  // The CSP attribute holds only quotes and base64: its value is the page's own, not escaped data.
  return markup`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${trusted(csp([uplotJs, boot], o.live !== undefined))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title}</title>
<style>${trusted(uplotCss)}
${trusted(o.style)}</style></head>
<body>
${o.body}
<script type="application/json" id="chart-data">${trusted(scriptJson(o.charts))}</script>
<script>${trusted(uplotJs)}</script>
<script>${trusted(boot)}</script>
</body></html>
`.value;
}
