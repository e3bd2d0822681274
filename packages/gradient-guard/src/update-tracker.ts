import { tf } from '@trainwatch/core';
import type { SquareSums } from './square-sums';

/** Entries per variable Σ(Δw)² is estimated from on host backends (bigger variables are sampled). */
export const SAMPLED_TERMS = 4096;

/** One measured update: Σ(Δw)² per variable and Σw² per variable before it (the ratio's denominator). */
export interface MeasuredUpdate {
  readonly updateSq: Float32Array;
  readonly prevWeightSq: Float32Array;
}

/**
 * Measures the update-to-weight ratio ‖Δw‖/‖w‖ of one optimizer step now and then. The step's
 * update is only visible after it was applied, so the measurement spans two steps:
 *
 * 1. at step s (`beforeStep(..., track = true)`) the weights' current values are kept;
 * 2. the optimizer applies step s's update (unless an interceptor skipped it: `stepEnded(false)`
 *    drops the measurement, since an update that never happened says nothing about frozen weights);
 * 3. at step s+1, `beforeStep` adds Σ(w − copy)² per variable to the step's sums, and `readback`
 *    pairs their values with Σw² read at step s.
 *
 * What is kept is a reference, not a copy: a same-shape `reshape` shares the variable's data
 * (reference-counted), and tfjs never writes into a tensor's data: an optimizer (or `setWeights`)
 * gives the variable new data and the old values stay with the reference. On wasm this costs ~2 us
 * where a clone of a 784x128 kernel cost ~300 us. The references are owned here and freed as soon
 * as they were used (or by `dispose`).
 */
export class UpdateTracker {
  private rounds = 0;
  private before: tf.Tensor[] | undefined;
  private skipped = false;
  private measuring = false;
  private weightSqAtCopy: Float32Array | undefined;
  private copiedThisStep = false;
  private measured: MeasuredUpdate | undefined;

  /**
   * Called in `grads:computed` with the current weights (in `params` order). Adds Σ(Δw)² per
   * variable to `sums` when the previous step's update is being measured, and keeps the weights
   * when `track` asks to measure this step's update.
   */
  beforeStep(weights: readonly tf.Tensor[], track: boolean, sums: SquareSums): void {
    this.measuring = this.before !== undefined && !this.skipped;
    // The ratio is judged against bounds two orders of magnitude apart: a sample of a few
    // thousand entries per variable measures it to a few percent, at a fraction of a full pass
    // over every weight twice (~350 us per measurement on mnist-mlp on wasm).
    if (this.measuring) sums.diff(weights, this.before!, { maxTerms: SAMPLED_TERMS, round: this.rounds++ });
    this.drop();
    this.skipped = false;
    this.copiedThisStep = track;
    if (track) this.before = weights.map((w) => tf.keep(tf.reshape(w, w.shape)));
  }

  /** True when this step's sums hold Σ(Δw)² values (`beforeStep` added them). */
  get hasUpdateSums(): boolean {
    return this.measuring;
  }

  /** Called in `batch:end`: an update an interceptor skipped is not measured. */
  stepEnded(applied: boolean): void {
    if (!applied && this.before) this.skipped = true;
  }

  /**
   * Called with the step's readback: the Σ(Δw)² values (when `hasUpdateSums`) and the latest Σw²
   * read (the ratio's denominator when this step's update is being measured).
   */
  readback(updateSq: Float32Array | undefined, weightSq: Float32Array | undefined): void {
    if (updateSq && this.weightSqAtCopy)
      this.measured = { updateSq: updateSq.slice(), prevWeightSq: this.weightSqAtCopy };
    if (this.copiedThisStep) this.weightSqAtCopy = weightSq?.slice();
  }

  /** The latest measured update, handed out once (the next check's numbers carry it). */
  take(): MeasuredUpdate | undefined {
    const m = this.measured;
    this.measured = undefined;
    return m;
  }

  dispose(): void {
    this.drop();
  }

  private drop(): void {
    tf.dispose(this.before ?? []);
    this.before = undefined;
  }
}
