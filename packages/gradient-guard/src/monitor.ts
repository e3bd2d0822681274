import { FindingGate, type FindingInput, type ParamInfo } from '@trainwatch/core';
import { groupByLayer, layerStats, type CheckNumbers, type LayerGroup, type LayerStats } from './layer-stats';
import type { Action, GradientGuardOptions } from './options';

/** A condition that holds at this check: its finding (reported the first time only) and its configured actions. */
export interface Verdict {
  finding: FindingInput;
  actions: readonly Action[];
  /** False when the same kind (and layer) was already reported. */
  report: boolean;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * The detectors, on numbers only (no tensors): non-finite values, exploding and vanishing gradients,
 * update-to-weight ratios out of range, frozen weights. Findings fire once per kind (and layer).
 */
export class GradientMonitor {
  readonly layers: LayerGroup[];
  private readonly history: number[] = [];
  private vanishingRun = 0;
  private readonly ratioRuns = new Map<string, { low: number; high: number }>();
  private readonly zeroRuns = new Map<number, number>();
  private readonly gate = new FindingGate();
  private lastGoodGrads = true;

  constructor(
    private readonly params: readonly ParamInfo[],
    private readonly o: GradientGuardOptions,
  ) {
    this.layers = groupByLayer(params);
  }

  private once(key: string, v: Omit<Verdict, 'report'>, out: Verdict[]): void {
    // Actions apply at every check; the finding is reported the first time only.
    out.push({ ...v, report: this.gate.admit(v.finding, { key }) !== undefined });
  }

  layerStats(n: CheckNumbers): LayerStats[] {
    return layerStats(this.layers, n);
  }

  /**
   * Runs every detector on one check. `nonfiniteVar` / `nonfiniteWeight` are the first variables whose
   * gradient / weights really hold NaN/Inf (confirmed by the caller: a sum of squares also overflows on huge finite values).
   */
  check(n: CheckNumbers, nonfiniteVar: number | undefined, stats: LayerStats[], nonfiniteWeight?: number): Verdict[] {
    const out: Verdict[] = [];
    this.checkNonfinite(n, nonfiniteVar, nonfiniteWeight ?? -1, out);
    const finiteGrads = nonfiniteVar === undefined && Number.isFinite(n.loss);
    if (finiteGrads) {
      this.checkExploding(n, stats, out);
      this.checkVanishing(n, stats, out);
    }
    this.checkUpdates(n, stats, out);
    this.lastGoodGrads = finiteGrads;
    return out;
  }

  private checkNonfinite(n: CheckNumbers, badVar: number | undefined, badWeight: number, out: Verdict[]): void {
    const action = this.o.nonfinite.action;
    if (badWeight >= 0) {
      const p = this.params[badWeight]!;
      const cause = this.lastGoodGrads
        ? 'the optimizer update (its gradients were finite)'
        : 'non-finite gradients applied by the previous update';
      this.once(
        'nonfinite-weights',
        {
          actions: action,
          finding: {
            code: 'nonfinite-weights',
            severity: 'error',
            layer: p.layer,
            message: `weights of ${p.name} became NaN/Inf before step ${n.step}: caused by ${cause}`,
            evidence: {
              variable: p.name,
              layer: p.layer,
              firstBad: this.lastGoodGrads ? 'optimizer-update' : 'gradient',
              weightSumSq: n.weightSq[badWeight],
            },
            suggestion:
              'Lower the learning rate; check the optimizer’s epsilon; clip gradients (exploding.action: ["clip"]).',
          },
        },
        out,
      );
      return;
    }
    if (!Number.isFinite(n.loss)) {
      this.once(
        'nonfinite-loss',
        {
          actions: action,
          finding: {
            code: 'nonfinite-loss',
            severity: 'error',
            message: `loss is ${n.loss} at step ${n.step}; the loss went bad first (weights were finite)`,
            evidence: {
              loss: String(n.loss),
              firstBad: 'loss',
              badGradient: badVar !== undefined ? this.params[badVar]!.name : null,
            },
            suggestion:
              'Look for log(0) or division by zero in the loss, labels outside the expected range, or inputs with NaN; lower the learning rate.',
          },
        },
        out,
      );
      return;
    }
    if (badVar !== undefined) {
      const p = this.params[badVar]!;
      this.once(
        'nonfinite-gradient',
        {
          actions: action,
          finding: {
            code: 'nonfinite-gradient',
            severity: 'error',
            layer: p.layer,
            message: `gradient of ${p.name} (layer ${p.layer}) has NaN/Inf at step ${n.step} while the loss is finite (${n.loss.toFixed(4)}): a gradient went bad first`,
            evidence: { variable: p.name, layer: p.layer, loss: n.loss, firstBad: 'gradient' },
            suggestion:
              'A custom op or gradient producing NaN (sqrt or log near 0, division by zero); clip gradients; lower the learning rate.',
          },
        },
        out,
      );
    }
  }

