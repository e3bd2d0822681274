import { defineTask, tf, type TaskInstance, type TensorDataset } from '@trainwatch/core';
import { mnistMlp } from './mnist';

/**
 * A task on a slice of real MNIST (1000 flat digits, 20% held out) with the model `build` makes:
 * for testing a detector on a run with a fault (a bad layer, raw pixels via `scale: 255`, ...)
 * and on a healthy one. `extra` overrides fields of the task instance (e.g. the loss).
 */
export function mnistWith(
  name: string,
  build: (seed: number) => tf.LayersModel,
  opts: { scale?: number; extra?: Partial<TaskInstance> } = {},
) {
  return defineTask({
    name,
    async create(_o, ctx) {
      const base = await mnistMlp.create(
        { validationFraction: 0.2, limit: 1000, hidden: [8], activation: 'relu' },
        ctx,
      );
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
