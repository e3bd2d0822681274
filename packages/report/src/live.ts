import { buildCharts } from './charts';
import type { ChartData } from './client';
import { attachMarkers } from './markers';
import { runStatus, type RunData } from './read-run';

/** What the live page polls: the charts, and what tells it that the findings or the status moved. */
export interface LiveData {
  /** Changes whenever the run's records grew. */
  version: string;
  charts: ChartData;
  findings: number;
  status: string;
}

/** What tells the live page that the run moved on: a version of its records, its findings count and status. */
export function liveState(d: RunData): Omit<LiveData, 'charts'> {
  const st = runStatus(d);
  const version = [d.steps.length, d.epochs.length, d.gradients.length, d.activations.length, d.evals.length]
    .concat(d.findings.length)
    .join(':');
  return { version: `${version}:${st.status}`, findings: d.findings.length, status: st.status };
}

/** The live payload for a run, as `trainwatch serve` sends it. */
export function liveData(d: RunData): LiveData {
  return { ...liveState(d), charts: attachMarkers(buildCharts(d), d.findings) };
}

/* eslint-disable @typescript-eslint/no-explicit-any -- serialised into the page with the charts' script; no types reach it */
/**
 * The live page's poller (serialised into the page like `renderCharts`): every 2 s it fetches the
 * run's data from the same origin; new records redraw the charts in place (no reload), and new
 * findings or a status change show a notice with a link that reloads.
 */
export function pollLive(
  url: string,
  first: { version: string; findings: number; status: string },
  render: (data: any) => void,
): void {
  let version = first.version;
  let updates = 0;
  const notice = (text: string) => {
    let el = document.getElementById('live-notice');
    if (!el) {
      el = document.createElement('div');
      el.id = 'live-notice';
      el.className = 'banner';
      document.body.insertBefore(el, document.body.firstChild);
    }
    el.textContent = text + ' ';
    const a = document.createElement('a');
    a.href = location.pathname;
    a.textContent = 'reload';
    el.appendChild(a);
  };
  const tick = async () => {
    try {
      const r = await fetch(url, { cache: 'no-store' });
      if (!r.ok) return;
      const d = await r.json();
      if (d.version === version) return;
      version = d.version;
      render(d.charts);
      document.body.setAttribute('data-live-updates', String(++updates));
      if (d.findings !== first.findings || d.status !== first.status)
        notice('The run now has ' + d.findings + ' findings (status ' + d.status + '):');
    } catch {
      // The server went away (the run's `serve` was stopped): keep what is on the page.
    }
  };
  setInterval(tick, 2000);
}
