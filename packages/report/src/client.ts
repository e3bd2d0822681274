/**
 * The page's own script. It is serialised with `Function.prototype.toString` into the report, so it
 * must stay self-contained: no imports, no closures over module scope.
 */

/** A finding drawn on a chart: a vertical line at its step, linked to its entry in the list. */
export interface ChartMarker {
  step: number;
  severity: 'info' | 'warn' | 'error';
  code: string;
  /** The id of the finding's list entry (`finding-3`). */
  target: string;
}

/** A line chart: shared x, one array per series (null for gaps). */
export interface LineChart {
  id: string;
  title: string;
  x: number[];
  series: { label: string; values: (number | null)[]; color?: string; dash?: boolean }[];
  /** Start on a log y scale (the reader can switch). */
  log?: boolean;
  /** A healthy range on the y axis (e.g. the update-to-weight ratio): its edges are drawn as dashed lines. */
  band?: [number, number];
  xLabel?: string;
  /** The y axis' label, with its unit. */
  yLabel: string;
  /** Offer a smoothing slider (per-step series). */
  smooth?: boolean;
  markers?: ChartMarker[];
  /** A plugin's chart: the page section it goes in. */
  section?: string;
  /** A plugin's chart: the finding codes it shows (markers and links). */
  codes?: string[];
}

/** A heatmap: columns over time, rows are histogram bins (first row = lowest bin). */
export interface Heatmap {
  id: string;
  title: string;
  steps: number[];
  lo: number;
  hi: number;
  counts: number[][];
  /** What the rows measure (e.g. "pre-activation value"). */
  yLabel: string;
  markers?: ChartMarker[];
  /** A plugin's heatmap: its section, the finding codes it shows, and the item it is for (e.g. a layer). */
  section?: string;
  codes?: string[];
  key?: string;
}

/** Everything the page's script draws. */
export interface ChartData {
  lines: LineChart[];
  heatmaps: Heatmap[];
}

