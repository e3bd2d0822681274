import type { ChartData, Heatmap, LineChart } from './client';
import { contributedCharts, contributedHeatmaps } from './contributed';
import { downsample } from './downsample';
import type { RunData } from './read-run';

function line(
  id: string,
  title: string,
  yLabel: string,
  x: number[],
  series: LineChart['series'],
  extra: Partial<LineChart> = {},
): LineChart {
  const d = downsample(
    x,
    series.map((s) => s.values),
  );
  return { id, title, yLabel, x: d.x, series: series.map((s, i) => ({ ...s, values: d.ys[i]! })), ...extra };
}

/** The page's series colours (runs in a comparison; metrics, train and validation paired). */
export const PAIR_COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const isLoss = (name: string) => /loss/i.test(name);
/** A y label for a set of metric names: accuracy is a fraction, anything else says what it is. */
export function metricLabel(names: string[]): string {
  if (names.length && names.every((n) => /acc/i.test(n))) return 'accuracy (fraction)';
  if (names.length && names.every(isLoss)) return 'loss';
  return names.length === 1 ? names[0]! : 'value';
}

/**
 * Train and validation series of the same metric share a colour (validation dashed), as in Keras
 * and W&B plots; `key` is e.g. `train acc` / `val acc`.
 */
function paired(keys: string[], value: (k: string) => (number | null)[]): LineChart['series'] {
  const base = (k: string) => k.replace(/^(train|val) /, '').replace(/^val_/, '');
  const bases = [...new Set(keys.map(base))];
  return keys.map((k) => ({
    label: k,
    values: value(k),
    color: PAIR_COLOURS[bases.indexOf(base(k)) % PAIR_COLOURS.length]!,
    dash: k.startsWith('val '),
  }));
}

/** Every chart the run's files can feed; charts without data are left out. */
export function buildCharts(d: RunData): ChartData {
  const lines: LineChart[] = [];
  const heatmaps: Heatmap[] = [];
  if (d.steps.length) {
    const steps = d.steps.map((s) => s.step);
    const metricNames = [...new Set(d.steps.flatMap((s) => Object.keys(s.metrics)))];
    lines.push(
      line(
        'chart-loss',
        'training loss per step (min/max kept when downsampled)',
        'training loss',
        steps,
        [{ label: 'loss', values: d.steps.map((s) => s.loss) }],
        { smooth: true },
      ),
    );
    if (metricNames.length)
      lines.push(
        line(
          'chart-metrics',
          'training metrics per step',
          metricLabel(metricNames),
          steps,
          metricNames.map((m) => ({ label: m, values: d.steps.map((s) => s.metrics[m] ?? null) })),
          { smooth: true },
        ),
      );
    if (d.steps.some((s) => s.learningRate !== undefined))
      lines.push(
        line(
          'chart-lr',
          'learning rate per step',
          'learning rate',
          steps,
          [{ label: 'learning rate', values: d.steps.map((s) => s.learningRate ?? null) }],
          { log: true },
        ),
      );
  }
  if (d.epochs.length) {
    const keys = [
      ...new Set(
        d.epochs.flatMap((e) => [
          ...Object.keys(e.train).map((k) => `train ${k}`),
          ...Object.keys(e.val).map((k) => `val ${k}`),
        ]),
      ),
    ];
    const value = (k: string) =>
      d.epochs.map((e) => (k.startsWith('train ') ? e.train[k.slice(6)] : e.val[k.slice(4)]) ?? null);
    const steps = d.epochs.map((e) => e.step);
    const losses = keys.filter(isLoss);
    const others = keys.filter((k) => !isLoss(k));
    // Loss and accuracy never share an axis: they live on different scales.
    if (losses.length)
      lines.push(line('chart-epochs', 'per epoch: training and validation loss', 'loss', steps, paired(losses, value)));
    if (others.length)
      lines.push(
        line(
          'chart-epoch-metrics',
          'per epoch: training and validation metrics',
          metricLabel(others.map((k) => k.replace(/^(train|val) /, ''))),
          steps,
          paired(others, value),
        ),
      );
  }
  // What plugins declared (their report.json): drawn as they say, no per-plugin code here.
  lines.push(...contributedCharts(d));
  heatmaps.push(...contributedHeatmaps(d));
  return { lines, heatmaps };
}
