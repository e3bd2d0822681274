import * as path from 'node:path';
import * as tf from '../backend/tf';
import { selectBackend } from '../backend/select-backend';
import type { TrainwatchConfig } from '../config/schema';
import type { Finding } from '../api/findings';
import type { PluginUse } from '../api/plugin';
import { isBatchSource, type Task, type TaskInstance, type TensorDataset } from '../api/task';
import { EventBus } from '../loop/bus';
import type { RunEndEvent, RunStatus } from '../loop/events';
import { InterceptorChain } from '../loop/interception';
import { RunControl } from '../loop/run-control';
import { Trainer } from '../loop/trainer';
import { disposeOptimizer, makeOptimizer, resolveLoss } from '../train/losses';
import { errorMessage, TaskProblem, TrainwatchError } from '../util/errors';
import { createLogger, stderrSink, type LogSink } from '../util/logger';
import { EventRecorder } from './event-recorder';
import { FindingLog, pluginFailureHandler } from './finding-log';
import type { Diagnosis } from '../diagnosis/diagnose';
import { runState, setUpPlugins, taskView, tearDownPlugins, type PluginDisposers } from './plugin-context';
import { claimRunDir, defaultRunDir } from './run-dir';
import { trackEvaluations, writeSummary, type RunSummary } from './summary';
import { checkTaskInstance, CORE_PLUGIN, lossOutputMismatch, problemFinding } from './task-check';
import { disposeTask, onRunBackend, splitOff } from './task-data';
import { SharedPredictions } from '../train/shared-predictions';

/** Everything one run needs: the validated config, the task, the plugins, and where to write. */
export interface RunRequest {
  /** Validated config, defaults applied. */
  config: TrainwatchConfig;
  task: Task;
  taskOptions: Record<string, unknown>;
  /** Enabled plugins in config order, options validated and defaults applied. */
  plugins: readonly PluginUse[];
  /** The run directory; default `<output.dir>/<output.name or timestamp-task>`. */
  runDir?: string;
  signal?: AbortSignal;
  logSink?: LogSink;
  /** Called with the bus before the run begins (the CLI attaches its progress display here). */
  onBus?: (bus: EventBus, runDir: string) => void;
  /** Milliseconds clock plugins see as `ctx.clock` (default `performance.now`; tests pass a fake one). */
  clock?: () => number;
  /** Set every plugin up (and dispose it) without training: what `trainwatch validate` checks. */
  dryRun?: boolean;
}

/** How a run ended, where its files are, its summary and its findings. */
export interface RunResult {
  status: RunStatus;
  reason: string;
  runDir: string;
  summary: RunSummary;
  findings: Finding[];
  /** The findings read as ranked root causes (also in `diagnosis.json`). */
  diagnosis: Diagnosis;
}

/**
 * Runs one training job end to end: backend, run directory, task, plugins, the loop, and the
 * outputs (`config.json`, `events.jsonl`, `findings.json`, `summary.json`). Never throws for a
 * failure inside the run: the result says `failed` and why. Throws only when nothing could start
 * (e.g. a backend that was asked for cannot load, or the run directory already holds a run).
 * The backend that was active before the call is active again after it.
 */
