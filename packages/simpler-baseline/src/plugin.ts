import {
  cloneModel,
  definePlugin,
  quickEvaluate,
  quickFit,
  tf,
  type PluginContext,
  type TensorDataset,
} from '@trainwatch/core';
import { SimplerBaselineOptions } from './options';

type Ctx = PluginContext<SimplerBaselineOptions>;

/** One contender's result on the held-out examples after the shared budget. */
export interface Contender {
  name: string;
  params: number;
  metric: number;
  loss: number;
  acc?: number;
  curve: [number, number][];
  ms: number;
}

/** The derived simpler models: a linear (softmax/logistic) model on flattened input, and a narrow one-hidden-layer MLP. */
export function derivedSimpler(
  model: Pick<tf.LayersModel, 'inputs' | 'layers'>,
  hidden: number,
  seed: number,
): { name: string; model: tf.LayersModel }[] {
  const inShape = model.inputs[0]!.shape.slice(1) as number[];
  const last = model.layers.at(-1)!;
  const cfg = last.getConfig() as { units?: number; activation?: string };
  const units = cfg.units ?? (last.outputShape as number[]).at(-1)!;
  const activation = (cfg.activation ?? 'linear') as 'softmax';
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed + k });
  const outShape = (last.outputShape as number[]).slice(1);
  const first = model.layers.find((l) => l.getClassName() !== 'InputLayer');
  const embedding = first?.getClassName() === 'Embedding' ? (first.getConfig() as { inputDim: number }) : undefined;
  const build = (layers: tf.layers.Layer[]) => {
    const m = tf.sequential();
    if (embedding) {
      // Token ids (a sequence task): the same embedding, then per-position layers without context.
      m.add(tf.layers.embedding({ inputDim: embedding.inputDim, outputDim: 16, inputShape: inShape }));
      if (outShape.length === 1) m.add(tf.layers.flatten());
    } else if (inShape.length > 1) m.add(tf.layers.flatten({ inputShape: inShape }));
    // Flatten only what is not flat already (Flatten needs rank >= 3 with the batch axis).
    else m.add(tf.layers.inputLayer({ inputShape: inShape }));
    for (const l of layers) m.add(l);
    // Sequence outputs from flat features: predict every position at once, then shape them.
    if (!embedding && outShape.length > 1) {
      m.pop();
      m.add(tf.layers.dense({ units: outShape.reduce((a, b) => a * b, 1), kernelInitializer: init(4) }));
      m.add(tf.layers.reshape({ targetShape: outShape }));
      m.add(tf.layers.activation({ activation }));
    }
    return m;
  };
  return [
    { name: 'linear', model: build([tf.layers.dense({ units, activation, kernelInitializer: init(1) })]) },
    {
      name: `mlp-${hidden}`,
      model: build([
        tf.layers.dense({ units: hidden, activation: 'relu', kernelInitializer: init(2) }),
        tf.layers.dense({ units, activation, kernelInitializer: init(3) }),
      ]),
    },
  ];
}

async function contend(
  ctx: Ctx,
  name: string,
  model: tf.LayersModel,
  train: TensorDataset,
  val: TensorDataset,
): Promise<Contender> {
  const s = ctx.state.training;
  const fit = await quickFit(model, train, {
    loss: ctx.task.loss,
    optimizer: s.optimizer,
    learningRate: s.learningRate,
    steps: ctx.options.steps,
    batchSize: s.batchSize,
    seed: s.seed,
    every: 10,
  });
  const r = await quickEvaluate(model, val, ctx.task.loss);
  return {
    name,
    params: model.countParams(),
    metric: r.acc ?? r.loss,
    loss: r.loss,
    ...(r.acc !== undefined ? { acc: r.acc } : {}),
    curve: fit.curve,
    ms: fit.ms,
  };
}

/**
 * simpler-baseline (habit 5): at the start of the run, trains a fresh copy of the full model and
 * simpler ones (the task's own `simpler`, else a linear model and a narrow MLP) for the same budget
 * and compares them on held-out data.
 */
