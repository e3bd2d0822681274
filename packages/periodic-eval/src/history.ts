import { FindingGate, type FindingInput } from '@trainwatch/core';
import type { PeriodicEvalOptions } from './options';

/** One evaluation as the detectors see it. */
export interface EvalPoint {
  step: number;
  value: number;
  /** The evaluator's loss when it has one (dataset evaluator). */
  evalLoss: number | undefined;
  /** Mean training loss of the steps since the previous evaluation (undefined at the baseline). */
  trainLoss: number | undefined;
  signature: string | undefined;
}

/** Share of its start a metric must move before a flat stretch counts as convergence, not a stall. */
const PLATEAU_PROGRESS = 0.2;

/**
 * The detectors over the evaluation history: eval-stagnant, constant-behaviour, overfitting.
 * Each fires once per run.
 */
export class EvalHistory {
  readonly points: EvalPoint[] = [];
  best: EvalPoint | undefined;
  private readonly gate = new FindingGate();
  constructor(
    private readonly o: Pick<PeriodicEvalOptions, 'patience' | 'minDelta'>,
    readonly metric: string,
    readonly mode: 'min' | 'max',
    /** The best achievable value, when known: at it, a flat metric and constant behaviour are fine. */
    readonly target?: number,
  ) {}

  /** The best evaluation reached the target. */
  get done(): boolean {
    if (this.target === undefined || !this.best) return false;
    return this.mode === 'max' ? this.best.value >= this.target : this.best.value <= this.target;
  }

  /** True when `a` beats `b` by more than minDelta. */
  better(a: number, b: number): boolean {
    return this.mode === 'max' ? a > b + this.o.minDelta : a < b - this.o.minDelta;
  }

  /** Adds an evaluation; returns whether it is the new best, and the findings it triggers. */
  add(p: EvalPoint): { improved: boolean; findings: FindingInput[] } {
    this.points.push(p);
    const improved = Number.isFinite(p.value) && (!this.best || this.better(p.value, this.best.value));
    if (improved) this.best = p;
    return {
      improved,
      findings: [this.stagnant(p), this.constant(p), this.overfitting(p)].filter(
        (f): f is FindingInput => f !== undefined,
      ),
    };
  }

  /** Evaluations since the best one. */
  get sinceBest(): number {
    return this.best ? this.points.length - 1 - this.points.indexOf(this.best) : this.points.length;
  }

  private once(code: string, f: FindingInput | undefined): FindingInput | undefined {
    return f && this.gate.admit(f, { key: code });
  }

  /**
   * How far the best evaluation moved from the first one, as a share of the larger of the two:
   * 0 for a metric that never left its start, near 1 for accuracy 0.1 -> 0.9 or loss 2.3 -> 0.2.
   */
  private progress(): number {
    const first = this.points[0]?.value;
    const best = this.best?.value;
    if (first === undefined || best === undefined || !Number.isFinite(first)) return 0;
    const scale = Math.max(Math.abs(first), Math.abs(best));
    if (scale === 0) return 0;
    return (this.mode === 'max' ? best - first : first - best) / scale;
  }

  private stagnant(p: EvalPoint): FindingInput | undefined {
    if (this.sinceBest < this.o.patience || this.done) return undefined;
    const best = this.best;
    const progress = this.progress();
    // A metric that moved well away from where it started and then flattened has converged (at the
    // task's ceiling, or within the evaluation's noise of it): that is the moment to stop early, not a
    // fault. Only a metric that stays near its start says the weights are not learning.
    const plateau = progress >= PLATEAU_PROGRESS;
    const start = this.points[0]!.value;
    const values = this.points.slice(-this.o.patience - 1).map((x) => x.value);
    return this.once('eval-stagnant', {
      code: 'eval-stagnant',
      severity: plateau ? 'info' : 'warn',
      step: p.step,
      message: plateau
        ? `${this.metric} plateaued: ${start.toPrecision(4)} at the start, best ${best!.value.toPrecision(4)} at step ${best!.step}, no improvement${this.o.minDelta ? ` by ${this.o.minDelta}` : ''} in the last ${this.sinceBest} evaluations (now ${p.value.toPrecision(4)})`
        : `${this.metric} has not improved${this.o.minDelta ? ` by ${this.o.minDelta}` : ''} for ${this.sinceBest} evaluations and has barely moved from its start (${start.toPrecision(4)}; best ${best ? best.value.toPrecision(4) : 'none'} at step ${best?.step ?? '-'}, now ${p.value.toPrecision(4)})`,
      evidence: {
        metric: this.metric,
        mode: this.mode,
        start,
        best: best?.value,
        bestStep: best?.step,
        now: p.value,
        patience: this.o.patience,
        progress,
        values,
      },
      suggestion: plateau
        ? 'The metric has converged: stop early (options stop + restoreBest) or lower the learning rate for a last gain.'
        : 'If the training loss is also flat, the weights are not learning (learning rate 0 or tiny, frozen layers, a detached loss). If it falls, the model may be overfitting: lower the learning rate or stop early.',
    });
  }

