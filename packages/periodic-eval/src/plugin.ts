import {
  definePlugin,
  describeParams,
  saveModelFiles,
  tf,
  toJson,
  type EvalResult,
  type PluginContext,
} from '@trainwatch/core';
import { evaluateDataset } from './dataset-eval';
import { EvalHistory } from './history';
import { PeriodicEvalOptions } from './options';
import { pointOf, ProgressChecks } from './progress-checks';
import { behaviourOf, reportCharts } from './report-charts';
import { initLoss } from './init-loss';

/** Why an evaluation ran. */
export type Trigger = 'baseline' | 'steps' | 'minutes' | 'epoch' | 'final';

/** One line of periodic-eval/evals.jsonl. */
export interface EvalRecord {
  step: number;
  epoch: number;
  trigger: Trigger[];
  evaluator: 'dataset' | 'task';
  metrics: Record<string, number>;
  monitor: { metric: string; value: number; best: boolean };
  trainLoss?: number;
  evalMs: number;
  behaviour?: string | readonly number[];
  confusion?: number[][];
  details?: Readonly<Record<string, unknown>>;
}

type Ctx = PluginContext<PeriodicEvalOptions>;

const meanVar = (xs: readonly number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { m, v: xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(1, xs.length - 1) };
};

/**
 * periodic-eval: judges the current weights on a schedule (steps, wall-clock minutes, epoch ends,
 * plus a baseline before training and a final evaluation), on held-out data or with the task's own
 * evaluator (e.g. playing the game), and reports what the history shows.
 */