export const simplerBaseline = definePlugin({
  name: 'simpler-baseline',
  description:
    'Train simpler networks for the same budget as the full one and compare: simpler-model-better, both-fail.',
  schema: SimplerBaselineOptions,
  setup(ctx) {
    const o = ctx.options;
    ctx.bus.on('run:begin', async () => {
      const train = ctx.task.train;
      const valAll = ctx.task.validation;
      if (!train || !valAll) {
        ctx.log.warn('needs training and held-out data in memory; skipped');
        return;
      }
      const t0 = performance.now();
      const n = Math.min(o.examples, valAll.x.shape[0]!);
      const val = tf.tidy(() => ({ x: tf.slice(valAll.x, 0, n), y: tf.slice(valAll.y, 0, n) }));
      const contenders: Contender[] = [];
      try {
        const full = await cloneModel(ctx.model);
        try {
          contenders.push(await contend(ctx, 'full', full, train, val));
        } finally {
          full.dispose();
        }
        const simpler = ctx.task.simpler
          ? [{ name: 'task simpler', model: ctx.task.simpler() }]
          : derivedSimpler(ctx.model, o.hidden, ctx.state.training.seed);
        for (const s of simpler) {
          try {
            contenders.push(await contend(ctx, s.name, s.model, train, val));
          } finally {
            s.model.dispose();
          }
        }
        judge(ctx, contenders, val, performance.now() - t0);
      } finally {
        tf.dispose([val.x, val.y]);
      }
    });
  },
});

function judge(ctx: Ctx, cs: Contender[], val: TensorDataset, ms: number): void {
  const o = ctx.options;
  const full = cs[0]!;
  const rest = cs.slice(1);
  const classes = full.acc !== undefined;
  const better = (s: Contender) => (classes ? s.acc! > full.acc! + o.margin : s.loss < full.loss * (1 - o.margin));
  const best = [...rest].sort((a, b) => (classes ? b.acc! - a.acc! : a.loss - b.loss))[0];
  ctx.artifacts.writeJson('simpler-baseline/curves.json', { contenders: cs });
  const table = cs
    .map(
      (c) =>
        `${c.name} (${c.params} params): ${classes ? `acc ${(100 * c.acc!).toFixed(1)}%` : `loss ${c.loss.toPrecision(3)}`}`,
    )
    .join('; ');
  ctx.log.info(`after ${o.steps} steps each: ${table}`);
  const evidence = {
    steps: o.steps,
    contenders: cs.map((c) => ({ name: c.name, params: c.params, loss: c.loss, acc: c.acc, curve: c.curve })),
  };
  if (classes) {
    // Always answering the most frequent class, per output position for sequences (not the padding's share).
    const chance = tf.tidy(() => tf.mean(tf.max(tf.mean(val.y, 0), -1)).dataSync()[0]!);
    // The margin is a share of the room above chance: 0.1 is 9 points over 10% chance, 6 over 38%.
    if (cs.every((c) => c.acc! <= chance + o.chanceMargin * (1 - chance))) {
      ctx.report({
        code: 'both-fail',
        severity: 'error',
        step: 0,
        message: `neither the full model nor the simpler ones get past chance after ${o.steps} steps (${table}; chance ${(100 * chance).toFixed(1)}%): the problem is likely in the data or the loss, not the architecture`,
        evidence: { ...evidence, chance },
        suggestion:
          'Check that labels match their inputs (a shuffle applied to one but not the other), the loss and its inputs, and the input scaling.',
      });
      return;
    }
  }
  if (best && better(best)) {
    ctx.report({
      code: 'simpler-model-better',
      severity: 'warn',
      step: 0,
      message: `with the same budget (${o.steps} steps) the ${best.name} model does clearly better than the full model: ${table}`,
      evidence,
      suggestion:
        'The full architecture is hard to train as built (depth without normalisation, saturating activations, bad initialisation) or its code has a bug: simplify it, or add layers back one at a time from the simpler model.',
    });
    return;
  }
  ctx.report({
    code: 'simpler-baseline-summary',
    severity: 'info',
    step: 0,
    message: table,
    evidence: { ...evidence, ms },
  });
}
