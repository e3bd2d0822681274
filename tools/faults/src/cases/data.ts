import { createRng, defineTask, permutation, tf, type TaskInstance, type TensorDataset } from '@trainwatch/core';
import { catchGame, cmudictG2p } from '@trainwatch/tasks';
import type { FaultCase } from '../case';
import { classesOf, digitTask, mlp, oneHot } from '../fixtures';

const shuffled = (y: tf.Tensor, seed: number) =>
  tf.gather(y, tf.tensor1d(permutation(y.shape[0]!, createRng(seed)), 'int32'));

/** Zeroes one 14x14 quadrant of every flat 28x28 digit, then adds noise there: a damaging augmentation. */
function damageTopLeft(x: tf.Tensor): tf.Tensor {
  const mask = new Float32Array(784);
  for (let r = 0; r < 14; r++) for (let c = 0; c < 14; c++) mask[r * 28 + c] = 1;
  const m = tf.tensor1d(mask);
  const noise = tf.randomUniform(x.shape, 0, 1, 'float32', 5);
  return tf.add(tf.mul(x, tf.sub(1, m)), tf.mul(noise, m));
}

/** A wrapper task: the built-in task with its training labels rewritten. */
function withTrainLabels(name: string, base: typeof cmudictG2p, rewrite: (y: tf.Tensor) => tf.Tensor) {
  return defineTask({
    name,
    schema: base.schema,
    async create(o, ctx): Promise<TaskInstance> {
      const inst = await base.create(o as Parameters<typeof base.create>[0], ctx);
      const train = inst.train as TensorDataset;
      const y = tf.tidy(() => rewrite(train.y));
      train.y.dispose();
      return { ...inst, train: { x: train.x, y } };
    },
  });
}

const G2P_SMALL = { trainSize: 2000, validationSize: 300, units: 24, embedding: 12, maxLength: 8 };

/** Data pipeline, evaluation code and RL/sequence faults. */
export const dataCases: FaultCase[] = [
  {
    name: 'unnormalised-input',
    category: 'data',
    task: digitTask('unnormalised-input', {
      model: (s) => mlp(s),
      train: (d) => ({ x: tf.mul(d.x, 255), y: d.y.clone() }),
      validation: (d) => ({ x: tf.mul(d.x, 255), y: d.y.clone() }),
    }),
    expected: { cause: 'unnormalised-input', codes: ['unnormalized-input'] },
    fast: true,
  },
  {
    name: 'zeroed-input',
    category: 'data',
    task: digitTask('zeroed-input', {
      model: (s) => mlp(s),
      train: (d) => ({ x: tf.zerosLike(d.x), y: d.y.clone() }),
      validation: (d) => ({ x: tf.zerosLike(d.x), y: d.y.clone() }),
    }),
    expected: { cause: 'constant-input', codes: ['constant-input', 'model-ignores-input'] },
  },
  {
    name: 'shuffled-labels',
    category: 'data',
    task: digitTask('shuffled-labels', {
      model: (s) => mlp(s),
      train: (d) => ({ x: d.x.clone(), y: shuffled(d.y, 11) }),
    }),
    expected: { cause: 'labels-misaligned', codes: ['labels-unlearnable', 'overfitting', 'loss-not-decreasing'] },
    fast: true,
  },
  {
    name: 'corrupted-class',
    category: 'data',
    task: digitTask('corrupted-class', {
      model: (s) => mlp(s),
      train: (d) => {
        const c = classesOf(d.y);
        return {
          x: d.x.clone(),
          y: oneHot(tf.where(tf.equal(c, 3), tf.fill(c.shape, 8, 'int32'), c.toInt()) as tf.Tensor1D),
        };
      },
    }),
    expected: { cause: 'corrupted-slice', codes: ['systematic-error', 'label-disagreement'], where: '3' },
  },
  {
    name: 'damaging-augmentation',
    category: 'data',
    task: digitTask('damaging-augmentation', {
      model: (s) => mlp(s),
      train: (d) => ({ x: damageTopLeft(d.x), y: d.y.clone() }),
    }),
    expected: { cause: 'train-validation-mismatch', codes: ['input-drift'], where: 'top-left' },
  },
  {
    name: 'evaluator-scores-wrong-labels',
    category: 'evaluation',
    task: digitTask('evaluator-scores-wrong-labels', {
      model: (s) => mlp(s),
      // The bug: the evaluator compares predictions with labels shifted by one class.
      extra: (_s, { validation }) => ({
        evaluate: (m) => {
          const acc = tf.tidy(() => {
            const pred = tf.argMax(m.predict(validation.x) as tf.Tensor, -1);
            const wrong = tf.mod(tf.add(tf.argMax(validation.y, -1), 1), 10);
            return tf.mean(tf.equal(pred, wrong).toFloat()).dataSync()[0]!;
          });
          return { metrics: { acc }, monitor: { metric: 'acc', mode: 'max' } };
        },
      }),
    }),
    expected: { cause: 'evaluator-suspect', codes: ['eval-disagrees-with-training'] },
  },
  {
    name: 'catch-constant-reward',
    category: 'rl',
    task: catchGame,
    taskOptions: { reward: 'constant' },
    expected: {
      cause: 'no-learning-signal',
      codes: ['constant-targets', 'constant-behaviour', 'weights-not-updating', 'vanishing-gradient'],
    },
    fast: true,
  },
  {
    name: 'catch-lr-too-high',
    category: 'rl',
    task: catchGame,
    training: { learningRate: 1 },
    expected: { cause: 'learning-rate-too-high', codes: ['loss-diverged', 'update-ratio-high', 'constant-behaviour'] },
  },
  {
    name: 'g2p-shuffled-targets',
    category: 'sequence',
    task: withTrainLabels('g2p-shuffled-targets', cmudictG2p, (y) => shuffled(y, 3)),
    taskOptions: G2P_SMALL,
    training: { batchSize: 64 },
    expected: {
      cause: 'labels-misaligned',
      codes: ['labels-unlearnable', 'constant-predictions', 'overfitting', 'loss-not-decreasing'],
    },
  },
];

export { G2P_SMALL };
