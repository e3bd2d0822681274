import {
  argmax,
  createRng,
  defineTask,
  StringEnum,
  tf,
  Type,
  type BatchSource,
  type EvalResult,
  type Static,
} from '@trainwatch/core';

/** `catch` options: the board, the policy network and the REINFORCE batch. */
export const CatchOptions = Type.Object({
  width: Type.Integer({ minimum: 3, maximum: 12, default: 5, description: 'Columns of the board.' }),
  height: Type.Integer({
    minimum: 3,
    maximum: 12,
    default: 5,
    description: 'Rows: the ball falls height-1 steps, the paddle moves once per step.',
  }),
  hidden: Type.Integer({ minimum: 1, default: 32, description: 'Hidden units of the policy network.' }),
  episodesPerStep: Type.Integer({
    minimum: 1,
    default: 32,
    description: 'Games played with the current policy for each training step.',
  }),
  stepsPerEpoch: Type.Integer({ minimum: 1, default: 25, description: 'Training steps per epoch.' }),
  baseline: StringEnum(['normalized', 'mean', 'none'] as const, {
    default: 'normalized',
    description:
      'REINFORCE baseline: subtract the batch’s mean return and divide by its std (normalized), subtract the mean only, or nothing.',
  }),
  entropy: Type.Number({ minimum: 0, default: 0.01, description: 'Entropy bonus weight: keeps the policy exploring.' }),
  reward: StringEnum(['game', 'constant'] as const, {
    default: 'game',
    description: 'Fault injection: `constant` wires every episode’s reward to +1 (nothing to learn from).',
  }),
});
export type CatchOptions = Static<typeof CatchOptions>;

const ACTIONS = ['left', 'stay', 'right'] as const;

/** The board as features: the ball's cell one-hot (height x width), then the paddle's column one-hot. */
function encode(
  o: CatchOptions,
  ballRow: number,
  ballCol: number,
  paddle: number,
  out: Float32Array,
  at: number,
): void {
  out.fill(0, at, at + o.height * o.width + o.width);
  out[at + ballRow * o.width + ballCol] = 1;
  out[at + o.height * o.width + paddle] = 1;
}

/** ASCII picture of one encoded state. */
export function renderCatch(o: Pick<CatchOptions, 'width' | 'height'>, row: ArrayLike<number>): string {
  const lines: string[] = [];
  for (let r = 0; r < o.height; r++) {
    let line = '';
    for (let c = 0; c < o.width; c++)
      line += row[r * o.width + c] ? 'o' : r === o.height - 1 && row[o.height * o.width + c] ? '=' : '.';
    lines.push(line);
  }
  return lines.join('\n');
}

interface Played {
  states: Float32Array;
  actions: Int32Array;
  /** Reward of each game (+1 caught, -1 missed). */
  rewards: Float32Array;
}

/**
 * Plays `starts.length` games at once with the current policy: greedy (argmax) or sampled.
 * One forward pass per time step for all games.
 */
function play(
  model: tf.LayersModel,
  o: CatchOptions,
  starts: [number, number][],
  pick: (probs: Float32Array, i: number) => number,
): Played {
  const games = starts.length;
  const feats = o.height * o.width + o.width;
  const moves = o.height - 1;
  const states = new Float32Array(games * moves * feats);
  const actions = new Int32Array(games * moves);
  const paddle = starts.map((s) => s[1]);
  const step = new Float32Array(games * feats);
  for (let t = 0; t < moves; t++) {
    for (let g = 0; g < games; g++) encode(o, t, starts[g]![0], paddle[g]!, step, g * feats);
    const probs = tf.tidy(
      () => (model.predict(tf.tensor2d(step, [games, feats])) as tf.Tensor).dataSync() as Float32Array,
    );
    for (let g = 0; g < games; g++) {
      const a = pick(probs.subarray(g * 3, g * 3 + 3), g);
      const k = g * moves + t;
      actions[k] = a;
      states.set(step.subarray(g * feats, (g + 1) * feats), k * feats);
      paddle[g] = Math.min(o.width - 1, Math.max(0, paddle[g]! + a - 1));
    }
  }
  const rewards = new Float32Array(games);
  for (let g = 0; g < games; g++) rewards[g] = paddle[g] === starts[g]![0] ? 1 : -1;
  return { states, actions, rewards };
}

