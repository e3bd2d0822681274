import * as path from 'node:path';
import {
  ConfigError,
  defineTask,
  LOSS_NAMES,
  tf,
  type ConfigIssue,
  type Finding,
  type LossFn,
  type LossName,
  type PluginUse,
  type RunStatus,
  type TaskInstance,
  type TensorDataset,
} from '@trainwatch/core';
import { runTraining, type RunSummary } from '@trainwatch/core/runner';
import { createDisplay, writeOutputs } from '@trainwatch/runner';
import { collect, isDataset, isTensor, type FitDataset } from './data';
import { fitConfig, type FitOptions } from './fit-options';
import { resolvePlugins } from './plugin-entries';
import { tfjsCallbacks, type TfjsCallback } from './tfjs-callbacks';

/** What `fit` returns: tfjs' `History` (per-epoch metrics) and the run's outcome. */
export interface FitResult {
  /** Per epoch, as tfjs' `History.history`: `loss`, `acc`, `val_loss`, `val_acc`... */
  history: Record<string, number[]>;
  /** Epoch indices, as tfjs' `History.epoch`. */
  epoch: number[];
  status: RunStatus;
  reason: string;
  runDir: string;
  findings: Finding[];
  summary: RunSummary;
}

/** What a compiled tfjs model carries. */
interface Compiled {
  loss?: unknown;
  optimizer?: tf.Optimizer;
  metricsNames?: string[];
  stopTraining?: boolean;
}

function lossOf(model: Compiled, o: FitOptions, issues: ConfigIssue[]): LossName | LossFn {
  const given = o.loss ?? (model.loss as unknown);
  if (typeof given === 'string' && (LOSS_NAMES as readonly string[]).includes(given)) return given as LossName;
  // tfjs loss functions give one value per example; trainwatch's take the mean.
  if (typeof given === 'function') return (y, p) => tf.mean((given as LossFn)(y, p)) as tf.Scalar;
  issues.push({
    path: 'options.loss',
    message:
      given === undefined
        ? `the model is not compiled: pass a loss (${LOSS_NAMES.join(', ')}) or a function`
        : `unknown loss ${JSON.stringify(given)}; one of ${LOSS_NAMES.join(', ')}, or a function`,
  });
  return 'meanSquaredError';
}

function metricsOf(model: Compiled, o: FitOptions): 'accuracy'[] {
  const names = o.metrics ?? model.metricsNames ?? [];
  return names.some((m) => m === 'acc' || m === 'accuracy') ? ['accuracy'] : [];
}

/**
 * Trains `model` on `x`, `y` (or a dataset of `{ xs, ys }` batches) with trainwatch's plugins
 * watching, shaped like tfjs' `model.fit`. The model, the tensors and the datasets stay yours:
 * nothing you pass is disposed, and tensors made on another backend are copied by value (the
 * backend you had is active again afterwards). Bad options throw a {@link ConfigError} naming each
 * by path (`options.epochs: must be >= 1`); a failure during training returns `status: 'failed'`.
 *
 * ```js
 * const { history, findings } = await fit(model, xs, ys, { epochs: 5, plugins: ['gradient-guard'] });
 * ```
 */
