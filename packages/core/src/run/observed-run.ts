import * as path from 'node:path';
import * as tf from '../backend/tf';
import type { BackendInfo, BackendName } from '../backend/select-backend';
import type { TrainwatchConfig } from '../config/schema';
import type { PluginUse } from '../api/plugin';
import type { TaskInstance, TensorDataset } from '../api/task';
import { EventBus } from '../loop/bus';
import type { EventName, RunEndEvent, RunStatus, TrainEvents } from '../loop/events';
import { InterceptorChain } from '../loop/interception';
import { buildCaptureModel } from '../loop/layer-capture';
import { describeParams } from '../loop/params';
import { StepReadback } from '../loop/readback';
import { RunControl } from '../loop/run-control';
import { resolveLoss, type LossFn, type LossName } from '../train/losses';
import { SharedPredictions } from '../train/shared-predictions';
import { createLogger, type LogSink } from '../util/logger';
import { EventRecorder } from './event-recorder';
import { FindingLog, pluginFailureHandler } from './finding-log';
import { runState, setUpPlugins, taskView, tearDownPlugins, type PluginDisposers } from './plugin-context';
import { claimRunDir } from './run-dir';
import { trackEvaluations, writeSummary, type RunSummary } from './summary';

/** What an observed run needs: the model being trained elsewhere, and what plugins may evaluate on. */
export interface ObservedRunRequest {
  config: TrainwatchConfig;
  /** The run's task name in its records (e.g. `model-fit`). */
  task: string;
  model: tf.LayersModel;
  loss: LossName | LossFn;
  metrics: readonly 'accuracy'[];
  /** Held-out data for plugins that evaluate (periodic-eval, qualitative-sampler). Lent. */
  validation?: TensorDataset | undefined;
  /** A batch to compute layer activations on (forward:end), on the plugins' cadence. Lent. */
  probe?: TensorDataset | undefined;
  plugins: readonly PluginUse[];
  runDir: string;
  /** `runDir` is a default name: take the next free suffix if another run has it. */
  defaultName?: boolean;
  logSink: LogSink;
  /** What the outside loop cannot give, said once per plugin that asks for it (with the way to get it). */
  missing: { events: readonly EventName[]; hint: string };
}

/**
 * A run whose loop is someone else's (tfjs `model.fit` with a callback): the same run directory,
 * bus, findings, plugin contexts and summary as {@link runTraining}, fed by the caller through
 * `epochBegin` / `batchEnd` / `epochEnd` / `end`. Nothing is switched: it runs on the backend
 * the model already trains on, and the model and data stay the caller's.
 */
export class ObservedRun {
  readonly bus = new EventBus();
  private readonly evaluations = trackEvaluations(this.bus);
  readonly control = new RunControl();
  readonly findings: FindingLog;
  /** The run directory taken (a default name moves on to -2, -3... when another run took it). */
  readonly runDir: string;
  private readonly position = {
    step: 0,
    epoch: 0,
    stepsPerEpoch: 0,
    metrics: {} as Record<string, number>,
    elapsedMs: 0,
  };
  private readonly t0 = performance.now();
  private readonly startedAt = new Date();
  private disposers: PluginDisposers = [];
  private readonly unsubscribers: (() => void)[] = [];
  private readonly recorder: EventRecorder | undefined;
  private readonly failed: (plugin: string, event: string, error: unknown) => void;
  private capture: ReturnType<typeof buildCaptureModel> | undefined;
  private predictions: SharedPredictions | undefined;
  private completedEpochs = 0;

  private constructor(private readonly req: ObservedRunRequest) {
    this.runDir = claimRunDir(req.runDir, req.config, { retry: req.defaultName === true });
    const here = () => ({ step: this.position.step, epoch: this.position.epoch });
    this.findings = new FindingLog(this.runDir, this.bus, here);
    this.failed = pluginFailureHandler({
      log: createLogger('trainwatch', req.logSink),
      bus: this.bus,
      findings: this.findings,
      here,
      failFast: false,
      fatal: () => {},
    });
    this.bus.setErrorHandler(this.failed);
    this.recorder = req.config.output.events
      ? new EventRecorder(path.join(this.runDir, 'events.jsonl'), this.bus)
      : undefined;
  }

  /** Creates the run directory, sets every plugin up and emits `run:begin`. */
  static async start(
    req: ObservedRunRequest,
    info: { epochs: number; stepsPerEpoch: number; trainSize: number },
  ): Promise<ObservedRun> {
    const run = new ObservedRun(req);
    await run.setup(info);
    return run;
  }