/**
 * REINFORCE surrogate: labels carry one-hot(action) x advantage, so the loss is −mean Σ A·log π(a|s),
 * minus `entropy` x the policy's mean entropy (keeps it exploring instead of freezing early).
 */
export function policyGradientLoss(entropy = 0): (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar {
  return (yTrue, yPred) =>
    tf.tidy(() => {
      const logp = tf.log(tf.clipByValue(yPred, 1e-7, 1));
      const pg = tf.neg(tf.mean(tf.sum(tf.mul(yTrue, logp), -1)));
      return (entropy > 0 ? tf.add(pg, tf.mul(tf.mean(tf.sum(tf.mul(yPred, logp), -1)), entropy)) : pg) as tf.Scalar;
    });
}

/**
 * `catch`: a ball falls down a small board, a paddle on the bottom row moves left / stays / moves
 * right each step; +1 for a catch, −1 for a miss. A policy network learns by policy gradient
 * (REINFORCE with a mean baseline) from games played with the current weights at every step; its
 * `evaluate` plays every start position greedily and returns the mean reward, the catch rate and
 * the action histogram as the behaviour signature.
 */
export const catchGame = defineTask({
  name: 'catch',
  description:
    'Catch the falling ball: a policy network trained by REINFORCE on games played with the current weights.',
  schema: CatchOptions,
  create(o, ctx) {
    const feats = o.height * o.width + o.width;
    const init = (k: number) => tf.initializers.glorotUniform({ seed: ctx.seed + k });
    const model = tf.sequential({ name: 'catch_policy' });
    model.add(
      tf.layers.dense({
        units: o.hidden,
        activation: 'relu',
        inputShape: [feats],
        name: 'hidden',
        kernelInitializer: init(1),
      }),
    );
    model.add(tf.layers.dense({ units: 3, activation: 'softmax', name: 'policy', kernelInitializer: init(2) }));

    const source: BatchSource = {
      kind: 'batch-source',
      stepsPerEpoch: o.stepsPerEpoch,
      size: o.stepsPerEpoch * o.episodesPerStep,
      next({ model: m, step, seed }) {
        const rng = createRng(seed * 7919 + step);
        const starts = Array.from({ length: o.episodesPerStep }, (): [number, number] => [
          Math.floor(rng() * o.width),
          Math.floor(rng() * o.width),
        ]);
        const played = play(m, o, starts, (p) => {
          const u = rng();
          return u < p[0]! ? 0 : u < p[0]! + p[1]! ? 1 : 2;
        });
        const rewards = o.reward === 'constant' ? played.rewards.map(() => 1) : played.rewards;
        const mean = o.baseline === 'none' ? 0 : rewards.reduce((a, b) => a + b, 0) / rewards.length;
        // 'normalized' also divides by the returns' std: the step size stops shrinking as the batch gets good.
        const sd =
          o.baseline === 'normalized'
            ? Math.sqrt(rewards.reduce((a, b) => a + (b - mean) ** 2, 0) / rewards.length)
            : 1;
        const scale = sd > 1e-6 ? 1 / sd : 0;
        const moves = o.height - 1;
        const y = new Float32Array(played.actions.length * 3);
        played.actions.forEach((a, k) => (y[k * 3 + a] = (rewards[Math.floor(k / moves)]! - mean) * scale));
        return {
          x: tf.tensor2d(played.states, [played.actions.length, feats]),
          y: tf.tensor2d(y, [played.actions.length, 3]),
        };
      },
    };

    const evaluate = (m: tf.LayersModel): EvalResult => {
      const starts: [number, number][] = [];
      for (let b = 0; b < o.width; b++) for (let p = 0; p < o.width; p++) starts.push([b, p]);
      const played = play(m, o, starts, (p) => argmax(p));
      const hist = [0, 0, 0];
      for (const a of played.actions) hist[a]!++;
      const reward = played.rewards.reduce((a, b) => a + b, 0) / played.rewards.length;
      return {
        metrics: { reward, catchRate: played.rewards.filter((r) => r > 0).length / played.rewards.length },
        behaviour: hist,
        monitor: { metric: 'reward', mode: 'max', target: 1 },
        details: { games: starts.length, actions: Object.fromEntries(ACTIONS.map((n, i) => [n, hist[i]])) },
      };
    };

    return {
      model,
      loss: policyGradientLoss(o.entropy),
      train: source,
      evaluate,
      hooks: { render: (row) => renderCatch(o, row), decode: (row) => ACTIONS[argmax(row)]! },
    };
  },
});
