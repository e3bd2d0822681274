import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from './tf';
import { createArtifactWriter, writeFileAtomic, toJson } from './artifacts';
import { selectBackend, type BackendInfo } from './backend';
import { EventBus } from './bus';
import type { TrainwatchConfig } from './config';
import { errorMessage, PluginError, TrainwatchError } from './errors';
import type { EventName, RunEndEvent, RunStatus } from './events';
import { completeFinding, countBySeverity, type Finding, type FindingInput } from './findings';
import { InterceptorChain } from './interception';
import { createLogger, stderrSink, type LogSink } from './logger';
import { makeOptimizer, resolveLoss } from './losses';
import type { Disposer, Plugin, PluginContext, PluginOrder, RunState, TaskView } from './plugin';
import { describeParams } from './capture';
import { EventRecorder } from './recorder';
import { isBatchSource, type Task, type TaskInstance, type TensorDataset } from './task';
import { kernelGapReport } from './wasm-kernels';
import { RunControl, Trainer } from './trainer';

/** A plugin ready to run: loaded, options validated. */
export interface LoadedPlugin {
  plugin: Plugin<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  options: Record<string, unknown>;
  order?: PluginOrder | undefined;
}

export interface RunRequest {
  /** Validated config, defaults applied. */
  config: TrainwatchConfig;
  task: Task<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  taskOptions: Record<string, unknown>;
  /** Enabled plugins in config order. */
  plugins: readonly LoadedPlugin[];
  /** The run directory; default `<output.dir>/<output.name or timestamp-task>`. */
  runDir?: string;
  signal?: AbortSignal;
  logSink?: LogSink;
  /** Called with the bus before the run begins (the CLI attaches its progress display here). */
  onBus?: (bus: EventBus) => void;
  /** Milliseconds clock plugins see as `ctx.clock` (default `performance.now`; tests pass a fake one). */
  clock?: () => number;
}

export interface RunSummary {
  runId: string;
  task: string;
  status: RunStatus;
  reason: string;
  steps: number;
  epochs: number;
  final: Record<string, number>;
  findings: Record<string, number>;
  backend: BackendInfo;
  versions: Record<string, string>;
  wallMs: number;
  startedAt: string;
  endedAt: string;
  runDir: string;
}

export interface RunResult {
  status: RunStatus;
  reason: string;
  runDir: string;
  summary: RunSummary;
  findings: Finding[];
}

const ORDER_RANK = { pre: 0, none: 1, post: 2 } as const;

/** `pre` plugins first, then unmarked, then `post`; config order within each (a stable sort). */
export function sortPlugins<T extends { plugin: Plugin<any>; order?: PluginOrder | undefined }>(
  plugins: readonly T[],
): T[] {
  // eslint-disable-line @typescript-eslint/no-explicit-any
  const rank = (p: T) => ORDER_RANK[p.order ?? p.plugin.order ?? 'none'];
  return plugins
    .map((p, i) => ({ p, i }))
    .sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i)
    .map((x) => x.p);
}

/**
 * `<output.dir>/<output.name>`, or `<output.dir>/<timestamp>-<label>` (with `-2`, `-3`... when taken).
 * Pass `useName: false` for side runs (e.g. the doctor's) that must not take the run's own name.
 */
export function defaultRunDir(config: TrainwatchConfig, label: string, useName = true): string {
  if (config.output.name && useName) return path.resolve(config.output.dir, config.output.name);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace('T', '-').slice(0, 19);
  let dir = path.resolve(config.output.dir, `${stamp}-${label}`);
  for (let i = 2; fs.existsSync(dir); i++) dir = path.resolve(config.output.dir, `${stamp}-${label}-${i}`);
  return dir;
}

function versions(): Record<string, string> {
  const own = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { version: string };
  return { trainwatch: own.version, tfjs: tf.version_core, node: process.versions.node };
}

/** Holds back the last `split` of the examples (as Keras' validation_split does). */
function splitOff(data: TensorDataset, split: number): { train: TensorDataset; validation: TensorDataset } {
  const n = data.x.shape[0]!;
  const nVal = Math.floor(n * split);
  if (nVal < 1 || nVal >= n)
    throw new TrainwatchError(
      'invalid-config',
      `training.validation.split ${split} leaves no examples on one side (${n} examples)`,
    );
  const cut = (t: tf.Tensor, from: number, size: number) => tf.slice(t, from, size);
  return {
    train: { x: cut(data.x, 0, n - nVal), y: cut(data.y, 0, n - nVal) },
    validation: { x: cut(data.x, n - nVal, nVal), y: cut(data.y, n - nVal, nVal) },
  };
}