export const periodicEval = definePlugin({
  name: 'periodic-eval',
  description:
    'Evaluate the current weights every N steps / T minutes / epoch (held-out data or the task’s evaluator, e.g. play the game); eval-stagnant, constant-behaviour, overfitting, loss-not-decreasing, init-loss-unexpected; early stopping, best weights.',
  schema: PeriodicEvalOptions,
  setup(ctx) {
    const o = ctx.options;
    const useTask = o.evaluator === 'task' || (o.evaluator === 'auto' && ctx.task.evaluate !== undefined);
    if (useTask && !ctx.task.evaluate)
      throw new Error(`evaluator "task" needs a task with evaluate(); task "${ctx.task.name}" has none`);
    if (!useTask && !ctx.task.validation)
      throw new Error(
        `evaluator "dataset" needs held-out data; task "${ctx.task.name}" has none (set training.validation.split or use a task evaluator)`,
      );
    let history: EvalHistory | undefined;
    let lastEvalStep = -1;
    let lastEvalClock = ctx.clock();
    let busy = false;
    let evalMsTotal = 0;
    let evaluations = 0;
    let best: tf.NamedTensorMap | undefined;
    let flatRuns = 0;
    let lossNotDecreasingFired = false;
    const losses: number[] = [];
    let sinceEval: number[] = [];
    const classes = ctx.model.outputs[0]!.shape.at(-1) ?? 0;
    let baselineLoss: number | undefined;
    const progress = new ProgressChecks({ classes, taskEvaluator: useTask }, (f) => ctx.report(f));

    const keepBest = () => {
      if (!o.restoreBest) return;
      tf.dispose(Object.values(best ?? {}));
      best = Object.fromEntries(describeParams(ctx.model).variables.map((v) => [v.name, tf.keep(tf.clone(v))]));
    };

    async function run(triggers: Trigger[], step: number, epoch: number): Promise<void> {
      if (busy || step === lastEvalStep) return; // never overlap, never twice for one step
      busy = true;
      try {
        const t0 = performance.now();
        const rec = await evaluateNow(ctx, useTask, step, epoch);
        const evalMs = performance.now() - t0;
        evalMsTotal += evalMs;
        evaluations++;
        lastEvalStep = step;
        lastEvalClock = ctx.clock();
        const trainLoss = sinceEval.length ? sinceEval.reduce((a, b) => a + b, 0) / sinceEval.length : undefined;
        sinceEval = [];
        history ??= makeHistory(o, rec.monitor);
        const value = rec.metrics[history.metric];
        if (value === undefined)
          throw new Error(
            `monitor.metric "${history.metric}" is not among the evaluator's metrics (${Object.keys(rec.metrics).join(', ')})`,
          );
        const signature =
          rec.behaviour === undefined
            ? undefined
            : typeof rec.behaviour === 'string'
              ? rec.behaviour
              : rec.behaviour.join(',');
        const { improved, findings } = history.add({
          step,
          value,
          evalLoss: useTask ? undefined : rec.metrics['loss'],
          trainLoss,
          signature,
        });
        const record: EvalRecord = {
          step,
          epoch,
          trigger: triggers,
          evaluator: useTask ? 'task' : 'dataset',
          metrics: rec.metrics,
          monitor: { metric: history.metric, value, best: improved },
          ...(trainLoss !== undefined ? { trainLoss } : {}),
          evalMs,
          ...(rec.behaviour !== undefined && useTask ? { behaviour: rec.behaviour } : {}),
          ...(rec.confusion ? { confusion: rec.confusion } : {}),
          ...(rec.details ? { details: rec.details } : {}),
        };
        ctx.artifacts.appendLine('periodic-eval/evals.jsonl', toJson(record));
        if (evaluations === 1) ctx.contributeToReport(reportCharts(rec.metrics, history.metric, behaviourOf(rec)));
        await ctx.reportEval({ metrics: rec.metrics, evalMs });
        ctx.log.info(
          `eval @${step} (${triggers.join('+')}): ${Object.entries(rec.metrics)
            .filter(([k]) => !k.startsWith('acc_class_'))
            .map(([k, v]) => `${k} ${v.toPrecision(4)}`)
            .join('  ')}${improved ? '  (best)' : ''}  [${evalMs.toFixed(0)} ms]`,
        );
        if (improved) {
          keepBest();
          if (o.saveBest) await saveModelFiles(ctx.model, ctx.artifacts.path('periodic-eval/best'));
        }
        if (triggers.includes('baseline') && !useTask) {
          baselineLoss = rec.metrics['loss']!;
          initLoss(ctx, baselineLoss, step);
        }
        for (const f of findings) {
          ctx.report(f);
          if (f.code === 'eval-stagnant' && o.stop)
            ctx.requestStop(`early stopping: ${history.metric} did not improve for ${o.patience} evaluations`);
        }
        checkLossTrend(step, improved);
        if (!triggers.includes('baseline'))
          progress.evaluation(pointOf(rec, step, value, improved, useTask), baselineLoss);
      } finally {
        busy = false;
      }
    }

    /** loss-not-decreasing: the last window's mean training loss is not clearly (2 standard errors) below the previous window's, at two evaluations in a row that did not improve the monitored metric. */
    function checkLossTrend(step: number, improved: boolean): void {
      const w = o.lossWindow;
      // A task evaluator's loss may be a surrogate (policy gradients: it can rise while the policy improves).
      if (useTask || losses.length < 2 * w || lossNotDecreasingFired) return;
      const prev = meanVar(losses.slice(-2 * w, -w));
      const last = meanVar(losses.slice(-w));
      const z = (prev.m - last.m) / Math.sqrt((prev.v + last.v) / w || 1e-30);
      // A loss at its floor (a training set fitted) is done, not stalled.
      const atFloor = last.m < 0.01 * (baselineLoss ?? Infinity) || Math.abs(last.m) < 1e-3;
      flatRuns = z < 2 && !improved && !atFloor ? flatRuns + 1 : 0;
      if (flatRuns < 2) return;
      lossNotDecreasingFired = true;
      ctx.report({
        code: 'loss-not-decreasing',
        severity: 'warn',
        step,
        message: `training loss is not decreasing: mean of the last ${w} steps ${last.m.toPrecision(4)} vs ${prev.m.toPrecision(4)} for the ${w} before (z = ${z.toFixed(2)}), and ${history!.metric} did not improve`,
        evidence: { window: w, lastMean: last.m, previousMean: prev.m, z },
        suggestion:
          'Check the learning rate (0 or far too small), frozen layers, that the optimizer gets the model’s variables, and that the loss depends on the model output.',
      });
    }

    ctx.bus.on('run:begin', () => (o.baseline ? run(['baseline'], 0, 0) : undefined));
    ctx.bus.on('batch:end', (e) => {
      losses.push(e.loss);
      if (losses.length > 2 * o.lossWindow) losses.shift();
      progress.batch(e.step, e.loss, e.metrics['acc']);
      sinceEval.push(e.loss);
      const done = e.step + 1;
      const triggers: Trigger[] = [];
      if (o.everySteps > 0 && done % o.everySteps === 0) triggers.push('steps');
      if (o.everyMinutes > 0 && ctx.clock() - lastEvalClock >= o.everyMinutes * 60_000) triggers.push('minutes');
      return triggers.length ? run(triggers, done, e.epoch) : undefined;
    });
    ctx.bus.on('epoch:end', (e) => (o.atEpochEnd ? run(['epoch'], e.step, e.epoch) : undefined));
    ctx.bus.on('run:end', async (e) => {
      if (o.final && e.status !== 'failed') await run(['final'], e.step, e.epoch);
      if (e.status === 'completed') progress.end(e.step, baselineLoss);
      if (o.restoreBest && best && e.status !== 'failed') {
        ctx.restoreWeights(best);
        ctx.log.info(`restored the weights of the best evaluation (step ${history?.best?.step})`);
      }
      if (evaluations > 0) {
        ctx.report({
          code: 'eval-summary',
          severity: 'info',
          message: `${evaluations} evaluations took ${(evalMsTotal / 1000).toFixed(1)} s (${((100 * evalMsTotal) / Math.max(1, e.wallMs)).toFixed(1)}% of the run); best ${history?.metric} ${history?.best?.value.toPrecision(4)} at step ${history?.best?.step}`,
          evidence: {
            evaluations,
            evalMs: evalMsTotal,
            wallMs: e.wallMs,
            best: history?.best?.value,
            bestStep: history?.best?.step,
            metric: history?.metric,
          },
        });
      }
    });
    return () => tf.dispose(Object.values(best ?? {}));
  },
});

