import { definePlugin, every, tf, toJson, type FindingInput, type ForwardEndEvent } from '@trainwatch/core';
import { driftSums, InputDrift, regionsFor } from './input-drift';
import { ActivationMonitor } from './monitor';
import { ActivationMonitorOptions } from './options';
import { watchedLayers, type WatchedLayer } from './layers';
import { firstRows, layerSample, layerStats, needsPre, type LayerStats } from './stats';
import { reportCharts } from './report-charts';

const KEY = {
  /** Prefixes: one key per layer (`activation-monitor:out:<layer>`). */
  out: 'activation-monitor:out:',
  pre: 'activation-monitor:pre:',
  input: 'activation-monitor:input',
  drift: 'activation-monitor:drift',
};

/** Input statistics from the first measurements: min, max, mean, std. */
export interface InputStats {
  min: number;
  max: number;
  mean: number;
  std: number;
}

/**
 * activation-monitor: every `every` steps, takes each watched layer's output (and its exactly
 * recomputed pre-activation) from the training forward pass, reduces it to statistics, a histogram
 * and per-unit shares in one batched readback, and detects dead units, saturation, explosion,
 * collapse and unnormalized inputs.
 */
export const activationMonitor = definePlugin({
  name: 'activation-monitor',
  description:
    'Per-layer activation statistics and histograms over time; dead ReLU units, saturated sigmoid/tanh, activation explosion/collapse, unnormalized inputs.',
  schema: ActivationMonitorOptions,
  setup(ctx) {
    const o = ctx.options;
    if (o.record) ctx.contributeToReport(reportCharts());
    const monitor = new ActivationMonitor(o);
    let watched: WatchedLayer[] | undefined;
    // The layers measured this step and the shapes of their samples (read back by key in batch:end).
    let sampled: { w: WatchedLayer; shape: number[]; histogram: boolean }[] = [];
    let measuredAt = -1;
    let inputChecks = 0;
    const settings = {
      bins: o.histogram.bins,
      range: o.histogram.range,
      samples: o.histogram.samples,
      threshold: o.saturation.threshold,
    };
    let lastHistogram = -Infinity;
    // Integer ids (an Embedding first) are not features: their scale means nothing.
    const first = ctx.model.layers.find((l) => l.getClassName() !== 'InputLayer');
    const checkInputs = o.input.checks > 0 && first?.getClassName() !== 'Embedding';
    let drift: { regions: NonNullable<ReturnType<typeof regionsFor>>; judge: InputDrift } | null | undefined;

    ctx.bus.on(
      'forward:end',
      (e: ForwardEndEvent) => {
        watched ??= watchedLayers(ctx.model);
        const histogram = e.step - lastHistogram >= o.histogram.everySteps;
        if (histogram) lastHistogram = e.step;
        const byName = new Map(e.activations.map((a) => [a.layer, a.output]));
        measuredAt = e.step;
        sampled = [];
        for (const w of watched) {
          const full = byName.get(w.layer);
          if (!full) continue;
          const input = w.source === undefined ? e.inputs : byName.get(w.source);
          const sample = layerSample(w, full, input, o.preSamples, needsPre(w, histogram));
          e.readback(`${KEY.out}${w.layer}`, sample.out);
          if (sample.pre) e.readback(`${KEY.pre}${w.layer}`, sample.pre);
          sampled.push({ w, shape: sample.out.shape, histogram });
        }
        if (checkInputs && inputChecks < o.input.checks && e.inputs.dtype === 'float32') {
          const { mean, variance } = tf.moments(e.inputs);
          const y = e.labels.toFloat();
          e.readback(
            KEY.input,
            tf.stack([tf.min(e.inputs), tf.max(e.inputs), mean, tf.sqrt(variance), tf.min(y), tf.max(y)]),
          );
          const held = ctx.task.validation?.x;
          const regions = drift === undefined && held ? regionsFor(e.inputs, ctx.task.hooks) : undefined;
          drift ??= regions && held ? { regions, judge: new InputDrift(regions, held) } : null;
          if (drift) e.readback(KEY.drift, driftSums(drift.regions, e.inputs));
        }
      },
      every(o.every),
    );

    ctx.bus.on('batch:end', (e) => {
      if (measuredAt !== e.step) return;
      const stats: LayerStats[] = sampled.map(({ w, shape, histogram }) => {
        // The first `rows` rows (the batch is shuffled).
        const [out, outShape] = firstRows(e.readback[`${KEY.out}${w.layer}`]!, shape, o.rows);
        return layerStats(w, out, outShape, e.readback[`${KEY.pre}${w.layer}`], { ...settings, histogram });
      });
      sampled = [];
      const inp = e.readback[KEY.input];
      let input: InputStats | undefined;
      if (inp) {
        inputChecks++;
        input = { min: inp[0]!, max: inp[1]!, mean: inp[2]!, std: inp[3]! };
        monitor.inputsInRange = Math.max(Math.abs(input.min), Math.abs(input.max)) <= 5;
        if (input.max - input.min <= 1e-12) ctx.reportOnce(constant('input', e.step, input.min));
        if (inp[5]! - inp[4]! <= 1e-12) ctx.reportOnce(constant('targets', e.step, inp[4]!));
        const sums = e.readback[KEY.drift];
        if (sums && drift) drift.judge.add(sums);
        const drifted = sums && drift && inputChecks === o.input.checks ? drift.judge.judge(e.step) : undefined;
        if (drifted) ctx.report(drifted);
        if (isUnnormalized(input, o.input)) {
          ctx.reportOnce({
            code: 'unnormalized-input',
            severity: 'warn',
            step: e.step,
            message: `model inputs range ${input.min.toPrecision(3)}..${input.max.toPrecision(3)} (mean ${input.mean.toPrecision(3)}, std ${input.std.toPrecision(3)}): far from the roughly zero-mean, unit-scale values a first layer with standard initialisation expects`,
            evidence: { ...input, maxAbs: o.input.maxAbs, maxMean: o.input.maxMean, maxStd: o.input.maxStd },
            suggestion:
              input.max > 1 && input.min >= 0 && input.max <= 255
                ? 'These look like raw 0-255 pixels: divide by 255 (or standardise per channel).'
                : 'Standardise the inputs (subtract the training mean, divide by the std) in the data pipeline.',
          });
        }
      }
      for (const f of monitor.update(e.step, stats)) ctx.report(f);
      if (o.record)
        ctx.artifacts.appendLine(
          'activation-monitor/stats.jsonl',
          toJson({ step: e.step, epoch: e.epoch, ...(input ? { input } : {}), layers: stats.map(record) }),
        );
    });
  },
});

