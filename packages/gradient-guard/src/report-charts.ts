import type { ReportContribution } from '@trainwatch/core';
import type { GradientGuardOptions } from './options';

/**
 * What gradient-guard adds to the report: per-layer gradient norms and update-to-weight ratios from
 * `gradient-guard/series.jsonl`, each with the findings whose evidence it shows.
 */
export function reportCharts(o: GradientGuardOptions): ReportContribution {
  const file = 'gradient-guard/series.jsonl';
  return {
    charts: [
      {
        id: 'gradient-norm',
        title: 'gradient L2 norm per layer',
        yLabel: 'gradient L2 norm',
        file,
        each: { array: 'layers', key: 'layer', value: 'grad' },
        log: true,
        section: 'Gradients',
        findings: [
          'nonfinite-gradient',
          'nonfinite-loss',
          'nonfinite-weights',
          'exploding-gradient',
          'vanishing-gradient',
          'gradient-check-failed',
          'gradient-check-passed',
          'gradient-check-inconclusive',
          'symmetric-weights',
        ],
      },
      {
        id: 'update-ratio',
        title: `update-to-weight ratio per layer (dashed: healthy range ${o.updateRatio.low}..${o.updateRatio.high})`,
        yLabel: '‖Δw‖ / ‖w‖',
        file,
        each: { array: 'layers', key: 'layer', value: 'update' },
        log: true,
        band: [o.updateRatio.low, o.updateRatio.high],
        section: 'Gradients',
        findings: ['update-ratio-high', 'update-ratio-low', 'weights-not-updating'],
      },
    ],
  };
}