/**
 * Runs one training job end to end: backend, run directory, task, plugins, the loop, and the
 * outputs (`config.json`, `events.jsonl`, `findings.json`, `summary.json`). Never throws for a
 * failure inside the run: the result says `failed` and why. Throws only when nothing could start
 * (e.g. a backend that was asked for cannot load).
 */
export async function runTraining(req: RunRequest): Promise<RunResult> {
  const { config } = req;
  const sink = req.logSink ?? stderrSink;
  const coreLog = createLogger('trainwatch', sink);
  const startedAt = new Date();
  const backend = await selectBackend(config.training.backend);
  const runDir = path.resolve(req.runDir ?? defaultRunDir(config, req.task.name));
  // A run directory holds one run: appending a second one to its files would garble both.
  const previous = ['events.jsonl', 'findings.json', 'summary.json'].filter((f) => fs.existsSync(path.join(runDir, f)));
  if (previous.length > 0) {
    throw new TrainwatchError(
      'run-dir-exists',
      `run directory ${runDir} already holds a run (${previous.join(', ')}); choose another directory (--out) or remove it: nothing was overwritten`,
    );
  }
  fs.mkdirSync(runDir, { recursive: true });
  const runId = path.basename(runDir);
  writeFileAtomic(path.join(runDir, 'config.json'), `${toJson(config, 2)}\n`);

  const bus = new EventBus();
  const control = new RunControl();
  const findings: Finding[] = [];
  const findingsFile = path.join(runDir, 'findings.json');
  const saveFindings = () => writeFileAtomic(findingsFile, `${toJson(findings, 2)}\n`);
  saveFindings();
  let trainer: Trainer | undefined;
  const here = () => ({ step: trainer?.step ?? 0, epoch: trainer?.epoch ?? 0 });

  const addFinding = (input: FindingInput, plugin: string) => {
    const f = completeFinding(input, plugin, here().step, here().epoch);
    findings.push(f);
    saveFindings();
    bus.emit('finding', f);
  };
  const pluginFailed = (plugin: string, event: string, error: unknown) => {
    const err = error instanceof PluginError ? error : new PluginError(plugin, event, error);
    coreLog.error(err.message);
    if (event === 'error' || event === 'finding') return; // never recurse through the reporting events
    bus.emit('error', { plugin, event, code: err.code, message: err.message, step: here().step });
    addFinding(
      {
        code: 'plugin-error',
        severity: 'error',
        message: err.message,
        evidence: {
          event,
          error: errorMessage(error),
          stack: (error instanceof Error ? (error.stack ?? '') : '').split('\n').slice(0, 6).join('\n'),
        },
        suggestion: config.training.failFast
          ? 'The run stopped because training.failFast is set.'
          : 'The run went on without this call; fix the plugin or disable it.',
      },
      plugin,
    );
    if (config.training.failFast) control.fatal ??= err;
  };
  bus.setErrorHandler((owner, event, error) => pluginFailed(owner, event, error));
  const recorder = config.output.events ? new EventRecorder(path.join(runDir, 'events.jsonl'), bus) : undefined;
  req.onBus?.(bus);

  let instance: TaskInstance | undefined;
  let optimizer: tf.Optimizer | undefined;
  const owned: tf.Tensor[] = [];
  const disposers: { name: string; fn: Disposer }[] = [];
  const unsubscribers: (() => void)[] = [];
  let end: RunEndEvent;
  try {
    instance = await req.task.create(req.taskOptions, {
      seed: config.training.seed,
      log: createLogger(req.task.name, sink),
    });
    let { train, validation } = instance;
    if (!validation && config.training.validation && !isBatchSource(train)) {
      let kept: TensorDataset;
      ({ train: kept, validation } = splitOff(train, config.training.validation.split));
      train = kept;
      owned.push(kept.x, kept.y, validation.x, validation.y);
    }
    optimizer = instance.optimizer ?? makeOptimizer(config.training.optimizer, config.training.learningRate);
    const loss = resolveLoss(instance.loss);
    const interceptors = new InterceptorChain((owner, e) => pluginFailed(owner, 'interceptGradients', e));
    trainer = new Trainer({
      runId,
      task: req.task.name,
      backend: backend.name,
      model: instance.model,
      loss,
      metrics: instance.metrics ?? [],
      optimizer,
      train,
      validation,
      epochs: config.training.epochs,
      batchSize: config.training.batchSize,
      seed: config.training.seed,
      maxSteps: config.training.maxSteps,
      signal: req.signal,
      bus,
      interceptors,
      control,
    });
    const t = trainer;
    const state: RunState = {
      runId,
      task: req.task.name,
      backend: backend.name,
      get step() {
        return t.step;
      },
      get epoch() {
        return t.epoch;
      },
      epochs: config.training.epochs,
      stepsPerEpoch: t.stepsPerEpoch,
      get elapsedMs() {
        return t.elapsedMs;
      },
      get metrics() {
        return t.metrics;
      },
      get stopReason() {
        return control.stopReason;
      },
      training: Object.freeze({
        optimizer: config.training.optimizer,
        learningRate: config.training.learningRate,
        batchSize: config.training.batchSize,
        seed: config.training.seed,
      }),
    };
    const artifacts = createArtifactWriter(runDir);
    const task: TaskView = Object.freeze({
      name: req.task.name,
      lossName: typeof instance.loss === 'string' ? instance.loss : undefined,
      loss,
      metrics: instance.metrics ?? [],
      classNames: instance.classNames,
      hooks: instance.hooks,
      validation,
      train: isBatchSource(train) ? undefined : train,
      simpler: instance.simpler,
      evaluate: instance.evaluate,
    });
    const model = instance.model;
    const clock = req.clock ?? (() => performance.now());
    for (const { plugin, options } of sortPlugins(req.plugins)) {
      const name = plugin.name;
      const ctx: PluginContext<unknown> = {
        name,
        options: Object.freeze({ ...options }),
        bus: {
          on: (event, listener, filter) => {
            const off = bus.on(event, listener, filter, name);
            unsubscribers.push(off);
            return off;
          },
        },
        state,
        log: createLogger(name, sink),
        model,
        task,
        clock,
        artifacts,
        report: (finding) => addFinding(finding, name),
        requestStop: (reason) => control.requestStop(`${name}: ${reason}`),
        interceptGradients: (fn) => interceptors.add(name, fn),
        restoreWeights: (weights) => restoreWeights(model, weights, name),
      };
      try {
        const dispose = await plugin.setup(ctx);
        if (typeof dispose === 'function') disposers.push({ name, fn: dispose });
      } catch (e) {
        pluginFailed(name, 'setup', e);
      }
    }
    if (control.fatal !== undefined) throw control.fatal;
    end = await trainer.run();
  } catch (e) {
    const wallMs = Date.now() - startedAt.getTime();
    end = {
      status: 'failed',
      reason: errorMessage(e),
      step: trainer?.step ?? 0,
      epoch: trainer?.epoch ?? 0,
      wallMs,
      final: trainer?.metrics ?? {},
    };
    await Promise.resolve(bus.emit('run:end', end)).catch(() => {});
  }
  for (const { name, fn } of disposers.reverse()) {
    try {
      await fn();
    } catch (e) {
      pluginFailed(name, 'dispose', e);
    }
  }
  for (const off of unsubscribers) off();
  recorder?.close();
  saveFindings();
  const summary: RunSummary = {
    runId,
    task: req.task.name,
    status: end.status,
    reason: end.reason,
    steps: end.step,
    epochs: trainer?.completedEpochs ?? 0,
    final: { ...end.final },
    findings: countBySeverity(findings),
    backend: backend.kernels ? { ...backend, kernels: kernelGapReport() } : backend,
    versions: versions(),
    wallMs: Date.now() - startedAt.getTime(),
    startedAt: startedAt.toISOString(),
    endedAt: new Date().toISOString(),
    runDir,
  };
  writeFileAtomic(path.join(runDir, 'summary.json'), `${toJson(summary, 2)}\n`);
  disposeTask(instance);
  tf.dispose(owned);
  optimizer?.dispose();
  return { status: end.status, reason: end.reason, runDir, summary, findings };
}

