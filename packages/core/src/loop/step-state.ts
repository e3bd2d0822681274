import * as tf from '../backend/tf';
import type { StepReadback } from './readback';
import { withPenalties, type LossFn } from '../train/losses';

/** A step's loss and accuracy (when measured). */
export interface StepOutcome {
  loss: number;
  acc: number | undefined;
}

/** What a step carries from its forward and backward pass to its update. */
export interface StepState {
  step: number;
  epoch: number;
  b: number;
  t0: number;
  xb: tf.Tensor;
  yb: tf.Tensor;
  rb: StepReadback;
  /** Tensors the step made (and the batch): freed once the update is applied. */
  held: tf.Tensor[];
  grads?: tf.NamedTensorMap;
  withAcc?: boolean;
}

/** Frees what the step made (the batch too) and its queued readback tensors. */
export function release(s: StepState): void {
  tf.dispose(s.held);
  s.held.length = 0;
  s.rb.dispose();
}

/** What the forward and backward pass runs on. */
export interface Trainable {
  model: tf.LayersModel;
  loss: LossFn;
  optimizer: tf.Optimizer;
  variables: tf.Variable[];
  /** The model has weight penalties to add to the loss. */
  regularised: boolean;
}

/**
 * The step's forward pass (through the capture view when someone wants the layers' outputs), its
 * loss with penalties, and the gradients. The predictions and captured outputs are kept: the caller
 * frees them with the loss and gradients.
 */
export function forwardBackward(
  t: Trainable,
  xb: tf.Tensor,
  yb: tf.Tensor,
  capture: { view: tf.LayersModel; predictionIndex: number } | undefined,
): { loss: tf.Scalar; grads: tf.NamedTensorMap; preds: tf.Tensor; acts: tf.Tensor[] } {
  let preds: tf.Tensor | undefined;
  let acts: tf.Tensor[] = [];
  const { value: loss, grads } = t.optimizer.computeGradients(() => {
    if (capture) {
      // A one-layer model's view has a single output: apply returns a tensor, not an array.
      acts = [capture.view.apply(xb, { training: true }) as tf.Tensor | tf.Tensor[]].flat().map((x) => tf.keep(x));
      preds = acts[capture.predictionIndex]!;
    } else {
      preds = tf.keep(t.model.apply(xb, { training: true }) as tf.Tensor);
    }
    return withPenalties(t.model, t.loss(yb, preds), t.regularised);
  }, t.variables);
  return { loss, grads, preds: preds!, acts };
}