export async function fit(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, options?: FitOptions): Promise<FitResult>;
export async function fit(model: tf.LayersModel, dataset: FitDataset, options?: FitOptions): Promise<FitResult>;
export async function fit(
  model: tf.LayersModel,
  a: tf.Tensor | FitDataset,
  b?: tf.Tensor | FitOptions,
  c?: FitOptions,
): Promise<FitResult> {
  const o: FitOptions = (isTensor(a) ? c : (b as FitOptions | undefined)) ?? {};
  const { config, issues } = fitConfig(o);
  if (!(model instanceof tf.LayersModel))
    issues.push({ path: 'model', message: 'must be a tf.LayersModel (tf.sequential / tf.model)' });
  if (isTensor(a) && !isTensor(b)) issues.push({ path: 'y', message: 'must be a tensor when x is one' });
  if (!isTensor(a) && !isDataset(a))
    issues.push({ path: 'x', message: 'must be a tensor or a dataset of { xs, ys } batches' });
  const compiled = model as unknown as Compiled;
  const loss = lossOf(compiled, o, issues);
  const { plugins, issues: pluginIssues } = await resolvePlugins(o.plugins ?? [], process.cwd(), 'options.plugins');
  issues.push(...pluginIssues);
  // tf.Optimizer's instanceof check reads .minimize: only ask it about objects.
  const userOptimizer =
    typeof o.optimizer === 'object' && o.optimizer !== null && o.optimizer instanceof tf.Optimizer
      ? o.optimizer
      : undefined;
  if (o.optimizer !== undefined && typeof o.optimizer !== 'string' && !userOptimizer)
    issues.push({ path: 'options.optimizer', message: 'must be an optimizer name or a tf.Optimizer' });
  if (issues.length > 0) throw new ConfigError(issues);

  // Keep the compiled optimizer unless the options name one or set the learning rate.
  const optimizer = userOptimizer ?? (o.optimizer || o.learningRate !== undefined ? undefined : compiled.optimizer);
  const owned: tf.Tensor[] = [];
  const dataOf = async (v: unknown, what: string): Promise<TensorDataset> => {
    const d = await collect(v as FitDataset, what);
    owned.push(d.x, d.y);
    // As model.fitDataset: the dataset's own batches, in its own order (it shuffles itself).
    if (o.batchSize === undefined) config.training.batchSize = d.batchSize;
    if (o.shuffle === undefined) config.training.shuffle = false;
    return { x: d.x, y: d.y };
  };
  try {
    const train = isTensor(a) ? { x: a, y: b as tf.Tensor } : await dataOf(a, 'x');
    const vd = o.validationData;
    const validation = Array.isArray(vd) ? { x: vd[0], y: vd[1] } : vd;
    const instance: TaskInstance = {
      model,
      loss,
      metrics: metricsOf(compiled, o),
      train,
      ...(validation ? { validation } : {}),
      ...(optimizer ? { optimizer } : {}),
      borrowed: true,
    };
    const history: Record<string, number[]> = {};
    const epochs: number[] = [];
    const callbacks = ([] as TfjsCallback[]).concat(o.callbacks ?? []);
    const all: PluginUse[] = [
      ...plugins,
      ...(callbacks.length ? [{ plugin: tfjsCallbacks(callbacks, compiled) }] : []),
    ];
    const quiet = o.quiet === true;
    const display = createDisplay({
      mode: quiet ? 'quiet' : process.stdout.isTTY ? 'tty' : 'plain',
      out: process.stdout,
      err: process.stderr,
    });
    const result = await runTraining({
      config,
      task: defineTask({ name: 'fit', create: () => instance }),
      taskOptions: {},
      plugins: all,
      ...(o.out ? { runDir: path.resolve(o.out) } : {}),
      logSink: display.sink,
      ...(o.signal ? { signal: o.signal } : {}),
      onBus: (bus) => {
        display.attach(bus);
        bus.on(
          'epoch:end',
          (e) => {
            epochs.push(e.epoch);
            const row = { ...e.train, ...Object.fromEntries(Object.entries(e.val).map(([k, v]) => [`val_${k}`, v])) };
            for (const [k, v] of Object.entries(row)) (history[k] ??= []).push(v);
          },
          undefined,
          'fit',
        );
      },
    });
    // The runner's own step: a report that cannot be written is said on stderr and never loses the run.
    writeOutputs(result.runDir, config.output, { stdout: process.stdout, stderr: process.stderr });
    const { status, reason, findings, summary } = result;
    return { history, epoch: epochs, status, reason, runDir: result.runDir, findings, summary };
  } finally {
    tf.dispose(owned);
  }
}
