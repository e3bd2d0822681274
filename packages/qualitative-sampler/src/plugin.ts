import { argmax, definePlugin, editDistance, tf, toJson, type PluginContext, type Row } from '@trainwatch/core';
import { QualitativeSamplerOptions } from './options';
import { PatternFinder, sliceStats, type Observation, type SliceStat } from './patterns';
import { encodePng } from './png';
import { chooseProbes, pictureOf, quadrant } from './probe';
import type { SampleRecord } from './sample-record';
import { SampleTerminal } from './terminal';

type Ctx = PluginContext<QualitativeSamplerOptions>;

/** What one sampling computed for one example. */
interface Judged {
  label: string;
  prediction: string;
  correct: boolean | undefined;
  cls?: number;
  pred?: number;
  confidence?: number;
}

/**
 * qualitative-sampler: runs a fixed probe set (and a larger pattern set) through the model at
 * epoch ends / every n steps, writes what it predicts as people read it (samples.jsonl, PNGs,
 * a terminal table) and finds what numbers hide: systematic errors by slice, constant
 * predictions, confident label disagreements.
 */
export const qualitativeSampler = definePlugin({
  name: 'qualitative-sampler',
  description:
    'Decoded samples, predicted vs true labels and images over the run; systematic-error slices, constant predictions, label disagreements.',
  schema: QualitativeSamplerOptions,
  setup(ctx) {
    const o = ctx.options;
    const val = ctx.task.validation;
    if (!val) {
      // A task with its own evaluator (a game) has no held-out examples to sample: a fact, not a failure.
      ctx.report({
        code: 'sampler-skipped',
        severity: 'info',
        message: `no held-out examples to sample: task "${ctx.task.name}" has none (set training.validation.split to sample some)`,
      });
      return undefined;
    }
    const hooks = ctx.task.hooks;
    const n = Math.max(o.size, Math.min(val.x.shape[0]!, o.patterns.examples));
    const setN = Math.min(n, val.x.shape[0]!);
    // Inputs and labels do not change: read them once (outside tidy, which would walk a returned
    // 1.5M-value array element by element looking for tensors: 300 ms on MNIST).
    const xs = firstRows(val.x, setN);
    const ys = firstRows(val.y, setN);
    const xw = xs.length / setN;
    const yw = ys.length / setN;
    const xRow = (i: number) => xs.subarray(i * xw, (i + 1) * xw) as Row;
    const yRow = (i: number) => ys.subarray(i * yw, (i + 1) * yw) as Row;
    const classes = val.y.rank === 2 && val.y.shape[1]! > 1 ? val.y.shape[1]! : 0;
    // Names and slice labels made once per class, not per example at every sampling (2,000
    // examples an epoch end: the strings were most of its cost).
    const classNames = Array.from({ length: classes }, (_, k) => ctx.task.classNames?.[k] ?? String(k));
    const name = (k: number) => classNames[k] ?? ctx.task.classNames?.[k] ?? String(k);
    const trueSlice = classNames.map((c) => `true ${c}`);
    const predictedSlice = classNames.map((c) => `predicted ${c}`);
    const probes = chooseProbes(setN, o.size, o.seed, classes ? (i) => argmax(yRow(i)) : undefined);
    const picture = pictureOf(hooks, val.x.shape);
    // Each example's image region as its slice label, made once.
    const regionSlice =
      picture && o.patterns.regions
        ? Array.from({ length: setN }, (_, i) => `region ${quadrant(picture(xRow(i)))}`)
        : undefined;
    const images = new Map<number, string>();
    /** The example's picture as a run-relative path, written on first use (undefined without pictures). */
    const imageOf = (id: number): string | undefined => {
      if (!picture || !o.images) return undefined;
      if (!images.has(id))
        images.set(
          id,
          ctx.artifacts
            .write(`qualitative-sampler/images/${id}.png`, encodePng(picture(xRow(id)), o.imageScale))
            .slice(ctx.artifacts.dir.length + 1),
        );
      return images.get(id);
    };
    for (const id of probes) imageOf(id);
    const finder = new PatternFinder(o.patterns);
    const terminal = new SampleTerminal(ctx.log, o.show);
    const streak = new Map<number, { cls: number; count: number }>();
    let lastStep = -1;

    async function sample(step: number, epoch: number, afterFirstEpoch: boolean): Promise<void> {
      if (step === lastStep) return;
      lastStep = step;
      const predsFlat = await predictAll(ctx, setN);
      const pw = predsFlat.length / setN;
      const judged: Judged[] = [];
      const obs: Observation[] = [];
      for (let i = 0; i < setN; i++) {
        const p = predsFlat.subarray(i * pw, (i + 1) * pw) as Row;
        const j = judge(p, yRow(i));
        judged.push(j);
        if (j.correct === undefined) continue;
        if (classes) {
          obs.push(
            { slice: trueSlice[j.cls!]!, error: !j.correct, id: i },
            { slice: predictedSlice[j.pred!]!, error: !j.correct, id: i },
          );
        }
        if (regionSlice) obs.push({ slice: regionSlice[i]!, error: !j.correct, id: i });
        for (const s of hooks?.slices?.(xRow(i), yRow(i), p) ?? []) obs.push({ slice: s.slice, error: s.error, id: i });
      }
      const records = probes.map((id) =>
        record(step, epoch, id, judged[id]!, predsFlat.subarray(id * pw, (id + 1) * pw)),
      );
      ctx.artifacts.appendLine('qualitative-sampler/samples.jsonl', records.map((r) => toJson(r)).join('\n'));
      terminal.sampled(step, records);
      finder.update(step, sliceStats(obs, o.patterns.minSupport), (s) =>
        describe(s, judged, classes ? name : undefined),
      );
      if (afterFirstEpoch) checkConstant(step, records);
      if (classes) trackDisagreement(judged);
    }

    function judge(p: Row, y: Row): Judged {
      if (classes) {
        const cls = argmax(y);
        const pred = argmax(p);
        return {
          cls,
          pred,
          confidence: p[pred]!,
          correct: cls === pred,
          label: hooks?.decode ? hooks.decode(y) : name(cls),
          prediction: hooks?.decode ? hooks.decode(p) : name(pred),
        };
      }
      if (hooks?.decode) {
        const label = hooks.decode(y);
        const prediction = hooks.decode(p);
        return { label, prediction, correct: label === prediction };
      }
      return {
        label: Array.from(y.slice(0, 4), (v) => v.toPrecision(3)).join(' '),
        prediction: Array.from(p.slice(0, 4), (v) => v.toPrecision(3)).join(' '),
        correct: undefined,
      };
    }

    function record(step: number, epoch: number, id: number, j: Judged, p: ArrayLike<number>): SampleRecord {
      const r: SampleRecord = { step, epoch, id, label: j.label, prediction: j.prediction };
      if (hooks?.render) r.input = hooks.render(xRow(id));
      const img = images.get(id);
      if (img) r.image = img;
      if (j.correct !== undefined) r.correct = j.correct;
      if (j.confidence !== undefined) {
        r.confidence = j.confidence;
        r.topK = Array.from(p, (v, k) => ({ label: name(k), p: v }))
          .sort((a, b) => b.p - a.p)
          .slice(0, o.topK);
      }
      if (!classes && hooks?.decode) {
        const ref = j.label.split(' ').filter(Boolean);
        r.distance = editDistance(j.prediction.split(' ').filter(Boolean), ref);
        r.refTokens = ref.length;
      }
      return r;
    }

    function checkConstant(step: number, records: SampleRecord[]): void {
      const distinct = new Set(records.map((r) => r.prediction));
      if (records.length < 2 || distinct.size > 1) return;
      ctx.reportOnce({
        code: 'constant-predictions',
        severity: 'warn',
        step,
        message: `all ${records.length} probe samples get the same prediction "${records[0]!.prediction}"`,
        evidence: {
          prediction: records[0]!.prediction,
          probes: records.length,
          labels: [...new Set(records.map((r) => r.label))].slice(0, 10),
        },
        suggestion:
          'The output ignores the input: check that inputs reach the model (a constant or zeroed batch), dead or saturated layers, a learning rate that collapsed the network, or class imbalance with a loss that rewards the majority class.',
      });
    }

    function trackDisagreement(judged: Judged[]): void {
      judged.forEach((j, i) => {
        const confidentWrong = j.correct === false && j.confidence! >= o.disagreement.confidence;
        const prev = streak.get(i);
        if (!confidentWrong) streak.delete(i);
        else streak.set(i, { cls: j.pred!, count: prev && prev.cls === j.pred ? prev.count + 1 : 1 });
      });
    }

    ctx.bus.on('run:begin', () => (o.baseline ? sample(0, 0, false) : undefined));
    ctx.bus.on('batch:end', (e) =>
      o.every > 0 && (e.step + 1) % o.every === 0 ? sample(e.step + 1, e.epoch, e.epoch >= 1) : undefined,
    );
    ctx.bus.on('epoch:end', (e) => (o.atEpochEnd ? sample(e.step, e.epoch, true) : undefined));
    ctx.bus.on('run:end', () => {
      terminal.end();
      for (const f of finder.settle()) ctx.report(f);
      const listed = [...streak.entries()].filter(([, s]) => s.count >= o.disagreement.samplings);
      if (listed.length === 0) return;
      const all = listed.map(([id, s]) => ({
        id,
        label: name(argmax(yRow(id))),
        predicted: name(s.cls),
        samplings: s.count,
      }));
      // The listed examples get their pictures, so the report can show them next to the finding.
      const rows = all.slice(0, o.disagreement.list).map((r) => ({ ...r, image: imageOf(r.id) }));
      ctx.artifacts.writeJson('qualitative-sampler/label-disagreement.json', all);
      ctx.report({
        code: 'label-disagreement',
        severity: 'info',
        message: `${listed.length} held-out examples are predicted confidently (p >= ${o.disagreement.confidence}) and consistently (${o.disagreement.samplings}+ samplings) as another class than their label: worth a look for label noise or a pipeline bug`,
        evidence: { count: listed.length, examples: rows, file: 'qualitative-sampler/label-disagreement.json' },
        suggestion:
          'Open the listed examples (ids index the held-out set); if the labels are wrong, fix the data; if many share one pattern, look at the data code.',
      });
    });
  },
});

