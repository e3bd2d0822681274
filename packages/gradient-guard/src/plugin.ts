import * as fs from 'node:fs';
import {
  definePlugin,
  describeParams,
  tf,
  toJson,
  type GradientDecision,
  type GradientStep,
  type GradsComputedEvent,
  type PluginContext,
} from '@trainwatch/core';
import { gradientCheck } from './gradcheck';
import type { CheckNumbers } from './layer-stats';
import { GradientMonitor, type Verdict } from './monitor';
import { GradientGuardOptions } from './options';
import { reportCharts } from './report-charts';
import { SquareSums } from './square-sums';
import { writeSnapshot } from './snapshot';
import { symmetricLayers } from './symmetry';
import { UpdateTracker } from './update-tracker';

const KEY = { sums: 'gradient-guard:sums' };
/** Checks between fresh reads of Σw² (the weights' norms drift slowly; the ratio uses the latest). */
const WEIGHTS_EVERY = 10;
/** How often the check-now file is looked for, ms. */
const TRIGGER_POLL_MS = 1000;

/** Σw² per variable, read now (a rare extra readback: only when a step's loss or gradients went bad). */
function readWeightSq(ws: readonly tf.Tensor[]): Float32Array {
  return tf.tidy(() => tf.stack(ws.map((w) => tf.sum(tf.square(w)))).dataSync() as Float32Array);
}

/** Trainable weights by variable name (read-only views of the model's variables). */
function weightsByName(ctx: PluginContext<unknown>): Map<string, tf.Tensor> {
  return new Map(describeParams(ctx.model).variables.map((v) => [v.name, v]));
}

/**
 * gradient-guard: checks every step's gradients (per-variable sums of squares, computed in host
 * memory on host backends and in the step's one readback on device backends) for non-finite
 * values, explosion, vanishing and bad update ratios; acts through the core's interception API
 * (warn, skip-step, clip, stop, snapshot); runs finite-difference gradient checks at chosen steps.
 */
