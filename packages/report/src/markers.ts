import type { Finding } from '@trainwatch/core';
import type { ChartData, ChartMarker } from './client';

const ORDER = { error: 0, warn: 1, info: 2 } as const;

/** Findings in the order the page lists them (severity, then step), each with its list entry's id. */
export function sortFindings(findings: readonly Finding[]): { f: Finding; target: string }[] {
  return [...findings]
    .sort((a, b) => ORDER[a.severity] - ORDER[b.severity] || a.step - b.step)
    .map((f, i) => ({ f, target: `finding-${i}` }));
}

/** Which chart shows the evidence of a finding. */
export function chartFor(f: Finding, charts: ChartData): string | undefined {
  // A chart a plugin declared for this code comes first.
  const declared = charts.lines.find((l) => l.codes?.includes(f.code));
  if (declared) return declared.id;
  // A declared heatmap: the one for the finding's layer (its item key), else the first.
  const maps = charts.heatmaps.filter((h) => h.codes?.includes(f.code));
  if (maps.length) return (maps.find((h) => h.key === f.layer) ?? maps[0]!).id;
  const ids = new Set([...charts.lines.map((c) => c.id), ...charts.heatmaps.map((h) => h.id)]);
  const c = f.code;
  let id: string;
  if (/^learning-rate/.test(c)) id = 'chart-lr';
  else if (/^(systematic-error|constant-predictions|label-disagreement)/.test(c)) return 'samples';
  else id = 'chart-loss';
  return ids.has(id) ? id : undefined;
}

/**
 * Puts a marker for each warn+ finding on the chart that shows its evidence, at its step: the
 * chart links to the finding and the finding to the chart. Info findings stay off the plots.
 */
export function attachMarkers(charts: ChartData, findings: readonly Finding[]): ChartData {
  const byChart = new Map<string, ChartMarker[]>();
  for (const { f, target } of sortFindings(findings)) {
    if (f.severity === 'info') continue;
    const id = chartFor(f, charts);
    if (!id || id === 'samples') continue;
    if (!byChart.has(id)) byChart.set(id, []);
    byChart.get(id)!.push({ step: f.step, severity: f.severity, code: f.code, target });
  }
  const with_ = <T extends { id: string }>(c: T): T => (byChart.has(c.id) ? { ...c, markers: byChart.get(c.id)! } : c);
  return { lines: charts.lines.map(with_), heatmaps: charts.heatmaps.map(with_) };
}
