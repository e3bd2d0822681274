import type { FindingInput } from '@trainwatch/core';

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** What one evaluation tells the progress checks. */
export interface EvalPoint {
  step: number;
  /** Held-out loss (dataset evaluator only). */
  loss?: number;
  /** Held-out accuracy (dataset evaluator only). */
  acc?: number;
  /** The evaluator's monitored value and whether it improved on the best so far. */
  value: number;
  improved: boolean;
  /** Accuracy of always answering the most frequent held-out class (from the confusion matrix). */
  chance?: number;
}

/**
 * Checks of training progress that compare the training signal with the evaluations: a loss that
 * diverges in the first steps, a run stopped while still improving, a regulariser that dominates,
 * labels the inputs cannot predict, and an evaluator that disagrees with training. Each fires once.
 */
export class ProgressChecks {
  private readonly losses: number[] = [];
  private readonly accs: number[] = [];
  private readonly evals: EvalPoint[] = [];
  private readonly fired = new Set<string>();
  private regRun = 0;
  private chanceRun = 0;

  constructor(
    private readonly o: { classes: number; taskEvaluator: boolean },
    private readonly report: (f: FindingInput) => void,
  ) {}

  private once(code: string, f: () => FindingInput | undefined): void {
    if (this.fired.has(code)) return;
    const finding = f();
    if (!finding) return;
    this.fired.add(code);
    this.report(finding);
  }

  /** Every step: the divergence check needs the first steps at full resolution, whatever the eval cadence. */
  batch(step: number, loss: number, acc: number | undefined): void {
    this.losses.push(loss);
    if (acc !== undefined) this.accs.push(acc);
    const first = this.losses[0]!;
    // A jump against the initial loss needs no history: 3x and 2 nats above it is divergence, not noise.
    if (this.o.taskEvaluator || !(first > 0) || !Number.isFinite(loss) || loss < 3 * first || loss - first < 2) return;
    this.once('loss-diverged', () => ({
      code: 'loss-diverged',
      severity: 'warn',
      step,
      message: `the training loss jumped to ${loss.toPrecision(4)} at step ${step}, ${(loss / first).toFixed(1)}x its initial ${first.toPrecision(4)}: training diverged`,
      evidence: { step, loss, initialLoss: first, ratio: loss / first },
      suggestion:
        'Lower the learning rate 10-100x; divergence in the first steps is the signature of a step size far too large.',
    }));
  }