/* eslint-disable @typescript-eslint/no-explicit-any -- uPlot is inlined into the page as a plain script: no types reach this code */
export function renderCharts(data: ChartData, uPlot: any): void {
  const palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f'];
  const sevColour: Record<string, string> = { error: '#d62728', warn: '#e67300', info: '#1f77b4' };
  const el = (tag: string, attrs: Record<string, string>, text?: string) => {
    const e = document.createElement(tag);
    for (const k of Object.keys(attrs)) e.setAttribute(k, attrs[k]!);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  // Exponential moving average, TensorBoard-style (debiased), skipping gaps.
  const ema = (v: (number | null)[], w: number) => {
    let acc = 0;
    let n = 0;
    return v.map((y) => {
      if (y === null || !isFinite(y)) return null;
      acc = acc * w + (1 - w) * y;
      n++;
      return acc / (1 - Math.pow(w, n));
    });
  };
  const sci = (v: number) =>
    v === 0 ? '0' : Math.abs(v) >= 1e4 || Math.abs(v) < 1e-2 ? v.toExponential(0) : String(v);
  // Links below a chart, one per finding marker (the finding links back to the chart).
  const markerLinks = (host: HTMLElement, markers: ChartMarker[] | undefined) => {
    if (!markers || !markers.length) return;
    const p = el('p', { class: 'markers' }, 'findings on this chart: ');
    for (const m of markers) {
      const a = el('a', { href: '#' + m.target, class: 'marker ' + m.severity }, '▲ ' + m.code + ' @' + m.step);
      p.appendChild(a);
      p.appendChild(document.createTextNode(' '));
    }
    host.appendChild(p);
    host.setAttribute('data-markers', String(markers.length));
  };
  const draw = (c: LineChart, host: HTMLElement, plotEl: HTMLElement, log: boolean, w: number) => {
    plotEl.textContent = '';
    const width = Math.max(320, Math.min(1100, (host.parentElement ? host.parentElement.clientWidth : 900) - 8));
    const ys = c.series.map((s) => {
      const v = w > 0 ? ema(s.values, w) : s.values;
      // A log scale cannot show values <= 0: those become gaps.
      return v.map((y) => (y === null || !isFinite(y) || (log && y <= 0) ? null : y));
    });
    const finite = ([] as number[]).concat(...ys.map((v) => v.filter((y): y is number => y !== null)));
    const lo = finite.length ? Math.min(...finite) : 0;
    const hi = finite.length ? Math.max(...finite) : 1;
    const hooks = {
      draw: [
        (u: any) => {
          const ctx = u.ctx;
          ctx.save();
          const { left, top, width: bw, height: bh } = u.bbox;
          if (c.band) {
            ctx.setLineDash([6, 4]);
            ctx.strokeStyle = 'rgba(44,160,44,0.9)';
            for (const b of c.band) {
              const y = u.valToPos(b, 'y', true);
              if (y < top || y > top + bh) continue;
              ctx.beginPath();
              ctx.moveTo(left, y);
              ctx.lineTo(left + bw, y);
              ctx.stroke();
            }
          }
          ctx.setLineDash([2, 3]);
          for (const m of c.markers || []) {
            const x = u.valToPos(m.step, 'x', true);
            if (x < left || x > left + bw) continue;
            ctx.strokeStyle = sevColour[m.severity] || '#666';
            ctx.beginPath();
            ctx.moveTo(x, top);
            ctx.lineTo(x, top + bh);
            ctx.stroke();
            ctx.fillStyle = ctx.strokeStyle;
            ctx.fillText('▲', x - 4, top + bh - 2);
          }
          ctx.restore();
        },
      ],
    };
    const opts = {
      title: c.title,
      width,
      height: 260,
      scales: {
        x: { time: false },
        // The healthy band's edges are shown when they lie within a decade of the data, not forced in.
        y: log
          ? { distr: 3 }
          : {
              range: (_u: any, a: number, b: number) => (a === b ? [a - 1, b + 1] : [Math.min(a, lo), Math.max(b, hi)]),
            },
      },
      axes: [
        // Steps are whole numbers: no ticks at 2.5.
        {
          label: c.xLabel || 'step',
          incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 1e5, 2e5, 5e5, 1e6],
        },
        {
          label: c.yLabel + (log ? ' (log)' : ''),
          size: 64,
          values: (_u: any, splits: (number | null)[]) =>
            splits.map((v) => (v === null || v === undefined ? '' : log ? sci(v) : String(+v.toPrecision(4)))),
        },
      ],
      series: [{ label: c.xLabel || 'step' }].concat(
        c.series.map(
          (s, i) =>
            ({
              label: s.label,
              stroke: s.color || palette[i % palette.length],
              dash: s.dash ? [6, 4] : undefined,
              width: 1.5,
              spanGaps: true,
              points: { show: c.x.length < 60 },
            }) as any,
        ),
      ),
      hooks,
    };
    new uPlot(opts, [c.x].concat(ys as any), plotEl);
    host.setAttribute('data-rendered', String(c.x.length));
    host.setAttribute('data-y-label', opts.axes[1]!.label);
    host.setAttribute('data-log', String(log));
  };
  for (const c of data.lines) {
    const host = document.getElementById(c.id);
    if (!host) continue;
    // Drawn again with new data (the live page): the reader's toggles stay as they were.
    const wasLog = host.getAttribute('data-log');
    const wasSmooth = (host.querySelector('.smooth') as HTMLInputElement | null)?.value;
    host.textContent = '';
    const controls = el('div', { class: 'controls' });
    const logBox = el('input', { type: 'checkbox', class: 'log-toggle' }) as HTMLInputElement;
    logBox.checked = wasLog === null ? !!c.log : wasLog === 'true';
    const logLabel = el('label', {}, ' log y ');
    logLabel.prepend(logBox);
    controls.appendChild(logLabel);
    const slider = el('input', {
      type: 'range',
      min: '0',
      max: '0.99',
      step: '0.01',
      value: wasSmooth || '0',
      class: 'smooth',
    });
    if (c.smooth) {
      const sl = el('label', {}, ' smoothing ');
      sl.appendChild(slider);
      controls.appendChild(sl);
    }
    const plotEl = el('div', { class: 'plot' });
    host.appendChild(controls);
    host.appendChild(plotEl);
    const redraw = () => draw(c, host, plotEl, logBox.checked, Number((slider as HTMLInputElement).value));
    logBox.addEventListener('change', redraw);
    slider.addEventListener('input', redraw);
    redraw();
    markerLinks(host, c.markers);
  }
  for (const h of data.heatmaps) {
    const canvas = document.getElementById(h.id) as HTMLCanvasElement | null;
    if (!canvas) continue;
    const cols = h.counts.length;
    const rows = cols ? h.counts[0]!.length : 0;
    const cw = Math.max(2, Math.min(12, Math.floor(860 / Math.max(1, cols))));
    const rh = 4;
    const left = 64;
    const legend = 70;
    canvas.width = left + cols * cw + legend;
    canvas.height = rows * rh + 34;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    let max = 1;
    for (const col of h.counts) for (const v of col) max = Math.max(max, v);
    // Log colour scale: a few dead or saturated units still show.
    const colour = (t: number) => 'hsl(' + (240 - 240 * t) + ',85%,' + (85 - 45 * t) + '%)';
    for (let i = 0; i < cols; i++)
      for (let j = 0; j < rows; j++) {
        const v = h.counts[i]![j]!;
        if (v <= 0) continue;
        ctx.fillStyle = colour(Math.log(1 + v) / Math.log(1 + max));
        ctx.fillRect(left + i * cw, (rows - 1 - j) * rh, cw, rh);
      }
    ctx.fillStyle = '#333';
    ctx.font = '10px sans-serif';
    // y axis: bin values at the bottom, middle and top.
    const yTicks: [number, number][] = [
      [h.lo, rows * rh],
      [(h.lo + h.hi) / 2, (rows * rh) / 2 + 4],
      [h.hi, 10],
    ];
    for (const [v, y] of yTicks) ctx.fillText(String(+v.toPrecision(3)), 2, y);
    // x axis: up to 6 step ticks.
    const n = Math.min(6, cols);
    for (let k = 0; k < n; k++) {
      const i = n === 1 ? 0 : Math.round((k * (cols - 1)) / (n - 1));
      const x = left + i * cw;
      ctx.fillRect(x, rows * rh, 1, 4);
      ctx.fillText(String(h.steps[i]), x - 6, rows * rh + 14);
    }
    ctx.fillText('step', left + (cols * cw) / 2 - 10, rows * rh + 28);
    // Finding markers at their step's column.
    for (const m of h.markers || []) {
      let i = 0;
      while (i < cols - 1 && h.steps[i + 1]! <= m.step) i++;
      ctx.fillStyle = sevColour[m.severity] || '#666';
      ctx.fillText('▼', left + i * cw - 3, 9);
    }
    // Colour scale: counts from 0 to the largest, log-spaced.
    const lx = left + cols * cw + 16;
    for (let j = 0; j < rows; j++) {
      ctx.fillStyle = colour(j / Math.max(1, rows - 1));
      ctx.fillRect(lx, (rows - 1 - j) * rh, 10, rh);
    }
    ctx.fillStyle = '#333';
    ctx.fillText(String(max), lx + 13, 10);
    ctx.fillText('0', lx + 13, rows * rh);
    ctx.fillText('count', lx - 2, rows * rh + 14);
    canvas.setAttribute('data-rendered', String(cols));
    canvas.setAttribute('data-y-label', h.yLabel);
    const fig = canvas.parentElement;
    if (fig) {
      fig.querySelectorAll('.markers').forEach((m) => m.remove());
      markerLinks(fig, h.markers);
    }
  }
}
