/**
 * The page's own script. It is serialised with `Function.prototype.toString` into the report, so it
 * must stay self-contained: no imports, no closures over module scope.
 */

/** A line chart: shared x, one array per series (null for gaps). */
export interface LineChart {
  id: string;
  title: string;
  x: number[];
  series: { label: string; values: (number | null)[] }[];
  log?: boolean;
  /** A shaded band on the y axis (e.g. the healthy update-to-weight range). */
  band?: [number, number];
  xLabel?: string;
}

/** A heatmap: columns over time, rows are histogram bins (first row = lowest bin). */
export interface Heatmap {
  id: string;
  title: string;
  steps: number[];
  lo: number;
  hi: number;
  counts: number[][];
}

export interface ChartData {
  lines: LineChart[];
  heatmaps: Heatmap[];
}

/* eslint-disable @typescript-eslint/no-explicit-any -- uPlot is inlined into the page as a plain script: no types reach this code */
export function renderCharts(data: ChartData, uPlot: any): void {
  const palette = [
    '#1f77b4',
    '#d62728',
    '#2ca02c',
    '#ff7f0e',
    '#9467bd',
    '#8c564b',
    '#e377c2',
    '#17becf',
    '#7f7f7f',
    '#bcbd22',
  ];
  for (const c of data.lines) {
    const el = document.getElementById(c.id);
    if (!el) continue;
    const width = Math.max(320, Math.min(1100, (el.parentElement ? el.parentElement.clientWidth : 900) - 8));
    const bandHook = c.band
      ? [
          (u: any) => {
            const ctx = u.ctx;
            const top = u.bbox.top;
            const bottom = u.bbox.top + u.bbox.height;
            const y0 = Math.max(top, Math.min(bottom, u.valToPos(c.band![1], 'y', true)));
            const y1 = Math.max(top, Math.min(bottom, u.valToPos(c.band![0], 'y', true)));
            ctx.save();
            ctx.fillStyle = 'rgba(44,160,44,0.12)';
            ctx.fillRect(u.bbox.left, Math.min(y0, y1), u.bbox.width, Math.abs(y1 - y0));
            ctx.restore();
          },
        ]
      : [];
    const opts = {
      title: c.title,
      width,
      height: 260,
      // With a band, the y range always shows both of its edges.
      scales: {
        x: { time: false },
        y: Object.assign(
          c.log ? { distr: 3 } : {},
          c.band
            ? { range: (_u: any, lo: number, hi: number) => [Math.min(lo, c.band![0]), Math.max(hi, c.band![1])] }
            : {},
        ),
      },
      // Log axes span decades: label them 1e-3, not 0.001 rounded to 0.
      axes: [
        { label: c.xLabel || 'step' },
        c.log
          ? {
              values: (_u: any, splits: (number | null)[]) =>
                splits.map((v) => (v === null || v === undefined ? '' : v === 0 ? '0' : v.toExponential(0))),
              size: 60,
            }
          : {},
      ],
      series: [{ label: c.xLabel || 'step' }].concat(
        c.series.map(
          (s, i) =>
            ({
              label: s.label,
              stroke: palette[i % palette.length],
              width: 1.5,
              spanGaps: true,
              points: { show: c.x.length < 60 },
            }) as any,
        ),
      ),
      hooks: { drawClear: bandHook },
    };
    // uPlot's log scale cannot show values <= 0: those become gaps.
    const ys = c.series.map((s) => s.values.map((v) => (v === null || !isFinite(v) || (c.log && v <= 0) ? null : v)));
    new uPlot(opts, [c.x].concat(ys as any), el);
    el.setAttribute('data-rendered', String(c.x.length));
  }
  for (const h of data.heatmaps) {
    const canvas = document.getElementById(h.id) as HTMLCanvasElement | null;
    if (!canvas) continue;
    const cols = h.counts.length;
    const rows = cols ? h.counts[0]!.length : 0;
    const cw = Math.max(2, Math.min(12, Math.floor(900 / Math.max(1, cols))));
    const rh = 4;
    canvas.width = cols * cw + 50;
    canvas.height = rows * rh + 20;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    let max = 1;
    for (const col of h.counts) for (const v of col) max = Math.max(max, v);
    for (let i = 0; i < cols; i++) {
      for (let j = 0; j < rows; j++) {
        const v = h.counts[i]![j]!;
        if (v <= 0) continue;
        // Log colour scale: a few dead or saturated units still show.
        const t = Math.log(1 + v) / Math.log(1 + max);
        ctx.fillStyle = 'hsl(' + (240 - 240 * t) + ',85%,' + (85 - 45 * t) + '%)';
        ctx.fillRect(50 + i * cw, (rows - 1 - j) * rh, cw, rh);
      }
    }
    ctx.fillStyle = '#333';
    ctx.font = '10px sans-serif';
    ctx.fillText(String(h.hi), 2, 10);
    ctx.fillText(String(h.lo), 2, rows * rh);
    ctx.fillText('step ' + h.steps[0] + ' → ' + h.steps[cols - 1], 50, rows * rh + 14);
    canvas.setAttribute('data-rendered', String(cols));
  }
}
