import * as tf from '../backend/tf';
import type { EventBus } from './bus';
import { describeParams } from './params';
import { errorMessage, TaskProblem, TrainwatchError } from '../util/errors';
import type { EventName, ParamInfo, RunEndEvent, RunStatus, TrainEvents } from './events';
import type { InterceptorChain } from './interception';
import { epochOrder, epochShape, nextBatch } from './batches';
import { isThenable } from '../util/maybe-promise';
import { StepRunner } from './step-runner';
import { maybeYield } from './event-loop';
import type { RunControl } from './run-control';
import { hasPenalties, type LossFn } from '../train/losses';
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
  /** The step's index during its events (`batch:end` included); afterwards the steps completed. */
  readonly position = { step: 0, epoch: 0 };
  /** Epochs that ran to their end (validation included). */
  completedEpochs = 0;
  readonly params: ParamInfo[];
  readonly stepsPerEpoch: number;
  readonly trainSize: number;
  metrics: Record<string, number> = {};
  private readonly variables: tf.Variable[];
  private readonly steps: StepRunner;
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
    if (this.variables.length === 0)
      throw new TaskProblem(
        'no-trainable-weights',
        'the model has no trainable weights (every layer frozen?): set trainable: true on the layers to train',
      );
    this.steps = new StepRunner(o, this.params, this.variables, hasPenalties(o.model), this.position);
  }

  get step(): number {
    return this.position.step;
  }

  get epoch(): number {
    return this.position.epoch;
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
        this.position.epoch = epoch;
        const e0 = performance.now();
        await this.emit('epoch:begin', { epoch, step: this.step });
        const data = o.train;
        const order = epochOrder(data, o.shuffle !== false, rng);
        let lossSum = 0;
        let accSum = 0;
        let batches = 0;
        for (let b = 0; b < this.stepsPerEpoch && !this.checkStop(); b++) {
          // Awaits only what is pending (see MaybePromise): most steps wait for nothing.
          const turn = maybeYield();
          if (turn) await turn;
          const at = { model: this.o.model, step: this.step, epoch: this.epoch, batch: b, seed: this.o.seed };
          const batch = nextBatch(data, order, this.o.batchSize, at);
          const stepped = this.steps.run(isThenable(batch) ? await batch : batch, b);
          const r = isThenable(stepped) ? await stepped : stepped;
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
}
