import * as tf from '../backend/tf';
import type { EventBus } from './bus';
import { buildCaptureModel, type CapturedLayer } from './layer-capture';
import type { BatchEndEvent, EventName, ParamInfo, TrainEvents } from './events';
import type { InterceptorChain, InterceptionResult } from './interception';
import { StepReadback, type StepValues } from './readback';
import { isThenable, type MaybePromise } from '../util/maybe-promise';
import { forwardBackward, release, type StepOutcome, type StepState, type Trainable } from './step-state';
import { disposalCheck } from './disposal-check';
import type { RunControl } from './run-control';
import { createStepProbe, type ProbeTarget } from './step-probe';
import { accuracy, type LossFn } from '../train/losses';
import type { SharedPredictions } from '../train/shared-predictions';

/** What a step needs from the trainer's options. */
export interface StepOptions {
  model: tf.LayersModel;
  loss: LossFn;
  metrics: readonly 'accuracy'[];
  optimizer: tf.Optimizer;
  predictions?: SharedPredictions | undefined;
  bus: EventBus;
  interceptors: InterceptorChain;
  control: RunControl;
}

/**
 * One training step: the forward and backward pass (capturing layer outputs only when a listener
 * wants them), the tensor-lending events, the one readback, the update through the interceptors,
 * and `batch:end`. `position.step` is the step's index during `batch:end` and counts completed
 * steps afterwards.
 */
export class StepRunner {
  private readonly trainable: Trainable;
  private readonly target: ProbeTarget;
  private capture: { view: tf.LayersModel; layers: CapturedLayer[]; predictionIndex: number } | undefined;

  constructor(
    private readonly o: StepOptions,
    private readonly params: ParamInfo[],
    private readonly variables: tf.Variable[],
    regularised: boolean,
    private readonly position: { step: number; epoch: number },
  ) {
    this.trainable = { model: o.model, loss: o.loss, optimizer: o.optimizer, variables, regularised };
    const byName = new Map(variables.map((v) => [v.name, v]));
    this.target = { model: o.model, loss: o.loss, variables, byName };
  }

  /**
   * One optimisation step on batch `b` of the epoch (the runner frees the batch). A promise only
   * when something in it is asynchronous.
   */
  run([xb, yb]: [tf.Tensor, tf.Tensor], b: number): MaybePromise<StepOutcome> {
    const { o, position } = this;
    const rb = new StepReadback();
    const readback = rb.request;
    const s: StepState = {
      step: position.step,
      epoch: position.epoch,
      b,
      t0: performance.now(),
      xb,
      yb,
      rb,
      held: [xb, yb],
    };
    const { step, epoch, held } = s;
    let read: MaybePromise<StepValues>;
    try {
      this.lend('batch:begin', { step, epoch, batch: b, size: xb.shape[0]! });
      const capture = o.bus.wants('forward:end', step) ? this.captureView() : undefined;
      const { loss, grads, preds, acts } = forwardBackward(this.trainable, xb, yb, capture);
      s.grads = grads;
      held.push(loss, ...Object.values(grads), ...(acts.length > 0 ? acts : [preds]));
      if (capture) {
        const activations = capture.layers.map((l, i) => ({ ...l, output: acts[i]! }));
        const lent = [xb, yb, preds, ...acts];
        this.lend(
          'forward:end',
          { step, epoch, inputs: xb, labels: yb, predictions: preds, activations, readback },
          lent,
        );
      }
      // The payload (a probe with its closures) is built only when someone listens.
      if (o.bus.listenerCount('grads:computed') > 0)
        this.lend(
          'grads:computed',
          {
            step,
            epoch,
            inputs: xb,
            labels: yb,
            loss,
            grads,
            params: this.params,
            readback,
            probe: createStepProbe(this.target, xb, yb),
          },
          [xb, yb, loss, ...Object.values(grads)],
        );

      // The step's one readback: loss, metrics and whatever listeners asked for.
      const acc = o.metrics.includes('accuracy') ? accuracy(yb, preds) : undefined;
      if (acc) held.push(acc);
      s.withAcc = acc !== undefined;
      read = rb.read(acc ? [loss, acc] : [loss]);
    } catch (e) {
      release(s);
      throw e;
    }
    if (!isThenable(read)) return this.finishStep(s, read);
    return read.then(
      (values) => this.finishStep(s, values),
      (e: unknown) => {
        release(s);
        throw e;
      },
    );
  }

  /** The update (through the interceptors) and `batch:end`, once the step's values are read. */
  private finishStep(s: StepState, { scalars, values: extra }: StepValues): MaybePromise<StepOutcome> {
    const { o } = this;
    const { step, epoch, xb, yb } = s;
    const lossValue = scalars[0]!;
    const accValue = s.withAcc ? scalars[1] : undefined;
    let result: InterceptionResult | undefined;
    try {
      result =
        o.interceptors.size > 0
          ? o.interceptors.run(
              { step, epoch, inputs: xb, labels: yb, loss: lossValue, params: this.params, readback: extra },
              s.grads!,
            )
          : undefined;
      if (result?.applied ?? true) {
        o.optimizer.applyGradients(result?.grads ?? s.grads!);
        o.predictions?.invalidate();
      }
    } finally {
      // The step's tensors are freed before batch:end: its listeners get numbers only.
      release(s);
      if (result?.owned) tf.dispose(result.grads);
    }
    const payload: BatchEndEvent = {
      step,
      epoch,
      batch: s.b,
      loss: lossValue,
      metrics: accValue !== undefined ? { acc: accValue } : {},
      learningRate: (o.optimizer as unknown as { learningRate?: number }).learningRate ?? Number.NaN,
      stepMs: performance.now() - s.t0,
      update: { applied: result?.applied ?? true, interventions: result?.interventions ?? [] },
      readback: extra,
    };
    const outcome: StepOutcome = { loss: lossValue, acc: accValue };
    // During batch:end, state.step is this step's index; afterwards it counts completed steps.
    const done = (): StepOutcome => {
      this.position.step = step + 1;
      if (o.control.fatal !== undefined) throw o.control.fatal;
      return outcome;
    };
    let ended: void | Promise<void>;
    try {
      ended = o.bus.emit('batch:end', payload);
    } catch (e) {
      this.position.step = step + 1;
      throw e;
    }
    if (!isThenable(ended)) return done();
    return ended.then(done, (e: unknown) => {
      this.position.step = step + 1;
      throw e;
    });
  }

  /** Sync dispatch for events that lend tensors; listeners' scratch tensors are freed by tidy. */
  private lend<E extends EventName>(event: E, payload: TrainEvents[E], lent: readonly tf.Tensor[] = []): void {
    // Nobody listening: no tidy scope, no listener check (a few us a step on small models).
    if (this.o.bus.listenerCount(event) === 0) return;
    this.o.bus.setListenerCheck(disposalCheck(event, lent, this.variables, this.o.control));
    try {
      tf.tidy(() => {
        this.o.bus.emit(event, payload);
      });
    } finally {
      this.o.bus.setListenerCheck(undefined);
    }
    if (this.o.control.fatal !== undefined) throw this.o.control.fatal;
  }

  private captureView() {
    this.capture ??= buildCaptureModel(this.o.model);
    return this.capture;
  }
}
