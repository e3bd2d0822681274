import * as path from 'node:path';
import { LOSS_NAMES, tf, ConfigError, type LossFn, type LossName, type TensorDataset } from '@trainwatch/core';
import { defaultRunDir, ObservedRun, validateConfig } from '@trainwatch/core/runner';
import { cliLogSink, writeOutputs } from '@trainwatch/runner';
import { resolvePlugins, type PluginSpec } from './plugin-entries';

/** `callback`'s options. */
export interface CallbackOptions {
  /** Plugins, as a config's `plugins` entries (`"periodic-eval"`, `{ use, options }`, plugin objects). */
  plugins?: PluginSpec[];
  /** Held-out data for plugins that evaluate (periodic-eval, qualitative-sampler); yours, not disposed. */
  validationData?: [tf.Tensor, tf.Tensor] | TensorDataset;
  /** A batch the activation statistics are computed on, on the plugins' cadence (inference mode); yours. */
  probe?: [tf.Tensor, tf.Tensor] | TensorDataset;
  /** The run directory (default `runs/<timestamp>-model-fit`). */
  out?: string;
  /** No informational logs (warnings and errors still print). */
  quiet?: boolean;
  /** Write `report.html` when training ends (default true). */
  report?: boolean;
}

const asData = (d: CallbackOptions['validationData']): TensorDataset | undefined =>
  Array.isArray(d) ? { x: d[0], y: d[1] } : d;

const HINT =
  "model.fit applies each update before any callback runs: use fit() from 'trainwatch' (same options) to check gradients before they are applied.";

/** Numbers from tfjs logs (which may hold scalars). */
async function numbers(logs: Record<string, unknown> | undefined): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(logs ?? {})) {
    if (typeof v === 'number') out[k] = v;
    else if (v instanceof tf.Tensor) out[k] = (await v.data())[0]!;
  }
  return out;
}

/** The tfjs callback `callback()` returns: a `tf.Callback`, so tfjs hands it the model and the fit's params. */
class TrainwatchCallback extends tf.Callback {
  private run: ObservedRun | undefined;

  constructor(private readonly o: CallbackOptions) {
    super();
  }

  override async onTrainBegin(): Promise<void> {
    const model = this.model;
    const params = this.params as { epochs?: number; samples?: number; steps?: number; batchSize?: number };
    const batchSize = params.batchSize ?? 32;
    const { config, issues } = validateConfig({
      task: { use: 'model-fit' },
      training: { epochs: params.epochs ?? 1, batchSize },
    });
    const resolved = await resolvePlugins(this.o.plugins ?? [], process.cwd(), 'options.plugins');
    issues.push(...resolved.issues);
    const lossName = model.loss as unknown;
    const loss: LossName | LossFn | undefined =
      typeof lossName === 'string' && (LOSS_NAMES as readonly string[]).includes(lossName)
        ? (lossName as LossName)
        : typeof lossName === 'function'
          ? (y, p) => tf.mean((lossName as LossFn)(y, p)) as tf.Scalar
          : undefined;
    if (!loss)
      issues.push({
        path: 'model.loss',
        message: `compile the model with one of ${LOSS_NAMES.join(', ')} (or a function)`,
      });
    if (issues.length > 0) throw new ConfigError(issues);
    const samples = params.samples ?? 0;
    const stepsPerEpoch = params.steps ?? Math.max(1, Math.ceil(samples / batchSize));
    const metrics = (model.metricsNames ?? []).some((m) => m === 'acc' || m === 'accuracy')
      ? (['accuracy'] as const)
      : [];
    this.run = await ObservedRun.start(
      {
        config,
        task: 'model-fit',
        model,
        loss: loss!,
        metrics: [...metrics],
        validation: asData(this.o.validationData),
        probe: asData(this.o.probe),
        plugins: resolved.plugins,
        runDir: path.resolve(this.o.out ?? defaultRunDir(config, 'model-fit')),
        defaultName: this.o.out === undefined,
        logSink: cliLogSink(this.o.quiet === true),
        missing: { events: ['grads:computed', 'forward:end'], hint: HINT },
      },
      { epochs: params.epochs ?? 1, stepsPerEpoch, trainSize: samples || stepsPerEpoch * batchSize },
    );
  }

  override async onEpochBegin(epoch: number): Promise<void> {
    await this.run?.epochBegin(epoch);
  }

  override async onBatchEnd(batch: number, logs?: Record<string, unknown>): Promise<void> {
    if (!this.run) return;
    const { loss, size, batch: _b, ...metrics } = await numbers(logs);
    await this.run.batchEnd(batch, loss ?? Number.NaN, metrics, size ?? 0);
    // A plugin's stop request ends model.fit the way early stopping does.
    if (this.run.control.stopReason !== undefined) this.model.stopTraining = true;
  }

  override async onEpochEnd(epoch: number, logs?: Record<string, unknown>): Promise<void> {
    if (!this.run) return;
    const all = await numbers(logs);
    const train = Object.fromEntries(Object.entries(all).filter(([k]) => !k.startsWith('val_')));
    const val = Object.fromEntries(
      Object.entries(all)
        .filter(([k]) => k.startsWith('val_'))
        .map(([k, v]) => [k.slice(4), v]),
    );
    await this.run.epochEnd(epoch, train, val);
    if (this.run.control.stopReason !== undefined) this.model.stopTraining = true;
  }

  override async onTrainEnd(): Promise<void> {
    const run = this.run;
    if (!run) return;
    this.run = undefined;
    const reason = run.control.stopReason;
    const summary = await run.end(reason ? 'stopped' : 'completed', reason ?? 'model.fit finished');
    const io = { stdout: process.stdout, stderr: process.stderr };
    writeOutputs(summary.runDir, { report: this.o.report !== false, tensorboard: false }, io);
  }
}

/**
 * A tfjs callback that runs trainwatch's plugins inside your own `model.fit`:
 * `await model.fit(x, y, { epochs: 5, callbacks: [callback({ plugins: ['periodic-eval'] })] })`.
 * What a callback can see runs (loss-based detectors, evaluation on `validationData`, samples,
 * activation statistics on `probe`, the report); what needs gradients before the update (gradient
 * checks, clipping) says so once as an info finding naming `fit()`, never silently nothing.
 */
export function callback(options: CallbackOptions = {}): tf.Callback {
  return new TrainwatchCallback(options);
}
