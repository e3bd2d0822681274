import {
  cloneModel,
  createRng,
  definePlugin,
  permutation,
  quickEvaluate,
  quickFit,
  tf,
  type PluginContext,
  type QuickFitResult,
  type TensorDataset,
} from '@trainwatch/core';
import { OverfitProbeOptions } from './options';
import { learningRateRange, rangeFinding } from './lr-range';

type Ctx = PluginContext<OverfitProbeOptions>;

/** One tiny-set probe: what it reached. */
export interface ProbeResult {
  size: number;
  fitted: boolean;
  initialLoss: number;
  finalLoss: number;
  accuracy?: number;
  steps: number;
  ms: number;
  curve: [number, number][];
}

const SUGGESTION =
  'A model that cannot memorise a handful of examples has a bug: check the loss wiring (labels vs predictions, the right tensors), the output activation (softmax with categorical cross-entropy), frozen layers (trainable: false), the learning rate, and that inputs and labels stay aligned in the data code.';

async function probe(ctx: Ctx, data: TensorDataset, size: number): Promise<ProbeResult> {
  const o = ctx.options;
  const model = await cloneModel(ctx.model);
  const tiny = { x: data.x, y: data.y };
  try {
    const before = await quickEvaluate(model, tiny, ctx.task.loss);
    const fit: QuickFitResult = await quickFit(model, tiny, {
      loss: ctx.task.loss,
      optimizer: 'adam',
      learningRate: o.learningRate,
      steps: o.steps,
      batchSize: Math.min(o.batchSize, size),
      seed: ctx.state.training.seed,
      every: 5,
      stopAtLoss: Math.min(o.maxLoss, o.lossRatio * before.loss) / 4,
    });
    const after = await quickEvaluate(model, tiny, ctx.task.loss);
    const lossOk = after.loss <= Math.max(o.maxLoss, o.lossRatio * before.loss);
    const accOk = after.acc === undefined || after.acc >= o.accuracy;
    return {
      size,
      fitted: lossOk && accOk,
      initialLoss: before.loss,
      finalLoss: after.loss,
      ...(after.acc !== undefined ? { accuracy: after.acc } : {}),
      steps: fit.steps,
      ms: fit.ms,
      curve: fit.curve,
    };
  } finally {
    model.dispose();
  }
}

/**
 * overfit-probe (habit 4): at the start of the run, trains fresh copies of the model (dropout off)
 * on the first 1 and 100 training examples; a correct model and pipeline memorises them. Then
 * trains on the largest set with zeroed inputs: doing as well without the inputs means the model
 * ignores them.
 */
