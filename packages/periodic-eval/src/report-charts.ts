import type { ChartSpec, ReportContribution } from '@trainwatch/core';

const FILE = 'periodic-eval/evals.jsonl';
const isLoss = (n: string) => /loss/i.test(n);
const CLASS = 'acc_class_';

/** A y label for metric names: accuracy is a fraction, anything else says what it is. */
function label(names: string[]): string {
  if (names.every((n) => /acc/i.test(n))) return 'accuracy (fraction)';
  if (names.every(isLoss)) return 'loss';
  return names.length === 1 ? names[0]! : 'value';
}

/**
 * What periodic-eval adds to the report, from the metrics of its first evaluation: the evaluated
 * metrics over steps, the evaluation loss on its own axis, per-class accuracy, and for a task's own
 * evaluator its behaviour (e.g. actions taken); each with the findings whose evidence it shows.
 */
export function reportCharts(
  metrics: Readonly<Record<string, number>>,
  monitored: string,
  behaviour: { width: number; labels: string[] } | undefined,
): ReportContribution {
  const names = Object.keys(metrics).filter((k) => !k.startsWith(CLASS));
  const others = names.filter((n) => !isLoss(n));
  const main = others.length ? others : names;
  const fields = (list: string[]) => list.map((n) => ({ field: `metrics.${n}`, label: n }));
  const charts: ChartSpec[] = [
    {
      id: 'evaluations',
      title: `evaluations (monitored: ${monitored})`,
      yLabel: label(main),
      file: FILE,
      series: fields(main),
      section: 'Evaluation',
      findings: [
        'eval-stagnant',
        'constant-behaviour',
        'overfitting',
        'init-loss-unexpected',
        'labels-unlearnable',
        'regularisation-too-strong',
        'eval-disagrees-with-training',
        'still-improving',
      ],
    },
  ];
  const losses = names.filter(isLoss);
  if (others.length && losses.length)
    charts.push({
      id: 'eval-loss',
      title: 'evaluation loss',
      yLabel: 'loss',
      file: FILE,
      series: fields(losses),
      section: 'Evaluation',
    });
  const classes = Object.keys(metrics).filter((k) => k.startsWith(CLASS));
  if (classes.length)
    charts.push({
      id: 'class-accuracy',
      title: 'per-class accuracy at each evaluation',
      yLabel: 'accuracy (fraction)',
      file: FILE,
      series: classes.map((k) => ({ field: `metrics.${k}`, label: k.slice(CLASS.length) })),
      section: 'Evaluation',
    });
  if (behaviour && behaviour.width > 0)
    charts.push({
      id: 'behaviour',
      title: 'behaviour at each evaluation (e.g. actions taken)',
      yLabel: 'times taken (count)',
      file: FILE,
      series: Array.from({ length: behaviour.width }, (_, k) => ({
        field: `behaviour.${k}`,
        label: behaviour.labels[k] ?? `#${k}`,
      })),
      section: 'Evaluation',
      findings: [],
    });
  return { charts };
}

/** A task evaluator's behaviour as the chart needs it: its width and the names of its entries (e.g. actions). */
export function behaviourOf(rec: {
  behaviour?: string | readonly number[];
  details?: Record<string, unknown>;
}): { width: number; labels: string[] } | undefined {
  if (!Array.isArray(rec.behaviour)) return undefined;
  const actions = rec.details?.['actions'];
  const labels = actions && typeof actions === 'object' ? Object.keys(actions) : [];
  return { width: rec.behaviour.length, labels };
}