  /** At each evaluation after the baseline. */
  evaluation(p: EvalPoint, baselineLoss?: number): void {
    this.evals.push(p);
    const recentLoss = median(this.losses.slice(-5));
    const recentAcc =
      this.accs.length > 0 ? mean(this.accs.slice(-Math.max(5, Math.ceil(this.accs.length / 10)))) : undefined;
    const base = { loss: baselineLoss ?? this.evals[0]?.loss };
    if (p.loss !== undefined && base.loss !== undefined && (baselineLoss !== undefined || this.evals.length > 1)) {
      // The training objective (with dropout active and the weight penalty added) stays above the
      // held-out loss of the same weights, and the held-out loss has not come down: the regulariser wins.
      // 15% margin: with few steps between evaluations a fast-falling loss puts the pre-step
      // training losses a few percent above the post-step held-out loss on healthy runs too.
      const dominated = recentLoss > 1.15 * p.loss && p.loss > 0.6 * base.loss;
      if (dominated) this.regRun++;
      if (this.regRun >= 2)
        this.once('regularisation-too-strong', () => ({
          code: 'regularisation-too-strong',
          severity: 'warn',
          step: p.step,
          message: `the training loss (${recentLoss.toPrecision(4)}, with dropout and weight penalties) stays above the held-out loss (${p.loss!.toPrecision(4)}), which is still ${((100 * p.loss!) / base.loss!).toFixed(0)}% of where it started: regularisation keeps the model from fitting`,
          evidence: { trainLoss: recentLoss, evalLoss: p.loss, initialEvalLoss: base.loss },
          suggestion: 'Lower the dropout rate or the weight decay (kernelRegularizer) 10x.',
        }));
    }
    if (p.acc !== undefined && p.chance !== undefined && recentAcc !== undefined && this.evals.length > 1) {
      const unlearnable = recentAcc - p.acc >= 0.06 && p.acc <= p.chance + 0.04;
      this.chanceRun = unlearnable ? this.chanceRun + 1 : 0;
      // Twice in a row, or once by a wide margin (the gap grows slowly while a net memorises).
      if (this.chanceRun >= 2 || (unlearnable && recentAcc - p.acc >= 0.1))
        this.once('labels-unlearnable', () => ({
          code: 'labels-unlearnable',
          severity: 'warn',
          step: p.step,
          message: `training accuracy rises (${recentAcc.toFixed(3)}) but held-out accuracy stays at chance (${p.acc!.toFixed(3)}, chance ${p.chance!.toFixed(3)}): what the model learns does not carry over, the labels do not follow from the inputs`,
          evidence: { trainAcc: recentAcc, evalAcc: p.acc, chance: p.chance },
          suggestion:
            'Check that inputs and labels are shuffled and batched together, and that the held-out labels use the same class order.',
        }));
    }
    if (this.o.taskEvaluator && recentAcc !== undefined && this.o.classes > 1 && this.evals.length >= 3) {
      const chance = 1 / this.o.classes;
      const flat = this.evals.every((e) => !e.improved || e === this.evals[0]);
      if (recentAcc >= Math.max(chance + 0.3, 0.6) && flat)
        this.once('eval-disagrees-with-training', () => ({
          code: 'eval-disagrees-with-training',
          severity: 'warn',
          step: p.step,
          message: `training accuracy reached ${recentAcc.toFixed(3)} (chance ${chance.toFixed(3)}) but the task's evaluator has not improved on its first score (${this.evals[0]!.value.toPrecision(3)}) in ${this.evals.length} evaluations`,
          evidence: {
            trainAcc: recentAcc,
            chance,
            evaluations: this.evals.length,
            firstValue: this.evals[0]!.value,
            lastValue: p.value,
          },
          suggestion: 'Check the evaluator: that it compares predictions with the right labels, in the right order.',
        }));
    }
  }

  /**
   * At the end of a completed run: the held-out loss (or, without one, the training loss) is still
   * above 60% of where it started and still falling, and the last evaluation was the best.
   */
  end(step: number, baseline: number | undefined): void {
    const n = this.losses.length;
    const last = this.evals.at(-1);
    if (this.o.taskEvaluator || n < 2 || !last?.improved) return;
    const k = Math.max(1, Math.floor(n / 4));
    const held = baseline !== undefined && last.loss !== undefined;
    const first = held ? baseline : mean(this.losses.slice(0, k));
    const tail = held ? last.loss! : mean(this.losses.slice(-k));
    const earlier = held ? this.evals.at(-2)?.loss : undefined;
    const before = earlier ?? (held ? baseline : mean(this.losses.slice(-2 * k, -k)));
    if (!(first > 0) || tail <= 0.6 * first || !(tail < before)) return;
    this.once('still-improving', () => ({
      code: 'still-improving',
      severity: 'warn',
      step,
      message: `training stopped after ${n} steps while still improving: the ${held ? 'held-out' : 'training'} loss fell from ${first.toPrecision(4)} to ${tail.toPrecision(4)} and was still falling, and the last evaluation was the best`,
      evidence: {
        steps: n,
        loss: held ? 'held-out' : 'training',
        initialLoss: first,
        finalLoss: tail,
        previousLoss: before,
      },
      suggestion: 'Train longer (more epochs) or take more steps per epoch (a smaller batch size).',
    }));
  }
}

/** An evaluation record as the progress checks read it; chance from the confusion matrix's row sums. */
export function pointOf(
  rec: { metrics: Record<string, number>; confusion?: number[][] },
  step: number,
  value: number,
  improved: boolean,
  taskEvaluator: boolean,
): EvalPoint {
  const rows = rec.confusion?.map((r) => r.reduce((a, b) => a + b, 0));
  const total = rows?.reduce((a, b) => a + b, 0) ?? 0;
  return {
    step,
    value,
    improved,
    ...(!taskEvaluator && rec.metrics['loss'] !== undefined ? { loss: rec.metrics['loss'] } : {}),
    ...(!taskEvaluator && rec.metrics['acc'] !== undefined ? { acc: rec.metrics['acc'] } : {}),
    ...(rows && total > 0 ? { chance: Math.max(...rows) / total } : {}),
  };
}
