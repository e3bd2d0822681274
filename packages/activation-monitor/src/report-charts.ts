import type { ReportContribution } from '@trainwatch/core';

/**
 * What activation-monitor adds to the report, from `activation-monitor/stats.jsonl`: per layer, the
 * histogram of its pre-activation (or output) over time, where dead units pile up at 0 and
 * saturated ones at the edges; and the share of exact-zero outputs of each ReLU layer.
 */
export function reportCharts(): ReportContribution {
  const file = 'activation-monitor/stats.jsonl';
  return {
    charts: [
      {
        kind: 'heatmap',
        id: 'histogram',
        title: '{key} ({activation}): histogram of the {hist.of} values over time',
        yLabel: '{hist.of} value',
        file,
        each: { array: 'layers', key: 'layer' },
        histogram: 'hist',
        section: 'Activations',
        findings: ['dead-units', 'saturated-activation', 'activation-collapse', 'activation-explosion'],
      },
      {
        id: 'dead-share',
        title: 'share of exact-zero outputs (ReLU layers; a dying layer climbs to 1)',
        yLabel: 'share of outputs = 0',
        file,
        each: { array: 'layers', key: 'layer', value: 'out.zeros', when: 'activeUnits' },
        section: 'Activations',
      },
    ],
  };
}
