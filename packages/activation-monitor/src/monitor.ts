import { FindingGate, type FindingInput } from '@trainwatch/core';
import type { ActivationMonitorOptions } from './options';
import type { LayerStats } from './stats';

const pct = (x: number) => `${(100 * x).toFixed(0)}%`;

interface LayerHistory {
  active: Float32Array[];
  saturatedRun: number;
  baseStd?: number;
  baseSpread?: number;
  explodeRun: number;
  collapseRun: number;
  /** The latest pre-activation summary (measured with the histograms, not at every measurement): evidence only. */
  pre?: LayerStats['pre'];
}

/**
 * The detectors, fed one measurement at a time. Each (kind, layer) is reported once, and again
 * only when it gets clearly worse (the share grows by 20 points or reaches 100%).
 */
export class ActivationMonitor {
  /** Set once the model's inputs were measured: true when they are in a normal range (|x| <= 5). */
  inputsInRange: boolean | undefined;
  private readonly layers = new Map<string, LayerHistory>();
  private readonly gate = new FindingGate();
  constructor(private readonly o: ActivationMonitorOptions) {}

  /** Findings for this measurement. */
  update(step: number, stats: readonly LayerStats[]): FindingInput[] {
    const out: FindingInput[] = [];
    for (const s of stats) {
      let h = this.layers.get(s.layer);
      if (!h) this.layers.set(s.layer, (h = { active: [], saturatedRun: 0, explodeRun: 0, collapseRun: 0 }));
      if (s.pre) h.pre = s.pre;
      const dead = this.dead(step, s, h);
      if (dead) out.push(dead);
      const sat = this.saturated(step, s, h);
      if (sat) out.push(sat);
      out.push(...this.scale(step, s, h, !!dead || this.gate.has(`dead-units|${s.layer}`)));
    }
    return out;
  }

  /** Reports when new, or when `share` is clearly worse (20 points more, or every unit) than last reported. */
  private once(code: string, layer: string, share: number, f: FindingInput): FindingInput | undefined {
    return this.gate.admit(f, { key: `${code}|${layer}`, measure: share, worseBy: 0.2, worstAt: 1 });
  }

  private dead(step: number, s: LayerStats, h: LayerHistory): FindingInput | undefined {
    if (!s.active) return undefined;
    h.active.push(s.active);
    if (h.active.length > this.o.window) h.active.shift();
    if (h.active.length < this.o.window) return undefined;
    const units = s.active.length;
    const deadUnits: number[] = [];
    for (let u = 0; u < units; u++) {
      let sum = 0;
      for (const a of h.active) sum += a[u]!;
      if (sum / h.active.length < this.o.dead.activeShare) deadUnits.push(u);
    }
    const share = deadUnits.length / units;
    if (share <= this.o.dead.layerShare) return undefined;
    return this.once('dead-units', s.layer, share, {
      code: 'dead-units',
      severity: share >= 0.99 ? 'error' : 'warn',
      step,
      layer: s.layer,
      message: `${pct(share)} of ${s.layer}'s ${units} ${s.activation} units are dead (active on under ${pct(this.o.dead.activeShare)} of samples over the last ${this.o.window} measurements)`,
      evidence: {
        share,
        deadUnits: deadUnits.length,
        units,
        examples: deadUnits.slice(0, 10),
        window: this.o.window,
        preMean: h.pre?.mean,
        preMax: h.pre?.max,
      },
      suggestion:
        'Lower the learning rate (a large update can push units permanently negative), use leaky ReLU / ELU, use He initialisation, or start biases at 0 or slightly positive.',
    });
  }

  private saturated(step: number, s: LayerStats, h: LayerHistory): FindingInput | undefined {
    if (!s.saturated || s.saturated.some((x) => Number.isNaN(x))) return undefined;
    const units = s.saturated.length;
    const sat = s.saturated.filter((x) => x > 0.5).length;
    const share = sat / units;
    h.saturatedRun = share > this.o.saturation.unitShare ? h.saturatedRun + 1 : 0;
    if (h.saturatedRun < this.o.window) return undefined;
    return this.once('saturated-activation', s.layer, share, {
      code: 'saturated-activation',
      severity: 'warn',
      step,
      layer: s.layer,
      message: `${pct(share)} of ${s.layer}'s ${units} ${s.activation} units get inputs with |x| >= ${this.o.saturation.threshold} on most samples: their gradient is nearly 0`,
      evidence: {
        share,
        saturatedUnits: sat,
        units,
        threshold: this.o.saturation.threshold,
        preMin: h.pre?.min,
        preMax: h.pre?.max,
        preStd: h.pre?.std,
      },
      // Suggestions follow the evidence: inputs measured in a normal range are not the cause.
      suggestion: `${this.inputsInRange ? '' : 'Normalise the inputs (e.g. pixels / 255, or standardise), '}${this.inputsInRange ? 'Use' : 'use'} smaller initial weights (Glorot/Xavier), add batch normalisation before the activation, or lower the learning rate.`,
    });
  }

  private scale(step: number, s: LayerStats, h: LayerHistory, deadAlready: boolean): FindingInput[] {
    const out: FindingInput[] = [];
    if (!Number.isFinite(s.out.std) || !Number.isFinite(s.spread)) return out;
    h.baseStd ??= s.out.std;
    h.baseSpread ??= s.spread;
    const growth = h.baseStd > 0 ? s.out.std / h.baseStd : 0;
    h.explodeRun = growth > this.o.explosion.factor ? h.explodeRun + 1 : 0;
    if (h.explodeRun >= this.o.window) {
      const f = this.once('activation-explosion', s.layer, Math.log10(growth) / 10, {
        code: 'activation-explosion',
        severity: 'warn',
        step,
        layer: s.layer,
        message: `${s.layer}'s output std grew ${growth.toExponential(1)}x since the first measurement (${h.baseStd.toExponential(2)} -> ${s.out.std.toExponential(2)})`,
        evidence: { firstStd: h.baseStd, std: s.out.std, growth, max: s.out.max },
        suggestion:
          'Lower the learning rate, add normalisation (batch/layer norm), use weight decay or gradient clipping.',
      });
      if (f) out.push(f);
    }
    const collapsed =
      s.spread <= this.o.collapse.minStd || (h.baseSpread > 0 && s.spread < this.o.collapse.ratio * h.baseSpread);
    h.collapseRun = collapsed ? h.collapseRun + 1 : 0;
    if (h.collapseRun >= this.o.window && !deadAlready) {
      const f = this.once('activation-collapse', s.layer, 1, {
        code: 'activation-collapse',
        severity: 'warn',
        step,
        layer: s.layer,
        message: `${s.layer}'s output barely varies across samples (spread ${s.spread.toExponential(2)}, first ${h.baseSpread.toExponential(2)}): every input gives about the same output`,
        evidence: { spread: s.spread, firstSpread: h.baseSpread, mean: s.out.mean },
        suggestion:
          'Check that inputs reach this layer (a data bug feeding constants), the learning rate (too high can collapse units), and initialisation.',
      });
      if (f) out.push(f);
    }
    return out;
  }
}
