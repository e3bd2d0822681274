import { runStatus, type RunData } from './read-run';
import { markup, type SafeHtml } from './safe-html';

/** How the run went, as the headline colours it: a run that completed with problems is not green. */
export type Health = 'healthy' | 'problems' | 'failed' | 'stopped' | 'interrupted' | 'running';

/** The run's health from its status and its diagnosis (or, without one, its warn+ findings). */
export function runHealth(d: RunData): Health {
  const st = runStatus(d);
  if (!st.finished) return st.status === 'running' ? 'running' : 'interrupted';
  if (st.status === 'failed') return 'failed';
  const problems = d.diagnosis
    ? d.diagnosis.verdict === 'problems-found'
    : d.findings.some((f) => f.severity !== 'info' && f.code !== 'plugin-error');
  if (problems) return 'problems';
  return st.status === 'stopped' ? 'stopped' : 'healthy';
}

/** A metric for people: 3 significant digits, no exponent for ordinary values. */
export function round(v: unknown): string {
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isFinite(n)) return String(v);
  if (n === 0) return '0';
  const a = Math.abs(n);
  if (a >= 1e5 || a < 1e-3) return n.toExponential(2);
  return String(Number(n.toPrecision(3)));
}

const LABEL: Record<Health, string> = {
  healthy: 'completed · no problem found',
  problems: 'completed with problems',
  failed: 'failed',
  stopped: 'stopped',
  interrupted: 'did not finish',
  running: 'training…',
};

/** The metrics a headline shows: final training and validation values, and the last task evaluation. */
export function headlineMetrics(d: RunData): { train: [string, number][]; val: [string, number][] } {
  const final = (d.summary?.['final'] ?? d.end?.final ?? {}) as Record<string, number>;
  const entries = Object.entries(final).filter(([, v]) => typeof v === 'number');
  const val = entries.filter(([k]) => k.startsWith('val_'));
  // A plugin's own evaluation (a game's reward) from the summary's evaluations (any plugin that
  // published one with ctx.reportEval), when it is not the held-out set the validation already shows.
  const evaluations = (d.summary?.['evaluations'] ?? {}) as Record<string, Record<string, number>>;
  const lastTaskEval = [...d.evals].reverse().find((e) => e.evaluator === 'task');
  for (const metrics of Object.values(evaluations))
    if (!('val_loss' in final) || !('loss' in metrics))
      for (const [k, v] of Object.entries(metrics))
        if (k !== 'loss' && !k.startsWith('acc_class_')) val.push([`eval ${k}`, v]);
  // A run still going has no summary yet: its last task evaluation.
  if (!d.summary && lastTaskEval)
    for (const [k, v] of Object.entries(lastTaskEval.metrics)) if (k !== 'loss') val.push([`eval ${k}`, v]);
  return { train: entries.filter(([k]) => !k.startsWith('val_')), val };
}

/**
 * The top of the page: the verdict (the diagnosis headline, or the top findings without one), the
 * status coloured by health, the final metrics rounded, wall time, backend and steps per second.
 */
export function headlineHtml(d: RunData): SafeHtml {
  const st = runStatus(d);
  const health = runHealth(d);
  const s = d.summary ?? {};
  const steps = Number(s['steps'] ?? d.end?.step ?? d.steps.at(-1)?.step ?? 0);
  const wallMs = Number(s['wallMs'] ?? d.end?.wallMs ?? Number.NaN);
  const backend = (s['backend'] as { name?: string } | undefined)?.name ?? d.begin?.['backend'] ?? '?';
  const loud = d.findings.filter((f) => f.severity !== 'info').slice(0, 3);
  const verdict = d.diagnosis
    ? d.diagnosis.headline
    : loud.length
      ? loud.map((f) => `${f.code}${f.layer ? ` (${f.layer})` : ''}`).join(', ')
      : health === 'running'
        ? 'no findings yet'
        : 'no findings';
  const { train, val } = headlineMetrics(d);
  const cell = ([k, v]: [string, number]) =>
    markup`<span class="metric"><span class="k">${k}</span> ${round(v)}</span> `;
  const facts = [
    Number.isFinite(wallMs) ? `${round(wallMs / 1000)} s` : 'wall time unknown',
    `backend ${String(backend)}`,
    `${steps} steps`,
    Number.isFinite(wallMs) && wallMs > 0 ? `${round(steps / (wallMs / 1000))} steps/s` : '',
  ].filter(Boolean);
  return markup`<section id="headline" class="headline ${health}" data-health="${health}">
<div><span class="status ${health}">${LABEL[health]}</span> <span class="reason">${st.reason}</span></div>
<p class="verdict">${verdict}</p>
<div class="metrics">${train.length ? markup`<span class="group">train ${train.map(cell)}</span>` : ''}${val.length ? markup`<span class="group">validation ${val.map(cell)}</span>` : ''}</div>
<div class="facts">${facts.join(' · ')}</div></section>`;
}

/** The headline's styles (status colours by health). */
export const HEADLINE_STYLE = `.headline{border:1px solid #ddd;border-left-width:6px;padding:10px 14px;margin:8px 0 12px}
.headline.healthy{border-left-color:#2ca02c}.headline.problems,.headline.stopped,.headline.interrupted{border-left-color:#ff7f0e}.headline.failed{border-left-color:#d62728}
.status.healthy{background:#2ca02c}.status.problems,.status.stopped,.status.interrupted{background:#e67300}.status.failed{background:#d62728}
.headline.running{border-left-color:#1f77b4}.status.running{background:#1f77b4}
.verdict{font-size:16px;font-weight:600;margin:6px 0}.metrics .group{margin-right:18px}.metric{margin-left:8px;font-variant-numeric:tabular-nums}.metric .k{color:#666}
.headline .facts,.headline .reason{color:#555;font-size:13px}`;
