import * as tf from '../backend/tf';
import type { EventBus } from './bus';
import { buildCaptureModel, type CapturedLayer } from './layer-capture';
import { describeParams } from './params';
import { errorMessage, TaskProblem, TrainwatchError } from '../util/errors';
import type { EventName, ParamInfo, RunEndEvent, RunStatus, TrainEvents } from './events';
import type { InterceptorChain, InterceptionResult } from './interception';
import { epochOrder, epochShape, nextBatch } from './batches';
import { StepReadback } from './readback';
import { maybeYield } from './event-loop';
import { disposalCheck } from './disposal-check';
import type { RunControl } from './run-control';
import { createStepProbe, type ProbeTarget } from './step-probe';
import { accuracy, hasPenalties, withPenalties, type LossFn } from '../train/losses';
import { heldOutMetrics } from '../train/evaluate';
import type { SharedPredictions } from '../train/shared-predictions';
import { createRng } from '../util/random';
import type { BatchSource, TensorDataset } from '../api/task';

export interface TrainerOptions {
  runId: string;
  task: string;
  backend: string;
  model: tf.LayersModel;
  loss: LossFn;
  metrics: readonly 'accuracy'[];
  optimizer: tf.Optimizer;
  train: TensorDataset | BatchSource;
  validation?: TensorDataset | undefined;
  /** The held-out set's predictions, shared with plugins; invalidated after every update. */
  predictions?: SharedPredictions | undefined;
  epochs: number;
  batchSize: number;
  seed: number;
  /** Shuffle the examples each epoch (seeded; default true). */
  shuffle?: boolean | undefined;
  maxSteps?: number | undefined;
  signal?: AbortSignal | undefined;
  bus: EventBus;
  interceptors: InterceptorChain;
  control: RunControl;
}

/**
 * The custom training loop: `optimizer.computeGradients` / `applyGradients` over a LayersModel (not
 * `model.fit`, which hides gradients), one readback per step, events on the bus.
 */
export class Trainer {
  step = 0;
  epoch = 0;
  /** Epochs that ran to their end (validation included). */
  completedEpochs = 0;
  readonly params: ParamInfo[];
  readonly stepsPerEpoch: number;
  readonly trainSize: number;
  metrics: Record<string, number> = {};
  private readonly variables: tf.Variable[];
  private readonly regularised: boolean;
  private readonly target: ProbeTarget;
  private capture: { view: tf.LayersModel; layers: CapturedLayer[]; predictionIndex: number } | undefined;
  private readonly startMs = performance.now();

  constructor(private readonly o: TrainerOptions) {
    if (o.model.outputs.length !== 1) {
      throw new TrainwatchError(
        'task-error',
        `the model has ${o.model.outputs.length} outputs; trainwatch trains single-output models`,
      );
    }
    ({ stepsPerEpoch: this.stepsPerEpoch, trainSize: this.trainSize } = epochShape(o.train, o.batchSize));
    ({ params: this.params, variables: this.variables } = describeParams(o.model));
    this.regularised = hasPenalties(o.model);
    const byName = new Map(this.variables.map((v) => [v.name, v]));
    this.target = { model: o.model, loss: o.loss, variables: this.variables, byName };
    if (this.variables.length === 0)
      throw new TaskProblem(
        'no-trainable-weights',
        'the model has no trainable weights (every layer frozen?): set trainable: true on the layers to train',
      );
  }

  get elapsedMs(): number {
    return performance.now() - this.startMs;
  }

  /** Runs every epoch (or until a stop) and returns the `run:end` payload it emitted. */
  async run(): Promise<RunEndEvent> {
    const { o } = this;
    let status: RunStatus = 'completed';
    let reason = `${o.epochs} epoch${o.epochs === 1 ? '' : 's'} done`;
    const rng = createRng(o.seed);
    try {
      await this.emit('run:begin', {
        runId: o.runId,
        task: o.task,
        backend: o.backend,
        epochs: o.epochs,
        stepsPerEpoch: this.stepsPerEpoch,
        batchSize: o.batchSize,
        trainSize: this.trainSize,
        valSize: o.validation?.x.shape[0] ?? 0,
        params: this.params,
      });
      for (let epoch = 0; epoch < o.epochs && !this.checkStop(); epoch++) {
        this.epoch = epoch;
        const e0 = performance.now();
        await this.emit('epoch:begin', { epoch, step: this.step });
        const data = o.train;
        const order = epochOrder(data, o.shuffle !== false, rng);
        let lossSum = 0;
        let accSum = 0;
        let batches = 0;
        for (let b = 0; b < this.stepsPerEpoch && !this.checkStop(); b++) {
          await maybeYield();
          const at = { model: this.o.model, step: this.step, epoch: this.epoch, batch: b, seed: this.o.seed };
          const r = await this.trainStep(await nextBatch(data, order, this.o.batchSize, at), b);
          lossSum += r.loss;
          accSum += r.acc ?? 0;
          batches++;
        }
        const train: Record<string, number> = batches > 0 ? { loss: lossSum / batches } : {};
        if (batches > 0 && o.metrics.includes('accuracy')) train['acc'] = accSum / batches;
        const val = o.validation ? await this.validate(o.validation) : {};
        this.metrics = { ...train, ...Object.fromEntries(Object.entries(val).map(([k, v]) => [`val_${k}`, v])) };
        await this.emit('epoch:end', { epoch, step: this.step, train, val, epochMs: performance.now() - e0 });
        if (batches === this.stepsPerEpoch) this.completedEpochs++;
      }
      if (o.control.stopReason !== undefined) {
        status = o.control.stopIsCompletion ? 'completed' : 'stopped';
        reason = o.control.stopReason;
      }
    } catch (e) {
      status = 'failed';
      reason = errorMessage(e);
      o.control.fatal ??= e;
    }
    const end: RunEndEvent = {
      status,
      reason,
      step: this.step,
      epoch: this.epoch,
      wallMs: this.elapsedMs,
      final: this.metrics,
    };
    try {
      await this.emit('run:end', end);
    } catch {
      // The run already ended; a failing run:end listener was reported by the bus.
    }
    return end;
  }