export async function runTraining(req: RunRequest): Promise<RunResult> {
  const { config } = req;
  const sink = req.logSink ?? stderrSink;
  const startedAt = new Date();
  // The caller's tensors live on the backend in use before the run: it is restored at the end, so
  // tfjs never moves them by their raw buffers (see backend/adopt.ts).
  const callerBackend = (tf.engine() as unknown as { backendName?: string }).backendName;
  const backend = await selectBackend(config.training.backend);
  // A default name that another run took meanwhile moves on to -2, -3...; a name asked for does not.
  const retry = req.runDir === undefined && !config.output.name;
  const runDir = claimRunDir(path.resolve(req.runDir ?? defaultRunDir(config, req.task.name)), config, { retry });

  const bus = new EventBus();
  const evaluations = trackEvaluations(bus);
  const control = new RunControl();
  let trainer: Trainer | undefined;
  const here = () => ({ step: trainer?.step ?? 0, epoch: trainer?.epoch ?? 0 });
  // A run whose files cannot be written (a full disk) ends at once as failed, keeping what was written.
  const writeFailed = (error: unknown, file: string) =>
    void (control.fatal ??= new TrainwatchError(
      'io-error',
      `cannot write ${path.basename(file)}: ${errorMessage(error)}; what was written is kept (free space, then trainwatch report ${runDir})`,
    ));
  const findings = new FindingLog(runDir, bus, here, writeFailed);
  const pluginFailed = pluginFailureHandler({
    log: createLogger('trainwatch', sink),
    bus,
    findings,
    here,
    failFast: config.training.failFast,
    fatal: (err) => (control.fatal ??= err),
  });
  bus.setErrorHandler(pluginFailed);
  const recorder = config.output.events
    ? new EventRecorder(path.join(runDir, 'events.jsonl'), bus, writeFailed)
    : undefined;
  req.onBus?.(bus, runDir);

  let instance: TaskInstance | undefined;
  let optimizer: tf.Optimizer | undefined;
  const owned: tf.Tensor[] = [];
  let disposers: PluginDisposers = [];
  let predictions: SharedPredictions | undefined;
  const unsubscribers: (() => void)[] = [];
  let end: RunEndEvent;
  try {
    instance = await req.task.create(req.taskOptions, {
      seed: config.training.seed,
      log: createLogger(req.task.name, sink),
    });
    checkTaskInstance(req.task.name, instance);
    const mismatch = lossOutputMismatch(instance);
    if (mismatch) findings.add(mismatch, CORE_PLUGIN);
    // Tensors the task made before the backend was chosen are copied through their values.
    const adopted = onRunBackend(instance);
    owned.push(...adopted.copies);
    let { train, validation } = adopted.instance;
    if (!validation && config.training.validation && !isBatchSource(train)) {
      let kept: TensorDataset;
      ({ train: kept, validation } = splitOff(train, config.training.validation.split));
      train = kept;
      owned.push(kept.x, kept.y, validation.x, validation.y);
    }
    optimizer = instance.optimizer ?? makeOptimizer(config.training.optimizer, config.training.learningRate);
    const loss = resolveLoss(instance.loss);
    const interceptors = new InterceptorChain((owner, e) => pluginFailed(owner, 'interceptGradients', e));
    predictions = validation ? new SharedPredictions(instance.model, validation) : undefined;
    trainer = new Trainer({
      runId: path.basename(runDir),
      task: req.task.name,
      backend: backend.name,
      model: instance.model,
      loss,
      metrics: instance.metrics ?? [],
      optimizer,
      train,
      validation,
      predictions,
      epochs: config.training.epochs,
      batchSize: config.training.batchSize,
      seed: config.training.seed,
      maxSteps: config.training.maxSteps,
      shuffle: config.training.shuffle,
      signal: req.signal,
      bus,
      interceptors,
      control,
    });
    const sources = {
      bus,
      state: runState({
        runId: path.basename(runDir),
        task: req.task.name,
        backend: backend.name,
        training: config.training,
        trainer,
        control,
      }),
      task: taskView(req.task.name, instance, { loss, train, validation }),
      model: instance.model,
      clock: req.clock ?? (() => performance.now()),
      runDir,
      sink,
      findings,
      control,
      interceptors,
      predictions,
      unsubscribers,
    };
    disposers = await setUpPlugins(req.plugins, sources, pluginFailed);
    if (control.fatal !== undefined) throw control.fatal;
    end = req.dryRun
      ? {
          status: 'completed',
          reason: 'dry run: plugins set up, nothing trained',
          step: 0,
          epoch: 0,
          wallMs: 0,
          final: {},
        }
      : await trainer.run();
  } catch (e) {
    if (e instanceof TaskProblem) findings.add(problemFinding(e), CORE_PLUGIN);
    end = {
      status: 'failed',
      reason: errorMessage(e),
      step: trainer?.step ?? 0,
      epoch: trainer?.epoch ?? 0,
      wallMs: Date.now() - startedAt.getTime(),
      final: trainer?.metrics ?? {},
    };
    await Promise.resolve(bus.emit('run:end', end)).catch(() => {});
  }
  await tearDownPlugins(disposers, unsubscribers, pluginFailed);
  predictions?.dispose();
  recorder?.close();
  const diagnosis = findings.finish(req.plugins.map((p) => p.plugin.name));
  const summary = writeSummary({
    runDir,
    task: req.task.name,
    end,
    completedEpochs: trainer?.completedEpochs ?? 0,
    findings: findings.findings,
    backend,
    startedAt,
    evaluations,
  });
  disposeTask(instance);
  tf.dispose(owned);
  // The task's own optimizer is the caller's when the instance is borrowed.
  if (optimizer && !(instance?.borrowed && instance.optimizer === optimizer)) disposeOptimizer(optimizer);
  if (callerBackend && callerBackend !== backend.name) await tf.setBackend(callerBackend);
  return { status: summary.status, reason: summary.reason, runDir, summary, findings: findings.findings, diagnosis };
}
