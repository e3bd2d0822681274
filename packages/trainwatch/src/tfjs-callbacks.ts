import { definePlugin, type Plugin, type ReadonlyModel } from '@trainwatch/core';

/** tfjs logs: numbers by name (`loss`, `acc`, `val_loss`...). */
export type Logs = Record<string, number>;

/**
 * A tfjs callback as `model.fit` takes it: a `tf.CustomCallback`'s arguments, a `tf.Callback`
 * (e.g. `tf.callbacks.earlyStopping()`), or any object with some of these methods.
 */
export interface TfjsCallback {
  setModel?(model: unknown): void;
  setParams?(params: Record<string, unknown>): void;
  onTrainBegin?(logs?: Logs): unknown;
  onTrainEnd?(logs?: Logs): unknown;
  onEpochBegin?(epoch: number, logs?: Logs): unknown;
  onEpochEnd?(epoch: number, logs?: Logs): unknown;
  onBatchBegin?(batch: number, logs?: Logs): unknown;
  onBatchEnd?(batch: number, logs?: Logs): unknown;
  onYield?(epoch: number, batch: number, logs?: Logs): unknown;
}

const withPrefix = (prefix: string, m: Readonly<Record<string, number>>) =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [`${prefix}${k}`, v]));

/**
 * Calls tfjs callbacks from trainwatch's events, with the logs `model.fit` would give them, and
 * honours `model.stopTraining` (what `tf.callbacks.earlyStopping` sets) by stopping after the step.
 * The model a callback sees is the one being trained.
 */
export function tfjsCallbacks(callbacks: readonly TfjsCallback[], model: { stopTraining?: boolean }): Plugin {
  return definePlugin({
    name: 'tfjs-callbacks',
    description: 'tfjs model.fit callbacks, called from the run.',
    order: 'post',
    setup(ctx) {
      const call = async (fn: (cb: TfjsCallback) => unknown) => {
        for (const cb of callbacks) await fn(cb);
        if (model.stopTraining) ctx.requestStop('model.stopTraining was set by a callback');
      };
      ctx.bus.on('run:begin', async (e) => {
        model.stopTraining = false;
        for (const cb of callbacks) {
          cb.setModel?.(ctx.model as ReadonlyModel);
          cb.setParams?.({
            epochs: e.epochs,
            samples: e.trainSize,
            steps: e.stepsPerEpoch,
            batchSize: e.batchSize,
            verbose: 0,
          });
        }
        await call((cb) => cb.onTrainBegin?.({}));
      });
      ctx.bus.on('epoch:begin', (e) => call((cb) => cb.onEpochBegin?.(e.epoch, {})));
      // batch:begin is dispatched synchronously: a callback's promise there is not awaited.
      ctx.bus.on('batch:begin', (e) => {
        for (const cb of callbacks) void Promise.resolve(cb.onBatchBegin?.(e.batch, { batch: e.batch, size: e.size }));
      });
      ctx.bus.on('batch:end', (e) =>
        call((cb) =>
          cb.onBatchEnd?.(e.batch, { batch: e.batch, size: ctx.state.training.batchSize, loss: e.loss, ...e.metrics }),
        ),
      );
      ctx.bus.on('epoch:end', (e) =>
        call((cb) => cb.onEpochEnd?.(e.epoch, { ...e.train, ...withPrefix('val_', e.val) })),
      );
      ctx.bus.on('run:end', (e) => call((cb) => cb.onTrainEnd?.({ ...e.final })));
    },
  });
}