export const gradientGuard = definePlugin({
  name: 'gradient-guard',
  description:
    'NaN/Inf, exploding and vanishing gradients by layer and step, update-to-weight ratios, finite-difference gradient checks; warn, clip, skip, stop or snapshot.',
  schema: GradientGuardOptions,
  setup(ctx) {
    const o = ctx.options;
    if (o.record.every > 0) ctx.contributeToReport(reportCharts(o));
    let monitor: GradientMonitor | undefined;
    let weights: Map<string, tf.Tensor> | undefined;
    const updates = new UpdateTracker();
    let checked = false; // whether this step's sums hold Σg² and Σw²
    let hostSums: Float32Array | undefined; // this step's sums when computed on the host
    let checks = 0;
    const lastUpdate = new Map<string, number>();
    const checkSteps = new Set(o.gradientCheck.steps);
    const isCheck = (step: number) => step % o.every === 0;
    // Σw² moves slowly: read fresh every WEIGHTS_EVERY checks (half the sums otherwise); an update
    // ratio's denominator is the latest read (at most WEIGHTS_EVERY checks old: ‖w‖ moves by under 1%
    // in that time at healthy ratios, and a too-high ratio only grows the weights, so it still shows).
    // A step whose gradients or loss went bad reads the weights itself.
    let weightSq: Float32Array | undefined;
    let weightsRead = false;
    // On demand: `touch <runDir>/gradient-guard/check-now` during a run; a step within a second is
    // checked. The file is looked for at most once a second, not on every step (a syscall each).
    const trigger = ctx.artifacts.path('gradient-guard/check-now');
    let lookedAt = -Infinity;
    const requested = () => {
      const now = performance.now();
      if (now - lookedAt < TRIGGER_POLL_MS) return false;
      lookedAt = now;
      if (!fs.existsSync(trigger)) return false;
      fs.rmSync(trigger, { force: true });
      return true;
    };

    ctx.bus.on('grads:computed', (e) => {
      monitor ??= new GradientMonitor(e.params, o);
      weights ??= weightsByName(ctx as PluginContext<unknown>);
      const ws = e.params.map((p) => weights!.get(p.name)!);
      // The step's sums of squares, in order: [Σg² per variable (checked steps), Σw² per variable
      // (when weightsRead), Σ(Δw)² per variable (when an update is being measured)].
      checked = isCheck(e.step);
      const track = checked && e.step % o.updateRatio.every === 0;
      weightsRead = checked && (weightSq === undefined || checks % WEIGHTS_EVERY === 0);
      const sums = new SquareSums();
      if (checked) sums.of(e.params.map((p) => e.grads[p.name]!));
      if (weightsRead) sums.of(ws);
      updates.beforeStep(ws, track, sums);
      hostSums = sums.finish(e.readback, KEY.sums);
      const mode = o.gradientCheck.mode;
      const scheduled =
        checkSteps.has(e.step) || (o.gradientCheck.every > 0 && e.step > 0 && e.step % o.gradientCheck.every === 0);
      if (mode !== 'off' && (scheduled || requested())) runGradientCheck(ctx, e, mode, weights);
    });

    ctx.bus.on('batch:end', (e) => updates.stepEnded(e.update.applied));
    ctx.bus.on('run:begin', () => symmetricLayers(ctx.model as tf.LayersModel).forEach((f) => ctx.report(f)));

    ctx.interceptGradients((step) => {
      const all = hostSums ?? step.readback[KEY.sums];
      hostSums = undefined;
      const n = step.params.length;
      const gradSq = all && checked ? all.subarray(0, n) : undefined;
      if (all && weightsRead) weightSq = all.slice(n, 2 * n);
      const used = (checked ? n : 0) + (weightsRead ? n : 0);
      updates.readback(all && updates.hasUpdateSums ? all.subarray(used) : undefined, weightSq);
      if (!monitor || !gradSq || !weightSq) return undefined;
      const wentBad = !Number.isFinite(step.loss) || gradSq.some((v) => !Number.isFinite(v));
      if (wentBad && !weightsRead) weightSq = readWeightSq(step.params.map((p) => weights!.get(p.name)!));
      const measured = updates.take();
      const numbers: CheckNumbers = {
        step: step.step,
        loss: step.loss,
        gradSq,
        weightSq,
        updateSq: measured?.updateSq,
        prevWeightSq: measured?.prevWeightSq,
      };
      const badVar = firstNonfinite(gradSq, (i) => step.grads[step.params[i]!.name]!);
      const badWeight = firstNonfinite(weightSq!, (i) => weights!.get(step.params[i]!.name)!);
      const stats = monitor.layerStats(numbers);
      for (const st of stats) if (st.update !== undefined) lastUpdate.set(st.layer, st.update);
      const nth = checks++;
      if (o.record.every > 0 && (step.step < o.record.first || nth % o.record.every === 0)) {
        // Updates are measured on their own cadence: the series carries the latest one per layer.
        const layers = stats.map((st) =>
          st.update === undefined && lastUpdate.has(st.layer) ? { ...st, update: lastUpdate.get(st.layer)! } : st,
        );
        ctx.artifacts.appendLine('gradient-guard/series.jsonl', toJson({ step: step.step, loss: step.loss, layers }));
      }
      const globalNorm = Math.sqrt(gradSq.reduce((s, v) => s + v, 0));
      return act(ctx, step, monitor.check(numbers, badVar, stats, badWeight), globalNorm);
    });

    return () => updates.dispose();
  },
});

/**
 * The first variable whose tensor really holds NaN/Inf. Only variables whose sum of squares is not
 * finite are read (a rare, extra readback): the sum also overflows on huge finite values.
 */
function firstNonfinite(sumSq: Float32Array, tensorOf: (i: number) => tf.Tensor): number | undefined {
  for (let i = 0; i < sumSq.length; i++) {
    if (Number.isFinite(sumSq[i]!)) continue;
    const t = tensorOf(i);
    if (tf.tidy(() => tf.any(tf.logicalNot(tf.isFinite(t))).dataSync()[0])) return i;
  }
  return undefined;
}

type Ctx = PluginContext<GradientGuardOptions>;