export const overfitProbe = definePlugin({
  name: 'overfit-probe',
  description:
    'Fit 1 and 100 examples with a fresh copy of the model (a correct pipeline can); compare with zeroed inputs (model-ignores-input).',
  schema: OverfitProbeOptions,
  setup(ctx) {
    const o = ctx.options;
    ctx.bus.on('run:begin', async () => {
      const train = ctx.task.train;
      if (!train) {
        ctx.log.warn(
          'the task produces its batches while training (a batch source): there is no fixed tiny set to fit; skipped',
        );
        return;
      }
      const t0 = performance.now();
      const results: ProbeResult[] = [];
      const pick = permutation(train.x.shape[0]!, createRng(ctx.state.training.seed + 101));
      for (const size of [...new Set(o.sizes)].sort((a, b) => a - b)) {
        const n = Math.min(size, train.x.shape[0]!);
        // A seeded random subset: the first examples of a dataset are often sorted (one class only).
        const data = tf.tidy(() => {
          const idx = tf.tensor1d(pick.subarray(0, n), 'int32');
          return { x: tf.gather(train.x, idx), y: tf.gather(train.y, idx) };
        });
        try {
          const r = await probe(ctx, data, n);
          results.push(r);
          ctx.log.info(
            `tiny set of ${n}: loss ${r.initialLoss.toPrecision(3)} -> ${r.finalLoss.toPrecision(3)}${r.accuracy !== undefined ? `, accuracy ${(100 * r.accuracy).toFixed(0)}%` : ''} in ${r.steps} steps: ${r.fitted ? 'fitted' : 'NOT fitted'}`,
          );
          // Most of the way in the budget (loss down 70%+, 75%+ accuracy) is a net that learns, only slowly:
          // a slow sequence model is not a bug, so it is said as a fact with the numbers.
          const partial =
            !r.fitted && r.finalLoss <= 0.3 * r.initialLoss && (r.accuracy === undefined || r.accuracy >= 0.75);
          if (partial) {
            ctx.report({
              code: 'tiny-set-fitting-slowly',
              severity: 'info',
              step: 0,
              message: `the tiny set of ${n} was not fitted in ${r.steps} steps but the model is learning it: loss ${r.initialLoss.toPrecision(3)} -> ${r.finalLoss.toPrecision(3)}${r.accuracy !== undefined ? `, training accuracy ${(100 * r.accuracy).toFixed(0)}%` : ''}`,
              evidence: { ...r, curve: undefined },
              suggestion: 'Give the probe more steps (options.steps) to see it fit completely.',
            });
          } else if (!r.fitted) {
            ctx.report({
              code: 'cannot-overfit-tiny-set',
              severity: 'error',
              step: 0,
              message: `a fresh copy of the model cannot fit ${n} training example${n === 1 ? '' : 's'}: loss ${r.initialLoss.toPrecision(3)} -> ${r.finalLoss.toPrecision(3)}${r.accuracy !== undefined ? `, training accuracy ${(100 * r.accuracy).toFixed(0)}%` : ''} after ${r.steps} steps`,
              evidence: {
                ...r,
                targetLoss: Math.max(o.maxLoss, o.lossRatio * r.initialLoss),
                targetAccuracy: o.accuracy,
              },
              suggestion: SUGGESTION,
            });
          }
        } finally {
          tf.dispose([data.x, data.y]);
        }
      }
      const largest = results.at(-1);
      let zero: ProbeResult | undefined;
      if (o.zeroInputs && largest && largest.size > 1) {
        const data = tf.tidy(() => {
          const idx = tf.tensor1d(pick.subarray(0, largest.size), 'int32');
          return { x: tf.zerosLike(tf.gather(train.x, idx)), y: tf.gather(train.y, idx) };
        });
        try {
          zero = await probe(ctx, data, largest.size);
        } finally {
          tf.dispose([data.x, data.y]);
        }
        // With a loss floor above zero (label noise, a sequence task) the loss ratio can be near 1 for a
        // model that does use its inputs: a clearly higher accuracy with them says it does.
        const usesByAccuracy =
          largest.accuracy !== undefined && zero.accuracy !== undefined && largest.accuracy >= zero.accuracy + 0.1;
        const ignores = !(largest.finalLoss < o.zeroRatio * zero.finalLoss) && !usesByAccuracy;
        ctx.log.info(
          `zeroed inputs: loss ${zero.finalLoss.toPrecision(3)} vs ${largest.finalLoss.toPrecision(3)} with the real inputs${ignores ? ': the model does as well without them' : ''}`,
        );
        if (ignores) {
          ctx.report({
            code: 'model-ignores-input',
            severity: 'error',
            step: 0,
            message: `trained on ${largest.size} examples with their inputs zeroed, the model reaches loss ${zero.finalLoss.toPrecision(3)}; with the real inputs ${largest.finalLoss.toPrecision(3)}: the inputs do not help, so the model is not using them`,
            evidence: {
              size: largest.size,
              realLoss: largest.finalLoss,
              zeroLoss: zero.finalLoss,
              ratio: largest.finalLoss / zero.finalLoss,
              limit: o.zeroRatio,
              realCurve: largest.curve,
              zeroCurve: zero.curve,
            },
            suggestion:
              'Check that the data code feeds the real inputs (not zeros, constants or a wrong column) and that the model connects its input to its output.',
          });
        }
      }
      ctx.artifacts.writeJson('overfit-probe/curves.json', { probes: results, zeroInputs: zero ?? null });
      if (o.lrRange.steps > 0) {
        const t = ctx.state.training;
        const r = await learningRateRange(ctx.model as tf.LayersModel, train, ctx.task.loss, {
          ...o.lrRange,
          batchSize: o.batchSize,
          seed: t.seed,
        });
        ctx.report(rangeFinding(r, t.learningRate, t.optimizer));
      }
      ctx.report({
        code: 'overfit-probe-summary',
        severity: 'info',
        step: 0,
        message:
          results
            .map((r) => `${r.size}: ${r.fitted ? 'fitted' : 'not fitted'} (loss ${r.finalLoss.toPrecision(2)})`)
            .join('; ') + (zero ? `; zeroed inputs loss ${zero.finalLoss.toPrecision(2)}` : ''),
        evidence: {
          ms: performance.now() - t0,
          sizes: results.map((r) => r.size),
          fitted: results.map((r) => r.fitted),
        },
      });
    });
  },
});
