import type { PluginContext } from '@trainwatch/core';
import type { PeriodicEvalOptions } from './options';

/** init-loss-unexpected: the baseline cross-entropy far from ln(classes), named on the output layer. */
export function initLoss(ctx: PluginContext<PeriodicEvalOptions>, loss: number, step: number): void {
  const classes = ctx.task.validation!.y.rank === 2 ? ctx.task.validation!.y.shape[1]! : 0;
  if (classes < 2 || !/crossentropy/i.test(ctx.task.lossName ?? '') || /binary/i.test(ctx.task.lossName ?? '')) return;
  const expected = Math.log(classes);
  const off = Math.abs(loss - expected) / expected;
  if (off <= ctx.options.initLoss.tolerance && Number.isFinite(loss)) return;
  ctx.report({
    code: 'init-loss-unexpected',
    severity: 'warn',
    step,
    layer: ctx.model.layers.at(-1)!.name,
    message: `initial loss ${loss.toPrecision(4)} is far from ln(${classes}) = ${expected.toPrecision(4)}, the cross-entropy of a model that starts by guessing uniformly`,
    evidence: { loss, expected, classes, relativeDifference: off, tolerance: ctx.options.initLoss.tolerance },
    suggestion:
      loss > expected
        ? 'The last layer starts too confident: initialise it with small weights (Glorot) and zero bias; check the output activation (softmax) and that labels are one-hot and aligned with the outputs.'
        : 'Lower than chance before training: labels may leak into the inputs, or the loss is computed on the wrong tensors.',
  });
}