  private constant(p: EvalPoint): FindingInput | undefined {
    const n = this.o.patience + 1;
    // A model that improved well beyond its start and then settled behaves the same because it converged.
    if (this.points.length < n || p.signature === undefined || this.done || this.progress() >= PLATEAU_PROGRESS)
      return undefined;
    const last = this.points.slice(-n);
    if (!last.every((x) => x.signature === p.signature)) return undefined;
    // "While the metric is flat": none of these evaluations improved on the first of them.
    if (last.slice(1).some((x) => this.better(x.value, last[0]!.value))) return undefined;
    return this.once('constant-behaviour', {
      code: 'constant-behaviour',
      severity: 'warn',
      step: p.step,
      message: `the model does the same thing at every evaluation: identical behaviour over the last ${n} evaluations (steps ${last[0]!.step}-${p.step}) and ${this.metric} flat at ${p.value.toPrecision(4)}`,
      evidence: {
        signature: p.signature.length > 200 ? `${p.signature.slice(0, 200)}…` : p.signature,
        steps: last.map((x) => x.step),
        values: last.map((x) => x.value),
      },
      suggestion:
        'Nothing reaches the weights: check the learning rate, that the reward/labels vary (a constant reward gives zero advantage), and that the loss depends on the model output.',
    });
  }

  private overfitting(p: EvalPoint): FindingInput | undefined {
    const n = this.o.patience + 1;
    if (this.points.length < n) return undefined;
    const last = this.points.slice(-n);
    const first = last[0]!;
    if (last.some((x) => x.evalLoss === undefined || x.trainLoss === undefined)) return undefined;
    const trainFalls = last.every((x, i) => i === 0 || x.trainLoss! < last[i - 1]!.trainLoss!);
    const bestEval = Math.min(...this.points.slice(0, this.points.length - n + 1).map((x) => x.evalLoss ?? Infinity));
    const evalRises =
      last.slice(1).every((x) => x.evalLoss! > first.evalLoss! + this.o.minDelta) &&
      first.evalLoss! <= bestEval + 1e-12;
    // Overfitting is a generalisation gap: training loss below the held-out one, and a rise that is
    // more than noise (2%). Both at chance, or a training loss held up by dropout, is something else.
    const gap = p.trainLoss! < p.evalLoss! && p.evalLoss! > 1.02 * first.evalLoss!;
    if (!trainFalls || !evalRises || !gap) return undefined;
    return this.once('overfitting', {
      code: 'overfitting',
      severity: 'warn',
      step: p.step,
      message: `training loss keeps falling (${first.trainLoss!.toPrecision(3)} -> ${p.trainLoss!.toPrecision(3)}) while the evaluation loss rises (${first.evalLoss!.toPrecision(3)} -> ${p.evalLoss!.toPrecision(3)}) over ${n} evaluations`,
      evidence: {
        steps: last.map((x) => x.step),
        trainLoss: last.map((x) => x.trainLoss),
        evalLoss: last.map((x) => x.evalLoss),
      },
      suggestion:
        'More data or augmentation, a smaller model, dropout or weight decay, or stop early (options stop + restoreBest).',
    });
  }
}