/** Predictions on the first `n` held-out examples, from the run's shared pass (one per weight update). */
async function predictAll(ctx: Ctx, n: number): Promise<Float32Array> {
  const all = (await ctx.validationPredictions())!;
  if (n === all.shape[0]) return (await all.data()) as Float32Array;
  const first = tf.slice(all, 0, n);
  try {
    return (await first.data()) as Float32Array;
  } finally {
    first.dispose();
  }
}

/** The first `n` rows' values, read once. */
function firstRows(t: tf.Tensor, n: number): Float32Array {
  const values = (r: tf.Tensor) =>
    r.dtype === 'float32' ? (r.dataSync() as Float32Array) : Float32Array.from(r.dataSync());
  if (n === t.shape[0]) return values(t);
  const rows = tf.slice(t, 0, n);
  try {
    return values(rows);
  } finally {
    rows.dispose();
  }
}

function describe(
  s: SliceStat,
  judged: Judged[],
  name: ((k: number) => string) | undefined,
): { detail: string; evidence: Record<string, unknown> } {
  if (!name || (s.family !== 'true' && s.family !== 'predicted')) return { detail: '', evidence: {} };
  // The dominant confusion inside the slice: which class it is mistaken for (or mistaken from).
  const counts = new Map<number, number>();
  let wrong = 0;
  judged.forEach((j) => {
    if (j.correct !== false) return;
    const inSlice = s.family === 'true' ? `true ${name(j.cls!)}` === s.slice : `predicted ${name(j.pred!)}` === s.slice;
    if (!inSlice) return;
    const other = s.family === 'true' ? j.pred! : j.cls!;
    counts.set(other, (counts.get(other) ?? 0) + 1);
    wrong++;
  });
  const [top, c] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? [undefined, 0];
  if (top === undefined) return { detail: '', evidence: {} };
  const share = c / wrong;
  const trueCls = s.family === 'true' ? s.slice.slice(5) : name(top);
  const predCls = s.family === 'true' ? name(top) : s.slice.slice(10);
  return {
    detail: `; ${(100 * share).toFixed(0)}% of its errors are true ${trueCls} predicted as ${predCls}`,
    evidence: { trueClass: trueCls, predictedClass: predCls, confusionShare: share },
  };
}