function makeHistory(o: PeriodicEvalOptions, suggested: EvalResult['monitor']): EvalHistory {
  const metric = o.monitor.metric === 'auto' ? (suggested?.metric ?? 'loss') : o.monitor.metric;
  const mode =
    o.monitor.mode !== 'auto'
      ? o.monitor.mode
      : o.monitor.metric === 'auto' && suggested
        ? suggested.mode
        : /loss/i.test(metric)
          ? 'min'
          : 'max';
  const target =
    o.monitor.metric === 'auto' && suggested?.target !== undefined && mode === suggested.mode
      ? suggested.target
      : undefined;
  return new EvalHistory(o, metric, mode, target);
}

interface Evaluated {
  metrics: Record<string, number>;
  behaviour?: string | readonly number[];
  monitor?: EvalResult['monitor'];
  confusion?: number[][];
  details?: Readonly<Record<string, unknown>>;
}

async function evaluateNow(ctx: Ctx, useTask: boolean, step: number, epoch: number): Promise<Evaluated> {
  if (useTask) {
    // The task's evaluator gets the live model: it must only run inference.
    const r = await ctx.task.evaluate!(ctx.model as never, {
      step,
      epoch,
      seed: ctx.state.training.seed,
      log: ctx.log,
    });
    return {
      metrics: { ...r.metrics },
      ...(r.behaviour !== undefined ? { behaviour: r.behaviour } : {}),
      ...(r.monitor ? { monitor: r.monitor } : {}),
      ...(r.details ? { details: r.details } : {}),
    };
  }
  const d = await evaluateDataset(ctx.model, ctx.task.validation!, ctx.task.loss, {
    batchSize: ctx.options.batchSize,
    maxBatches: ctx.options.maxBatches,
    // The whole set: read the run's shared pass (the trainer's validation made it at an epoch end).
    predictions: ctx.options.maxBatches === 0 ? await ctx.validationPredictions() : undefined,
  });
  // The predicted classes are the behaviour: identical predictions at every evaluation = nothing changes.
  return {
    metrics: d.metrics,
    ...(d.predictions ? { behaviour: hashInts(d.predictions) } : {}),
    ...(d.confusion ? { confusion: d.confusion } : {}),
  };
}

/** A short fingerprint of the predictions (FNV-1a), enough to tell identical from changed. */
function hashInts(xs: Int32Array): string {
  let h = 0x811c9dc5;
  for (const x of xs) {
    h ^= x & 0xff;
    h = Math.imul(h, 0x01000193);
  }
  return `${xs.length}:${(h >>> 0).toString(16)}`;
}