/** Frees what a task instance holds: the model, in-memory datasets, and whatever its own `dispose` frees. */
export function disposeTask(instance: TaskInstance | undefined): void {
  if (!instance) return;
  instance.model.dispose();
  if (!isBatchSource(instance.train)) tf.dispose([instance.train.x, instance.train.y]);
  if (instance.validation) tf.dispose([instance.validation.x, instance.validation.y]);
  instance.dispose?.();
}

/** Sets trainable weights by variable name (values copied; shapes checked first, so nothing half-applies). */
function restoreWeights(model: tf.LayersModel, weights: Readonly<tf.NamedTensorMap>, plugin: string): void {
  const byName = new Map(describeParams(model).variables.map((v) => [v.name, v]));
  for (const [name, t] of Object.entries(weights)) {
    const v = byName.get(name);
    if (!v) throw new TrainwatchError('plugin-error', `${plugin}: restoreWeights: no trainable variable "${name}"`);
    if (v.shape.join() !== t.shape.join())
      throw new TrainwatchError(
        'plugin-error',
        `${plugin}: restoreWeights: "${name}" has shape [${v.shape}], got [${t.shape}]`,
      );
  }
  for (const [name, t] of Object.entries(weights)) byName.get(name)!.assign(t);
}

export type { EventName };
