import { checkContribution } from '../api/contribution';
import type * as tf from '../backend/tf';
import type { TrainingConfig } from '../config/schema';
import { FindingGate } from '../api/finding-gate';
import { readOnlyView } from '../api/read-only';
import type { Disposer, PluginContext, PluginOrder, PluginUse, RunState, TaskView } from '../api/plugin';
import { isBatchSource, type TaskInstance, type TensorDataset } from '../api/task';
import type { EventBus } from '../loop/bus';
import type { EventName } from '../loop/events';
import type { InterceptorChain } from '../loop/interception';
import { describeParams } from '../loop/params';
import type { RunControl } from '../loop/run-control';
import type { LossFn } from '../train/losses';
import type { SharedPredictions } from '../train/shared-predictions';
import { TrainwatchError } from '../util/errors';
import { createLogger, type LogSink } from '../util/logger';
import { createArtifactWriter } from './artifacts';
import type { FindingLog } from './finding-log';

const ORDER_RANK = { pre: 0, none: 1, post: 2 } as const;

/** `pre` plugins first, then unmarked, then `post`; config order within each (a stable sort). */
export function sortPlugins<T extends Pick<PluginUse, 'plugin'> & { order?: PluginOrder | undefined }>(
  plugins: readonly T[],
): T[] {
  const rank = (p: T) => ORDER_RANK[p.order ?? p.plugin.order ?? 'none'];
  return plugins
    .map((p, i) => ({ p, i }))
    .sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i)
    .map((x) => x.p);
}

/** Where the loop is: the trainer, or a run observed from outside it (a model.fit callback). */
export type LoopPosition = {
  readonly step: number;
  readonly epoch: number;
  readonly stepsPerEpoch: number;
  readonly elapsedMs: number;
  readonly metrics: Readonly<Record<string, number>>;
};

/** The read-only view of the run every plugin shares; live values read through to the loop. */
export function runState(o: {
  runId: string;
  task: string;
  backend: string;
  training: TrainingConfig;
  trainer: LoopPosition;
  control: RunControl;
}): RunState {
  const { trainer: t, control, training } = o;
  return {
    runId: o.runId,
    task: o.task,
    backend: o.backend,
    get step() {
      return t.step;
    },
    get epoch() {
      return t.epoch;
    },
    epochs: training.epochs,
    get stepsPerEpoch() {
      return t.stepsPerEpoch;
    },
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
      optimizer: training.optimizer,
      learningRate: training.learningRate,
      batchSize: training.batchSize,
      seed: training.seed,
    }),
  };
}

/** What plugins may know about the task (frozen; the data is lent, never handed over). */
export function taskView(
  name: string,
  instance: TaskInstance,
  data: { loss: LossFn; train: TaskInstance['train']; validation: TensorDataset | undefined },
): TaskView {
  return Object.freeze({
    name,
    lossName: typeof instance.loss === 'string' ? instance.loss : undefined,
    loss: data.loss,
    metrics: instance.metrics ?? [],
    classNames: instance.classNames,
    hooks: instance.hooks,
    validation: data.validation,
    train: isBatchSource(data.train) ? undefined : data.train,
    simpler: instance.simpler,
    evaluate: instance.evaluate,
  });
}

/** What every plugin's context is built from: one set per run. */
export interface ContextSources {
  readonly bus: EventBus;
  readonly state: RunState;
  readonly task: TaskView;
  readonly model: tf.LayersModel;
  readonly clock: () => number;
  /** The run directory: each plugin gets a writer of its own into it. */
  readonly runDir: string;
  readonly sink: LogSink;
  readonly findings: FindingLog;
  readonly control: RunControl;
  readonly interceptors: InterceptorChain;
  /** The held-out set's predictions, shared by the trainer and plugins (none without a held-out set). */
  readonly predictions: SharedPredictions | undefined;
  /** Collects each listener's unsubscribe function; the run calls them all at its end. */
  readonly unsubscribers: (() => void)[];
  /**
   * What this kind of run cannot provide (a model.fit callback has no gradients before the update):
   * a plugin that subscribes to one of these events, or intercepts gradients, is told once.
   */
  readonly unavailable?: { readonly events: ReadonlySet<EventName>; note(plugin: string, what: string): void };
}

/** The narrow context one plugin's `setup` receives: everything it does is attributed to `name`. */
export function pluginContext(
  name: string,
  options: Readonly<Record<string, unknown>>,
  s: ContextSources,
): PluginContext<unknown> {
  const gate = new FindingGate();
  const writer = createArtifactWriter(s.runDir, name);
  s.unsubscribers.push(() => writer.close());
  return {
    name,
    options: readOnlyView({ ...options }, name),
    bus: {
      on: (event, listener, filter) => {
        if (s.unavailable?.events.has(event)) s.unavailable.note(name, event);
        const off = s.bus.on(event, listener, filter, name);
        s.unsubscribers.push(off);
        return off;
      },
    },
    state: s.state,
    log: createLogger(name, s.sink),
    model: s.model,
    task: s.task,
    clock: s.clock,
    artifacts: writer,
    report: (finding) => s.findings.add(finding, name),
    reportOnce: (finding, o) => {
      const admitted = gate.admit(finding, o);
      if (admitted) s.findings.add(admitted, name);
      return admitted !== undefined;
    },
    reportEval: async (e) => {
      await s.bus.emit('eval:end', {
        step: s.state.step,
        epoch: s.state.epoch,
        name: e.name ?? name,
        metrics: { ...e.metrics },
        evalMs: e.evalMs ?? 0,
      });
    },
    contributeToReport: (c) => {
      const checked = checkContribution(name, c);
      writer.writeJson(`${name}/report.json`, { plugin: name, charts: checked.charts });
    },
    requestStop: (reason) => s.control.requestStop(`${name}: ${reason}`),
    interceptGradients: (fn) => {
      s.unavailable?.note(name, 'gradient interception');
      return s.interceptors.add(name, fn);
    },
    restoreWeights: (weights) => {
      restoreWeights(s.model, weights, name);
      s.predictions?.invalidate();
    },
    validationPredictions: async () => s.predictions?.get(),
  };
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

/** What a plugin's `setup` returned, to be called at the end of the run. */
export type PluginDisposers = { name: string; fn: Disposer }[];

/** A failure inside a plugin, by plugin and phase (the run's plugin-error policy). */
type Failed = (plugin: string, event: string, error: unknown) => void;

/** Sets every plugin up in its declared order; a throwing setup is that plugin's error, and the next one runs. */
export async function setUpPlugins(
  plugins: readonly PluginUse[],
  s: ContextSources,
  failed: Failed,
): Promise<PluginDisposers> {
  const disposers: PluginDisposers = [];
  for (const { plugin, options } of sortPlugins(plugins)) {
    try {
      const dispose = await plugin.setup(pluginContext(plugin.name, options ?? {}, s));
      if (typeof dispose === 'function') disposers.push({ name: plugin.name, fn: dispose });
    } catch (e) {
      failed(plugin.name, 'setup', e);
    }
  }
  return disposers;
}

/** Runs the disposers in reverse setup order (also after a failure), then removes every plugin listener. */
export async function tearDownPlugins(
  disposers: PluginDisposers,
  unsubscribers: readonly (() => void)[],
  failed: Failed,
): Promise<void> {
  for (const { name, fn } of [...disposers].reverse()) {
    try {
      await fn();
    } catch (e) {
      failed(name, 'dispose', e);
    }
  }
  for (const off of unsubscribers) off();
}
