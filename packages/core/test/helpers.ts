import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineTask, tf, type PluginUse, type LogSink, type Task } from '../src';
import { runTraining, selectBackend, validateConfig, type RunResult } from '../src/runner';

/** A small, learnable problem: 4 blobs in 8 dimensions, seeded, with an MLP. Fast enough for many steps. */
export const blobs = defineTask({
  name: 'blobs',
  schema: {
    type: 'object',
    properties: { n: { type: 'integer', default: 256 }, activation: { type: 'string', default: 'relu' } },
  },
  create(options, ctx) {
    const n = options['n'] as number;
    const x = tf.tidy(() => {
      const centers = tf.randomNormal([4, 8], 0, 3, 'float32', ctx.seed);
      const labels = tf.tensor1d(
        Array.from({ length: n }, (_, i) => i % 4),
        'int32',
      );
      return {
        x: tf.add(tf.gather(centers, labels), tf.randomNormal([n, 8], 0, 1, 'float32', ctx.seed + 1)),
        y: tf.oneHot(labels, 4).toFloat(),
      };
    });
    const model = tf.sequential();
    model.add(
      tf.layers.dense({
        units: 16,
        activation: options['activation'] as 'relu',
        inputShape: [8],
        name: 'h1',
        kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed }),
      }),
    );
    model.add(
      tf.layers.dense({
        units: 4,
        activation: 'softmax',
        name: 'out',
        kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed + 1 }),
      }),
    );
    return { model, loss: 'categoricalCrossentropy', metrics: ['accuracy'], train: x };
  },
});

export function tmpDir(prefix = 'tw-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export const silent: LogSink = () => {};

/** Runs a task with plugins into a temp run directory. */
export async function run(opts: {
  task?: Task;
  taskOptions?: Record<string, unknown>;
  plugins?: PluginUse[];
  training?: Record<string, unknown>;
  logSink?: LogSink;
  signal?: AbortSignal;
}): Promise<RunResult> {
  const { config, issues } = validateConfig({
    task: { use: 'blobs' },
    training: { backend: 'wasm', epochs: 1, batchSize: 32, ...opts.training },
  });
  if (issues.length > 0) throw new Error(JSON.stringify(issues));
  return runTraining({
    config,
    task: opts.task ?? blobs,
    taskOptions: { n: 256, activation: 'relu', ...opts.taskOptions },
    plugins: opts.plugins ?? [],
    runDir: path.join(tmpDir(), 'run'),
    logSink: opts.logSink ?? silent,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
}

export function readJsonl(file: string): Record<string, unknown>[] {
  return fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

export async function useBackend(name: 'wasm' | 'cpu'): Promise<void> {
  await selectBackend(name);
}
