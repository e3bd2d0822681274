import { defineTask, runWith, tf, type LoadedPlugin, type RunResult, type TaskInstance, type TensorDataset } from '@trainwatch/core';
import { mnistCnn, mnistMlp } from '@trainwatch/tasks';
import { activationMonitor } from '../src';

export const seeded = (seed: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed }) });

/** A task on a slice of real MNIST (flat inputs) with the given model; `scale` multiplies the pixels (255: raw). */
export function mnistWith(name: string, build: (seed: number) => tf.LayersModel, opts: { scale?: number; extra?: Partial<TaskInstance> } = {}) {
  return defineTask({
    name,
    async create(_o, ctx) {
      const base = await mnistMlp.create({ validationFraction: 0.2, limit: 1000, hidden: [8], activation: 'relu' }, ctx);
      base.model.dispose();
      if (opts.scale !== undefined) {
        const train = base.train as TensorDataset;
        const x = tf.mul(train.x, opts.scale);
        train.x.dispose();
        base.train = { x, y: train.y };
      }
      return { ...base, model: build(ctx.seed), ...opts.extra };
    },
  });
}

export async function monitored(opts: {
  task?: ReturnType<typeof defineTask>;
  builtin?: 'mnist-mlp' | 'mnist-cnn';
  taskOptions?: Record<string, unknown>;
  training?: Record<string, unknown>;
  monitor?: Record<string, unknown>;
  extra?: LoadedPlugin[];
}): Promise<RunResult> {
  const task = opts.task ?? (opts.builtin === 'mnist-cnn' ? mnistCnn : mnistMlp);
  const extra = (opts.extra ?? []).map((e): [LoadedPlugin['plugin'], Record<string, unknown>] => [e.plugin, e.options]);
  return runWith({ task, taskOptions: opts.taskOptions ?? {}, training: { epochs: 1, ...opts.training }, plugins: [[activationMonitor, opts.monitor ?? {}], ...extra] });
}

export const loud = (r: RunResult) => r.findings.filter((f) => f.severity !== 'info');
export const layersWith = (r: RunResult, code: string) => r.findings.filter((f) => f.code === code).map((f) => f.layer);