  /** Loss and metrics on the held-out set, from the predictions plugins share (one readback). */
  private async validate(data: TensorDataset): Promise<Record<string, number>> {
    const t0 = performance.now();
    const withAcc = this.o.metrics.includes('accuracy');
    const shared = this.o.predictions?.data === data ? this.o.predictions : undefined;
    const metrics = await heldOutMetrics(this.o.model, data, this.o.loss, withAcc, shared);
    await this.emit('eval:end', {
      step: this.step,
      epoch: this.epoch,
      name: 'validation',
      metrics,
      evalMs: performance.now() - t0,
    });
    return metrics;
  }

  private checkStop(): boolean {
    return this.o.control.check(this.o.signal, this.o.maxSteps, this.step);
  }

  private async emit<E extends EventName>(event: E, payload: TrainEvents[E]): Promise<void> {
    await this.o.bus.emit(event, payload);
    if (this.o.control.fatal !== undefined) throw this.o.control.fatal;
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

  private async trainStep(
    [xb, yb]: [tf.Tensor, tf.Tensor],
    b: number,
  ): Promise<{ loss: number; acc: number | undefined }> {
    const { o } = this;
    const t0 = performance.now();
    const step = this.step;
    const epoch = this.epoch;
    const rb = new StepReadback();
    const readback = rb.request;
    const held: tf.Tensor[] = [xb, yb];
    let result: InterceptionResult | undefined;
    try {
      this.lend('batch:begin', { step, epoch, batch: b, size: xb.shape[0]! });
      const capture = o.bus.wants('forward:end', step) ? this.captureView() : undefined;
      let preds: tf.Tensor | undefined;
      let acts: tf.Tensor[] = [];
      const { value: loss, grads } = o.optimizer.computeGradients(() => {
        if (capture) {
          // A one-layer model's view has a single output: apply returns a tensor, not an array.
          acts = [capture.view.apply(xb, { training: true }) as tf.Tensor | tf.Tensor[]].flat().map((t) => tf.keep(t));
          preds = acts[capture.predictionIndex]!;
        } else {
          preds = tf.keep(o.model.apply(xb, { training: true }) as tf.Tensor);
        }
        return withPenalties(o.model, o.loss(yb, preds), this.regularised);
      }, this.variables);
      held.push(loss, ...Object.values(grads), ...(acts.length > 0 ? acts : [preds!]));
      if (capture) {
        const activations = capture.layers.map((l, i) => ({ ...l, output: acts[i]! }));
        const lent = [xb, yb, preds!, ...acts];
        this.lend(
          'forward:end',
          { step, epoch, inputs: xb, labels: yb, predictions: preds!, activations, readback },
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
      const acc = o.metrics.includes('accuracy') ? accuracy(yb, preds!) : undefined;
      if (acc) held.push(acc);
      const { scalars, values: extra } = await rb.read(acc ? [loss, acc] : [loss]);
      const lossValue = scalars[0]!;
      const accValue = acc ? scalars[1] : undefined;

      result =
        o.interceptors.size > 0
          ? o.interceptors.run(
              { step, epoch, inputs: xb, labels: yb, loss: lossValue, params: this.params, readback: extra },
              grads,
            )
          : undefined;
      if (result?.applied ?? true) {
        o.optimizer.applyGradients(result?.grads ?? grads);
        o.predictions?.invalidate();
      }

      const metrics: Record<string, number> = accValue !== undefined ? { acc: accValue } : {};
      const learningRate = (o.optimizer as unknown as { learningRate?: number }).learningRate ?? Number.NaN;
      const update = { applied: result?.applied ?? true, interventions: result?.interventions ?? [] };
      tf.dispose(held);
      held.length = 0;
      try {
        await this.emit('batch:end', {
          step,
          epoch,
          batch: b,
          loss: lossValue,
          metrics,
          learningRate,
          stepMs: performance.now() - t0,
          update,
          readback: extra,
        });
      } finally {
        // During batch:end, state.step is this step's index; afterwards it counts completed steps.
        this.step = step + 1;
      }
      return { loss: lossValue, acc: accValue };
    } finally {
      tf.dispose(held);
      rb.dispose();
      if (result?.owned) tf.dispose(result.grads);
    }
  }
}