function act(ctx: Ctx, step: GradientStep, verdicts: Verdict[], globalNorm: number): GradientDecision {
  let skip: string | undefined;
  for (const v of verdicts) {
    if (v.report) ctx.report({ ...v.finding, step: step.step });
    if (v.actions.includes('snapshot') && v.report) snapshot(ctx, step, v.finding.code);
    if (v.actions.includes('stop')) {
      ctx.requestStop(`${v.finding.code} at step ${step.step}`);
      skip ??= `${v.finding.code}: stopping`;
    }
    if (v.actions.includes('skip-step')) skip ??= v.finding.code;
  }
  if (skip) return { action: 'skip', reason: skip };
  const clip = ctx.options.exploding;
  if (clip.action.includes('clip') && Number.isFinite(globalNorm) && globalNorm > clip.clipNorm) {
    const scale = clip.clipNorm / globalNorm;
    return {
      action: 'replace',
      reason: `clipped global gradient norm ${globalNorm.toExponential(2)} to ${clip.clipNorm}`,
      grads: Object.fromEntries(Object.entries(step.grads).map(([k, g]) => [k, tf.mul(g, scale)])),
    };
  }
  return undefined;
}

function snapshot(ctx: Ctx, step: GradientStep, reason: string): void {
  const tensors = [
    { role: 'input' as const, name: 'inputs', tensor: step.inputs },
    { role: 'label' as const, name: 'labels', tensor: step.labels },
    ...ctx.model.layers.flatMap((l) =>
      l.weights.map((w) => ({
        role: 'weight' as const,
        name: (w.read() as tf.Variable).name,
        tensor: w.read() as tf.Tensor,
      })),
    ),
    ...step.params.map((p) => ({ role: 'grad' as const, name: p.name, tensor: step.grads[p.name]! })),
  ];
  const dir = writeSnapshot(ctx.artifacts, { step: step.step, epoch: step.epoch, reason, loss: step.loss }, tensors);
  ctx.log.warn(`snapshot of step ${step.step} written to ${dir}`);
}

function runGradientCheck(
  ctx: Ctx,
  e: GradsComputedEvent,
  mode: 'directional' | 'elementwise',
  weights: Map<string, tf.Tensor>,
): void {
  const g = ctx.options.gradientCheck;
  const t0 = performance.now();
  const results = gradientCheck(e.probe, e.params, weights, {
    mode,
    epsilon: g.epsilon,
    coordinates: g.coordinates,
    seed: g.seed + e.step,
    tolerance: g.tolerance,
    samples: g.samples,
  });
  const ms = performance.now() - t0;
  const failed = results.filter((r) => r.failed);
  for (const r of failed) {
    ctx.report({
      code: 'gradient-check-failed',
      severity: 'error',
      step: e.step,
      layer: r.layer,
      message: `analytic gradient of ${r.variable} disagrees with finite differences: ${r.analytic.toExponential(4)} vs ${r.numeric.toExponential(4)} (relative error ${r.relError.toExponential(1)} > ${g.tolerance} at every conclusive step size)`,
      evidence: {
        variable: r.variable,
        layer: r.layer,
        analytic: r.analytic,
        numeric: r.numeric,
        relError: r.relError,
        mode,
        epsilon: g.epsilon,
        trials: r.trials,
      },
      suggestion:
        'A custom gradient (tf.customGrad, a registered gradient or kernel) of this layer is wrong: check its scale and sign against the forward function.',
    });
  }
  if (failed.length === 0) {
    const clean = results.filter((r) => r.judged && r.trials.some((t) => t.verdict === 'agrees'));
    const atKink = results.filter((r) => r.judged && !clean.includes(r));
    // "Passed" only when most variables were judged: a check that could judge few of them is inconclusive.
    const passed = 2 * (clean.length + atKink.length) > results.length;
    ctx.report({
      code: passed ? 'gradient-check-passed' : 'gradient-check-inconclusive',
      severity: 'info',
      step: e.step,
      message: `finite-difference check (${mode}) ${passed ? '' : 'inconclusive: '}agrees for ${clean.length} of ${results.length} variables (${atKink.length} consistent with a kink, ${results.length - clean.length - atKink.length} inconclusive); worst relative error ${Math.max(0, ...clean.map((r) => r.relError)).toExponential(1)}`,
      evidence: {
        mode,
        ms,
        variables: Object.fromEntries(
          results.map((r) => [r.variable, clean.includes(r) ? r.relError : r.trials.map((t) => t.verdict).join(',')]),
        ),
      },
    });
  }
}
