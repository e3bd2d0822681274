import { downsample } from './downsample';
import type { LineChart } from './client';
import type { RunData } from './read-run';

/** A dotted path into a record (`out.zeros`); numbers written as strings ("NaN") come back as numbers. */
function get(v: unknown, dotted: string): unknown {
  let cur = v;
  for (const k of dotted.split('.'))
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
  return cur;
}
const num = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : null;
};

/**
 * The charts plugins declared, built from their files as each spec says: one series per field, or
 * one per item of an array field (by its key). The chart's page id is `<plugin>-<id>`; it remembers
 * its section and the finding codes it shows.
 */
export function contributedCharts(d: RunData): LineChart[] {
  return d.contributions.flatMap(({ plugin, spec, records }) => {
    const xField = spec.x ?? 'step';
    const rows = records.filter((r) => num(get(r, xField)) !== null);
    if (rows.length === 0) return [];
    const x = rows.map((r) => num(get(r, xField))!);
    let series: LineChart['series'];
    if (spec.series) {
      series = spec.series.map((s) => ({ label: s.label ?? s.field, values: rows.map((r) => num(get(r, s.field))) }));
    } else {
      const each = spec.each!;
      const items = (r: Record<string, unknown>) => {
        const a = get(r, each.array);
        return Array.isArray(a) ? (a as unknown[]) : [];
      };
      const keys = [...new Set(rows.flatMap((r) => items(r).map((it) => String(get(it, each.key)))))];
      series = keys.map((k) => ({
        label: k,
        values: rows.map((r) =>
          num(
            get(
              items(r).find((it) => String(get(it, each.key)) === k),
              each.value,
            ),
          ),
        ),
      }));
    }
    const ds = downsample(
      x,
      series.map((s) => s.values),
    );
    const chart: LineChart = {
      id: `${plugin}-${spec.id}`,
      title: spec.title,
      yLabel: spec.yLabel,
      x: ds.x,
      series: series.map((s, i) => ({ ...s, values: ds.ys[i]! })),
      section: spec.section ?? plugin,
      codes: [...(spec.findings ?? [])],
      ...(spec.log ? { log: true } : {}),
      ...(spec.band ? { band: [spec.band[0], spec.band[1]] as [number, number] } : {}),
      ...(spec.smooth ? { smooth: true } : {}),
    };
    return [chart];
  });
}
