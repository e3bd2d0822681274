import { downsample } from './downsample';
import type { ChartSpec } from '@trainwatch/core';
import type { Heatmap, LineChart } from './client';
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
    if (spec.kind === 'heatmap') return [];
    const xField = spec.x ?? 'step';
    const rows = records.filter((r) => num(get(r, xField)) !== null);
    if (rows.length === 0) return [];
    const x = rows.map((r) => num(get(r, xField))!);
    let series: LineChart['series'];
    if (spec.series) {
      series = spec.series.map((s) => ({ label: s.label ?? s.field, values: rows.map((r) => num(get(r, s.field))) }));
    } else {
      const each = spec.each!;
      const items = (r: Record<string, unknown>) => itemsOf(r, each);
      const keys = [...new Set(rows.flatMap((r) => items(r).map((it) => String(get(it, each.key)))))];
      series = keys.map((k) => ({
        label: k,
        values: rows.map((r) =>
          num(
            get(
              items(r).find((it) => String(get(it, each.key)) === k),
              each.value!,
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

/** The items of a record's array field (only those with `when`, if given). */
function itemsOf(r: Record<string, unknown>, each: NonNullable<ChartSpec['each']>): Record<string, unknown>[] {
  const a = get(r, each.array);
  const list = Array.isArray(a) ? (a as Record<string, unknown>[]) : [];
  return each.when ? list.filter((it) => get(it, each.when!) !== undefined) : list;
}

/** `{key}` and `{field.path}` in a heatmap's title, from its first item. */
const fill = (template: string, key: string, item: unknown) =>
  template.replace(/\{([\w.]+)\}/g, (_m, f: string) => (f === 'key' ? key : String(get(item, f) ?? '')));

/** The heatmaps plugins declared: one per item key (e.g. per layer), a column per record. */
export function contributedHeatmaps(d: RunData): Heatmap[] {
  return d.contributions.flatMap(({ plugin, spec, records }) => {
    if (spec.kind !== 'heatmap') return [];
    const each = spec.each!;
    const xField = spec.x ?? 'step';
    const keys = [...new Set(records.flatMap((r) => itemsOf(r, each).map((it) => String(get(it, each.key)))))];
    return keys.flatMap((key, i) => {
      const cols = records
        .map((r) => ({ x: num(get(r, xField)), it: itemsOf(r, each).find((x) => String(get(x, each.key)) === key) }))
        .map((c) => ({
          ...c,
          h: get(c.it, spec.histogram!) as { lo?: unknown; hi?: unknown; counts?: unknown } | undefined,
        }))
        .filter((c) => c.x !== null && c.h && Array.isArray(c.h.counts));
      if (cols.length === 0) return [];
      const first = cols[0]!;
      const heatmap: Heatmap = {
        id: `${plugin}-${spec.id}-${i}`,
        title: fill(spec.title, key, first.it),
        yLabel: fill(spec.yLabel, key, first.it),
        steps: cols.map((c) => c.x!),
        lo: num(first.h!.lo) ?? 0,
        hi: num(first.h!.hi) ?? 1,
        counts: cols.map((c) => (c.h!.counts as unknown[]).map((v) => num(v) ?? 0)),
        section: spec.section ?? plugin,
        codes: [...(spec.findings ?? [])],
        key,
      };
      return [heatmap];
    });
  });
}