  private async setup(info: { epochs: number; stepsPerEpoch: number; trainSize: number }): Promise<void> {
    const { req, position } = this;
    position.stepsPerEpoch = info.stepsPerEpoch;
    const backend = tf.getBackend(); // model.fit's own: never switched under it
    const asked = new Map<string, Set<string>>();
    // The examples are model.fit's: plugins see no training set (as with a batch source).
    const noData = (): never => {
      throw new Error('no training data in a model.fit callback');
    };
    const instance: TaskInstance = {
      model: req.model,
      loss: req.loss,
      metrics: [...req.metrics],
      train: { kind: 'batch-source', stepsPerEpoch: info.stepsPerEpoch, next: noData },
    };
    const sources = {
      bus: this.bus,
      state: runState({
        runId: path.basename(this.runDir),
        task: req.task,
        backend,
        training: req.config.training,
        trainer: position,
        control: this.control,
      }),
      task: taskView(req.task, instance, {
        loss: resolveLoss(req.loss),
        train: instance.train,
        validation: req.validation,
      }),
      model: req.model,
      clock: () => performance.now(),
      runDir: this.runDir,
      sink: req.logSink,
      findings: this.findings,
      control: this.control,
      interceptors: new InterceptorChain((owner, e) => this.failed(owner, 'interceptGradients', e)),
      predictions: (this.predictions = req.validation ? new SharedPredictions(req.model, req.validation) : undefined),
      unsubscribers: this.unsubscribers,
      unavailable: {
        events: new Set<EventName>(
          req.probe ? req.missing.events.filter((e) => e !== 'forward:end') : req.missing.events,
        ),
        note: (plugin: string, what: string) =>
          void (asked.get(plugin) ?? asked.set(plugin, new Set()).get(plugin)!).add(what),
      },
    };
    this.disposers = await setUpPlugins(req.plugins, sources, this.failed);
    for (const [plugin, what] of asked) {
      this.findings.add(
        {
          code: 'not-observable',
          severity: 'info',
          message: `${plugin} uses ${[...what].join(' and ')}, which this run cannot provide: those checks did not run`,
          evidence: { needs: [...what] },
          suggestion: req.missing.hint,
        },
        plugin,
      );
    }
    await this.emit('run:begin', {
      runId: path.basename(this.runDir),
      task: req.task,
      backend,
      epochs: info.epochs,
      stepsPerEpoch: info.stepsPerEpoch,
      batchSize: req.config.training.batchSize,
      trainSize: info.trainSize,
      valSize: req.validation?.x.shape[0] ?? 0,
      params: describeParams(req.model).params,
    });
  }

  async epochBegin(epoch: number): Promise<void> {
    this.position.epoch = epoch;
    await this.emit('epoch:begin', { epoch, step: this.position.step });
  }

  /** One optimizer step finished with these numbers (a model.fit batch's logs). */
  async batchEnd(batch: number, loss: number, metrics: Record<string, number>, size: number): Promise<void> {
    const p = this.position;
    const step = p.step;
    this.predictions?.invalidate(); // model.fit just updated the weights
    this.bus.emit('batch:begin', { step, epoch: p.epoch, batch, size });
    const rb = new StepReadback();
    try {
      if (this.req.probe && this.bus.wants('forward:end', step)) this.forwardOnProbe(step, rb);
      const { values } = await rb.read([]);
      p.elapsedMs = performance.now() - this.t0;
      const update = { applied: true, interventions: [] };
      await this.emit('batch:end', {
        step,
        epoch: p.epoch,
        batch,
        loss,
        metrics,
        learningRate: Number.NaN,
        stepMs: 0,
        update,
        readback: values,
      });
    } finally {
      rb.dispose();
      p.step = step + 1;
    }
  }

  /** Activations of every layer on the probe batch (inference mode), lent to `forward:end` listeners. */
  private forwardOnProbe(step: number, rb: StepReadback): void {
    const probe = this.req.probe!;
    this.capture ??= buildCaptureModel(this.req.model);
    const c = this.capture;
    tf.tidy(() => {
      const outs = [c.view.apply(probe.x, { training: false }) as tf.Tensor | tf.Tensor[]].flat();
      const activations = c.layers.map((l, i) => ({ ...l, output: outs[i]! }));
      const predictions = outs[c.predictionIndex]!;
      this.bus.emit('forward:end', {
        step,
        epoch: this.position.epoch,
        inputs: probe.x,
        labels: probe.y,
        predictions,
        activations,
        readback: rb.request,
      });
    });
  }

  async epochEnd(epoch: number, train: Record<string, number>, val: Record<string, number>): Promise<void> {
    const p = this.position;
    if (Object.keys(val).length > 0)
      await this.emit('eval:end', { step: p.step, epoch, name: 'validation', metrics: val, evalMs: 0 });
    p.metrics = { ...train, ...Object.fromEntries(Object.entries(val).map(([k, v]) => [`val_${k}`, v])) };
    await this.emit('epoch:end', { epoch, step: p.step, train, val, epochMs: 0 });
    this.completedEpochs++;
  }

  /** Ends the run: `run:end`, disposers, `findings.json` and `summary.json`. */
  async end(status: RunStatus, reason: string): Promise<RunSummary> {
    const p = this.position;
    const end: RunEndEvent = {
      status,
      reason,
      step: p.step,
      epoch: p.epoch,
      wallMs: performance.now() - this.t0,
      final: p.metrics,
    };
    await this.emit('run:end', end).catch(() => {});
    await tearDownPlugins(this.disposers, this.unsubscribers, this.failed);
    this.predictions?.dispose();
    this.recorder?.close();
    this.findings.finish(this.req.plugins.map((p) => p.plugin.name));
    const backend: BackendInfo = { requested: 'auto', name: tf.getBackend() as BackendName, skipped: [] };
    return writeSummary({
      runDir: this.runDir,
      task: this.req.task,
      end,
      completedEpochs: this.completedEpochs,
      findings: this.findings.findings,
      backend,
      startedAt: this.startedAt,
      evaluations: this.evaluations,
    });
  }

  private async emit<E extends EventName>(event: E, payload: TrainEvents[E]): Promise<void> {
    await this.bus.emit(event, payload);
  }
}
