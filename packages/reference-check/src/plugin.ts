import * as fs from 'node:fs';
import * as path from 'node:path';
import { cloneModel, definePlugin, tf, type PluginContext, type TensorDataset } from '@trainwatch/core';
import { compareLayerwise, type Comparison } from './compare';
import { referenceBatch } from './export';
import { layerwise, type Layerwise } from './layerwise';
import { ReferenceCheckOptions } from './options';

type Ctx = PluginContext<ReferenceCheckOptions>;

const values = (ts: tf.Tensor[]) => ts.map((t) => ({ shape: t.shape.slice(), data: t.dataSync().slice() }));

/** The same model, weights and batch on another tfjs backend; the original backend is restored after. */
async function onBackend(ctx: Ctx, batch: TensorDataset, name: string): Promise<Layerwise> {
  const original = tf.getBackend();
  const weights = values(ctx.model.layers.flatMap((l) => l.getWeights()));
  const [x, y] = values([batch.x, batch.y]);
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch {
    ok = false;
  }
  if (!ok) {
    await tf.setBackend(original);
    throw new Error(`reference backend "${name}" is not available here (tfjs-node cannot install offline; use "cpu")`);
  }
  try {
    const clone = await cloneModel(ctx.model);
    const ws = weights.map((w) => tf.tensor(w.data, w.shape));
    clone.setWeights(ws);
    tf.dispose(ws);
    const b = { x: tf.tensor(x!.data, x!.shape), y: tf.tensor(y!.data, y!.shape) };
    try {
      return layerwise(clone, b, ctx.task.loss);
    } finally {
      tf.dispose([b.x, b.y]);
      clone.dispose();
    }
  } finally {
    await tf.setBackend(original);
  }
}

/** A reference model built by a module, with our weights copied in layer by layer (through `mapping`). */
async function onModule(ctx: Ctx, batch: TensorDataset): Promise<Layerwise> {
  const file = path.resolve(ctx.options.module ?? '');
  if (!ctx.options.module || !fs.existsSync(file))
    throw new Error(
      `reference "model" needs options.module, a file that exists (got ${JSON.stringify(ctx.options.module)}, resolved to ${file})`,
    );
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the user's reference model module, by path
  const mod = require(file) as { build?: unknown; default?: { build?: unknown } };
  const build = (mod.build ?? mod.default?.build) as
    ((t: typeof tf, o: { inputShape: number[] }) => tf.LayersModel | Promise<tf.LayersModel>) | undefined;
  if (typeof build !== 'function')
    throw new Error(`${file} must export build(tf, { inputShape }) returning a tf.LayersModel`);
  const ref = await build(tf, { inputShape: ctx.model.inputs[0]!.shape.slice(1) as number[] });
  try {
    for (const layer of ctx.model.layers) {
      if (layer.weights.length === 0) continue;
      const target = ref.layers.find((l) => l.name === (ctx.options.mapping[layer.name] ?? layer.name));
      if (!target) continue;
      target.setWeights(layer.getWeights());
    }
    return layerwise(ref, batch, ctx.task.loss);
  } finally {
    ref.dispose();
  }
}

function readDump(file: string | undefined): Layerwise {
  const f = path.resolve(file ?? '');
  if (!file || !fs.existsSync(f))
    throw new Error(
      `reference "dump" needs options.file, a dump that exists (got ${JSON.stringify(file)}, resolved to ${f}); write one with: trainwatch export <config> then python3 tools/reference/torch_dump.py`,
    );
  const d = JSON.parse(fs.readFileSync(f, 'utf8')) as Layerwise & { format?: string };
  if (!Array.isArray(d.layers)) throw new Error(`${f} is not a trainwatch reference dump (no "layers")`);
  return d;
}

function report(ctx: Ctx, c: Comparison, ours: Layerwise, ref: Layerwise, ms: number): void {
  const o = ctx.options;
  const source =
    o.reference === 'backend'
      ? `the ${o.backend} backend`
      : o.reference === 'model'
        ? `the reference model ${o.module}`
        : `the dump ${o.file}`;
  if (c.mismatch) {
    const m = c.mismatch;
    const what = m.direction === 'forward' ? 'output' : `gradient of ${m.weight}`;
    ctx.report({
      code: 'reference-mismatch',
      severity: 'error',
      step: 0,
      layer: m.layer,
      message: `${m.direction}: layer ${m.layer}'s ${what} differs from ${source}: max abs error ${m.diff.maxAbs.toExponential(2)}, relative ${m.diff.relative.toExponential(2)}${m.diff.shape ? ` (shapes [${m.diff.shape[0]}] vs [${m.diff.shape[1]}])` : ''}`,
      evidence: {
        direction: m.direction,
        layer: m.layer,
        weight: m.weight,
        maxAbs: m.diff.maxAbs,
        relative: m.diff.relative,
        examples: m.diff.examples.map(([i, a, b]) => ({ index: i, ours: a, reference: b })),
        atol: o.atol,
        rtol: o.rtol,
        lossOurs: ours.loss,
        lossReference: ref.loss,
        layersBefore: c.layers,
        skipped: c.skipped,
      },
      suggestion:
        m.direction === 'forward'
          ? 'Layers before it agree, so the bug is in this layer: its weight layout (a transposed kernel, NHWC vs NCHW), padding, activation or the mapping of weights.'
          : 'Outputs agree but this gradient does not: a custom gradient (tf.customGrad, a registered kernel) in or after this layer is wrong.',
    });
    return;
  }
  ctx.report({
    code: 'reference-check-passed',
    severity: 'info',
    step: 0,
    message: `layer by layer, forward and backward, the first iteration matches ${source} (${c.layers.length} layers; worst relative error ${Math.max(0, ...c.layers.flatMap((l) => [l.forward ?? 0, l.backward ?? 0])).toExponential(1)})`,
    evidence: { layers: c.layers, skipped: c.skipped, lossOurs: ours.loss, lossReference: ref.loss, ms },
  });
}

/**
 * reference-check (habit 6): before the first step, on the first examples and the initial weights,
 * compares every layer's output with a reference, then (if the forward pass agrees) every weight
 * gradient from the last layer back.
 */
export const referenceCheck = definePlugin({
  name: 'reference-check',
  description:
    'First iteration, layer by layer: outputs then gradients (last layer first) vs another backend, a reference model module or a PyTorch dump; reference-mismatch names the layer.',
  schema: ReferenceCheckOptions,
  setup(ctx) {
    ctx.bus.on('run:begin', async () => {
      const train = ctx.task.train;
      if (!train) throw new Error('needs training examples in memory (the task uses a batch source)');
      const t0 = performance.now();
      const batch = referenceBatch(train, ctx.options.examples);
      try {
        const ours = layerwise(ctx.model as never, batch, ctx.task.loss);
        const o = ctx.options;
        const ref =
          o.reference === 'backend'
            ? await onBackend(ctx, batch, o.backend)
            : o.reference === 'model'
              ? await onModule(ctx, batch)
              : readDump(o.file);
        report(
          ctx,
          compareLayerwise(ours, ref, { atol: o.atol, rtol: o.rtol }, o.mapping),
          ours,
          ref,
          performance.now() - t0,
        );
      } finally {
        tf.dispose([batch.x, batch.y]);
      }
    });
  },
});