/** Every input (or every label / target) in a batch has one value: the data delivers no signal. */
function constant(what: 'input' | 'targets', step: number, value: number): FindingInput {
  return {
    code: `constant-${what}`,
    severity: 'warn',
    step,
    message:
      what === 'input'
        ? `every model input in the batch is ${value.toPrecision(3)}: the data pipeline delivers no signal`
        : `every training target in the batch is ${value.toPrecision(3)}: the loss gives no learning signal`,
    evidence: { value },
    suggestion:
      what === 'input'
        ? 'Check the data code between loading and the model: a mask, a multiplication by 0, a wrong column.'
        : 'Check what builds the targets: a constant reward (after a baseline it becomes 0), or labels overwritten.',
  };
}

function isUnnormalized(s: InputStats, o: ActivationMonitorOptions['input']): boolean {
  return Math.max(Math.abs(s.min), Math.abs(s.max)) > o.maxAbs || Math.abs(s.mean) > o.maxMean || s.std > o.maxStd;
}

/** One layer's line in stats.jsonl: per-unit arrays reduced to shares (the report needs the shares). */
function record(s: LayerStats) {
  const { active, saturated, ...rest } = s;
  return {
    ...rest,
    ...(active ? { activeUnits: active.filter((x) => x > 0).length / active.length } : {}),
    ...(saturated ? { saturatedUnits: saturated.filter((x) => x > 0.5).length / saturated.length } : {}),
  };
}
