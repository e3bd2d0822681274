import * as tf from '../backend/tf';
import { definePlugin, type PluginUse } from '../api/plugin';

/**
 * For the test every plugin package has: a plugin (ordered last) that records
 * `tf.memory().numTensors` at `batch:end` of the given steps, so a test can check the count stays
 * flat while its plugin works.
 */
export function tensorCounter(steps: readonly number[]): { use: PluginUse; at(step: number): number | undefined } {
  const counts = new Map<number, number>();
  const plugin = definePlugin({
    name: 'count',
    order: 'post',
    setup: (ctx) =>
      void ctx.bus.on('batch:end', (e) => void (steps.includes(e.step) && counts.set(e.step, tf.memory().numTensors))),
  });
  return { use: { plugin, options: {} }, at: (step) => counts.get(step) };
}
