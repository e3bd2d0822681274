import type { ChartData, Heatmap, LineChart } from './client';
import type { RunData } from './read-run';

/**
 * Keeps at most `max` points per series by bucketing x and keeping, per bucket, the points with the
 * smallest and the largest value (in x order): spikes stay visible, the page stays small.
 */
export function downsample(x: number[], ys: (number | null)[][], max = 1000): { x: number[]; ys: (number | null)[][] } {
  if (x.length <= max) return { x, ys };
  const buckets = Math.floor(max / 2);
  const size = x.length / buckets;
  const keep = new Set<number>();
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.min(x.length, Math.floor((b + 1) * size));
    for (const y of ys) {
      let lo = -1;
      let hi = -1;
      for (let i = from; i < to; i++) {
        const v = y[i];
        if (v === null || v === undefined || !Number.isFinite(v)) continue;
        if (lo < 0 || v < y[lo]!) lo = i;
        if (hi < 0 || v > y[hi]!) hi = i;
      }
      if (lo >= 0) keep.add(lo);
      if (hi >= 0) keep.add(hi);
    }
    keep.add(from);
  }
  const idx = [...keep].sort((a, b) => a - b);
  return { x: idx.map((i) => x[i]!), ys: ys.map((y) => idx.map((i) => y[i] ?? null)) };
}

function line(
  id: string,
  title: string,
  x: number[],
  series: { label: string; values: (number | null)[] }[],
  extra: Partial<LineChart> = {},
): LineChart {
  const d = downsample(
    x,
    series.map((s) => s.values),
  );
  return { id, title, x: d.x, series: series.map((s, i) => ({ label: s.label, values: d.ys[i]! })), ...extra };
}

/** The healthy update-to-weight band from gradient-guard's options in the config, else its defaults. */
function updateBand(config: unknown): [number, number] {
  const plugins =
    (
      config as
        { plugins?: { use?: string; options?: { updateRatio?: { low?: number; high?: number } } }[] } | undefined
    )?.plugins ?? [];
  const gg = plugins.find((p) => typeof p.use === 'string' && p.use.includes('gradient-guard'));
  return [gg?.options?.updateRatio?.low ?? 1e-5, gg?.options?.updateRatio?.high ?? 1e-1];
}

/** Every chart the run's files can feed; charts without data are left out. */
export function buildCharts(d: RunData): ChartData {
  const lines: LineChart[] = [];
  const heatmaps: Heatmap[] = [];
  if (d.steps.length) {
    const metricNames = [...new Set(d.steps.flatMap((s) => Object.keys(s.metrics)))];
    lines.push(
      line(
        'chart-loss',
        'training loss per step (min/max kept when downsampled)',
        d.steps.map((s) => s.step),
        [{ label: 'loss', values: d.steps.map((s) => s.loss) }],
      ),
    );
    if (metricNames.length)
      lines.push(
        line(
          'chart-metrics',
          'training metrics per step',
          d.steps.map((s) => s.step),
          metricNames.map((m) => ({ label: m, values: d.steps.map((s) => s.metrics[m] ?? null) })),
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
    const value = (e: RunData['epochs'][number], k: string) =>
      (k.startsWith('train ') ? e.train[k.slice(6)] : e.val[k.slice(4)]) ?? null;
    lines.push(
      line(
        'chart-epochs',
        'per epoch: training and validation',
        d.epochs.map((e) => e.step),
        keys.map((k) => ({ label: k, values: d.epochs.map((e) => value(e, k)) })),
      ),
    );
  }
  if (d.gradients.length) {
    const layers = [...new Set(d.gradients.flatMap((g) => g.layers.map((l) => l.layer)))];
    const at = (g: RunData['gradients'][number], layer: string) => g.layers.find((l) => l.layer === layer);
    lines.push(
      line(
        'chart-gradients',
        'gradient L2 norm per layer (log)',
        d.gradients.map((g) => g.step),
        layers.map((l) => ({ label: l, values: d.gradients.map((g) => at(g, l)?.grad ?? null) })),
        { log: true },
      ),
    );
    const withUpdate = d.gradients.filter((g) => g.layers.some((l) => typeof l.update === 'number'));
    if (withUpdate.length) {
      lines.push(
        line(
          'chart-updates',
          'update-to-weight ratio ‖Δw‖/‖w‖ per layer (log; shaded: healthy band)',
          withUpdate.map((g) => g.step),
          layers.map((l) => ({ label: l, values: withUpdate.map((g) => at(g, l)?.update ?? null) })),
          { log: true, band: updateBand(d.config) },
        ),
      );
    }
  }
  if (d.activations.length) {
    const layers = [...new Set(d.activations.flatMap((a) => a.layers.map((l) => l.layer)))];
    layers.forEach((layer, i) => {
      const cols = d.activations
        .map((a) => ({ step: a.step, l: a.layers.find((x) => x.layer === layer) }))
        .filter((c) => c.l);
      const first = cols[0]!.l!;
      heatmaps.push({
        id: `act-${i}`,
        title: `${layer} (${first.activation}): histogram of the ${first.hist.of === 'pre' ? 'pre-activation' : 'output'} over time`,
        steps: cols.map((c) => c.step),
        lo: first.hist.lo,
        hi: first.hist.hi,
        counts: cols.map((c) => c.l!.hist.counts),
      });
    });
    const relu = layers.filter((l) =>
      d.activations.some((a) => a.layers.find((x) => x.layer === l)?.activeUnits !== undefined),
    );
    if (relu.length)
      lines.push(
        line(
          'chart-active',
          'share of exact-zero outputs (ReLU layers; a dying layer climbs to 1)',
          d.activations.map((a) => a.step),
          relu.map((l) => ({
            label: l,
            values: d.activations.map((a) => a.layers.find((x) => x.layer === l)?.out['zeros'] ?? null),
          })),
        ),
      );
  }
  if (d.evals.length) {
    const names = [...new Set(d.evals.flatMap((e) => Object.keys(e.metrics)))].filter(
      (k) => !k.startsWith('acc_class_'),
    );
    lines.push(
      line(
        'chart-evals',
        `evaluations (periodic-eval; monitored: ${d.evals[0]!.monitor?.metric ?? 'loss'})`,
        d.evals.map((e) => e.step),
        names.map((n) => ({ label: n, values: d.evals.map((e) => e.metrics[n] ?? null) })),
      ),
    );
    const behaviour = d.evals.filter((e) => Array.isArray(e.behaviour));
    if (behaviour.length) {
      const width = (behaviour[0]!.behaviour as number[]).length;
      const labels = Object.keys((behaviour[0]!.details?.['actions'] as Record<string, number> | undefined) ?? {});
      lines.push(
        line(
          'chart-behaviour',
          'behaviour at each evaluation (e.g. actions taken)',
          behaviour.map((e) => e.step),
          Array.from({ length: width }, (_, k) => ({
            label: labels[k] ?? `#${k}`,
            values: behaviour.map((e) => (e.behaviour as number[])[k] ?? null),
          })),
        ),
      );
    }
  }
  return { lines, heatmaps };
}