  private checkExploding(n: CheckNumbers, stats: LayerStats[], out: Verdict[]): void {
    const e = this.o.exploding;
    const global = Math.sqrt(n.gradSq.reduce((s, v) => s + v, 0));
    const reasons: string[] = [];
    const evidence: Record<string, unknown> = { globalNorm: global };
    if (this.history.length >= e.window) {
      const med = median(this.history.slice(-e.window));
      evidence['recentMedian'] = med;
      // A jump from a tiny median is not an explosion (e.g. policy gradients after a batch with zero advantage).
      if (global > e.factor * med && global >= e.minNorm)
        reasons.push(
          `global gradient norm ${global.toExponential(2)} is ${(global / med).toFixed(1)}x its recent median`,
        );
    }
    let layer: string | undefined;
    const big = stats.find((s) => s.grad > e.maxNorm);
    if (big) {
      reasons.push(`layer ${big.layer} gradient norm ${big.grad.toExponential(2)} exceeds ${e.maxNorm}`);
      layer = big.layer;
    }
    const first = stats[0];
    const last = stats.at(-1);
    if (first && last && first !== last && last.grad > 0 && first.grad / last.grad > e.layerRatio) {
      reasons.push(
        `first layer ${first.layer} gradient is ${(first.grad / last.grad).toFixed(0)}x the last layer's (limit ${e.layerRatio})`,
      );
      layer ??= first.layer;
    }
    this.history.push(global);
    if (this.history.length > 4 * e.window) this.history.shift();
    if (reasons.length === 0) return;
    this.once(
      'exploding-gradient',
      {
        actions: e.action,
        finding: {
          code: 'exploding-gradient',
          severity: 'warn',
          ...(layer ? { layer } : {}),
          message: `exploding gradient at step ${n.step}: ${reasons.join('; ')}`,
          evidence: { ...evidence, layers: Object.fromEntries(stats.map((s) => [s.layer, s.grad])) },
          suggestion:
            'Lower the learning rate, clip gradients (exploding.action: ["clip"]), check initialisation and input scaling; add normalisation layers.',
        },
      },
      out,
    );
  }

  private checkVanishing(n: CheckNumbers, stats: LayerStats[], out: Verdict[]): void {
    const v = this.o.vanishing;
    const first = stats[0];
    const last = stats.at(-1);
    if (!first || !last || first === last) return;
    const ratio = first.grad / Math.max(last.grad, 1e-30);
    this.vanishingRun = ratio <= v.ratio && first.grad <= v.norm ? this.vanishingRun + 1 : 0;
    if (this.vanishingRun < v.window) return;
    const tiny = stats.filter((s) => s.grad / Math.max(last.grad, 1e-30) <= v.ratio).map((s) => s.layer);
    this.once(
      'vanishing-gradient',
      {
        actions: v.action,
        finding: {
          code: 'vanishing-gradient',
          severity: 'warn',
          layer: first.layer,
          message: `vanishing gradients for ${v.window} checks up to step ${n.step}: first layer ${first.layer} gets ${first.grad.toExponential(2)}, ${ratio.toExponential(1)}x the last layer's; affected: ${tiny.join(', ')}`,
          evidence: { ratio, firstNorm: first.grad, lastNorm: last.grad, layers: tiny, window: v.window },
          suggestion:
            'Use ReLU-family activations instead of sigmoid/tanh in deep stacks, He/Glorot initialisation instead of tiny weights, residual connections or normalisation layers.',
        },
      },
      out,
    );
  }

  private checkUpdates(n: CheckNumbers, stats: LayerStats[], out: Verdict[]): void {
    if (!n.updateSq || !n.prevWeightSq) return;
    const u = this.o.updateRatio;
    this.params.forEach((p, i) => {
      const zero = n.updateSq![i] === 0 ? (this.zeroRuns.get(i) ?? 0) + 1 : 0;
      this.zeroRuns.set(i, zero);
      if (zero >= Math.min(u.window, 3)) {
        this.once(
          `weights-not-updating:${p.name}`,
          {
            actions: u.action,
            finding: {
              code: 'weights-not-updating',
              severity: 'warn',
              layer: p.layer,
              message: `${p.name} did not change at all for ${zero} updates up to step ${n.step} (‖Δw‖ = 0)`,
              evidence: { variable: p.name, layer: p.layer, updates: zero },
              suggestion:
                'A learning rate of 0, a gradient that is exactly zero (detached or unused layer), or an optimizer given the wrong variables.',
            },
          },
          out,
        );
      }
    });
    for (const s of stats) {
      if (s.update === undefined || s.update === 0 || !Number.isFinite(s.update)) continue;
      const run = this.ratioRuns.get(s.layer) ?? { low: 0, high: 0 };
      run.low = s.update < u.low ? run.low + 1 : 0;
      run.high = s.update > u.high ? run.high + 1 : 0;
      this.ratioRuns.set(s.layer, run);
      // One update that moves a layer by more than 10x the high bound needs no window to be wrong.
      const instant = s.update > 10 * u.high;
      for (const kind of ['low', 'high'] as const) {
        if (run[kind] < u.window && !(kind === 'high' && instant)) continue;
        this.once(
          `update-ratio-${kind}:${s.layer}`,
          {
            actions: u.action,
            finding: {
              code: `update-ratio-${kind}`,
              severity: 'warn',
              layer: s.layer,
              message: `update-to-weight ratio of ${s.layer} is ${s.update.toExponential(1)}, ${kind === 'low' ? 'below' : 'above'} ${kind === 'low' ? u.low : u.high} ${run[kind] >= u.window ? `for ${u.window} checks` : 'in one update'} (healthy: about 1e-3)`,
              evidence: { ratio: s.update, bound: kind === 'low' ? u.low : u.high, window: u.window },
              suggestion:
                kind === 'low'
                  ? 'The learning rate is probably too low (or the layer is nearly frozen).'
                  : 'The learning rate is probably too high.',
            },
          },
          out,
        );
      }
    }
  }
}
