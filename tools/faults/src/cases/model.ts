import { tf } from '@trainwatch/core';
import type { FaultCase } from '../case';
import { digitTask, mlp } from '../fixtures';

/** Loss, activation, initialisation, layer and regularisation faults (the model and its loss). */
export const modelCases: FaultCase[] = [
  {
    name: 'logits-as-probabilities',
    category: 'loss',
    task: digitTask('logits-as-probabilities', { model: (s) => mlp(s, { output: { activation: 'linear' } }) }),
    expected: { cause: 'loss-output-mismatch', codes: ['loss-output-mismatch'], where: 'output' },
    fast: true,
  },
  {
    name: 'softmax-twice',
    category: 'loss',
    task: digitTask('softmax-twice', { model: (s) => mlp(s), extra: () => ({ loss: 'softmaxCrossEntropy' }) }),
    expected: { cause: 'loss-output-mismatch', codes: ['loss-output-mismatch'], where: 'output' },
  },
  {
    name: 'relu-output',
    category: 'activations',
    task: digitTask('relu-output', { model: (s) => mlp(s, { output: { activation: 'relu' } }) }),
    expected: { cause: 'loss-output-mismatch', codes: ['loss-output-mismatch'], where: 'output' },
  },
  {
    name: 'sigmoid-saturated',
    category: 'activations',
    task: digitTask('sigmoid-saturated', {
      model: (s) =>
        mlp(s, {
          hidden: [32],
          layer: () => ({
            activation: 'sigmoid',
            kernelInitializer: tf.initializers.randomNormal({ stddev: 4, seed: s }),
          }),
        }),
    }),
    expected: { cause: 'saturated-activations', codes: ['saturated-activation'], where: 'hidden1' },
    fast: true,
  },
  {
    name: 'dead-relu-bias',
    category: 'activations',
    task: digitTask('dead-relu-bias', {
      model: (s) =>
        mlp(s, { hidden: [32], layer: () => ({ biasInitializer: tf.initializers.constant({ value: -20 }) }) }),
    }),
    expected: { cause: 'dead-units', codes: ['dead-units'], where: 'hidden1' },
  },
  {
    name: 'zero-init',
    category: 'weights',
    task: digitTask('zero-init', {
      model: (s) => mlp(s, { hidden: [32, 32], layer: () => ({ kernelInitializer: tf.initializers.zeros() }) }),
    }),
    expected: { cause: 'symmetric-init', codes: ['symmetric-weights', 'dead-units'], where: 'hidden1' },
  },
  {
    name: 'constant-init',
    category: 'weights',
    task: digitTask('constant-init', {
      model: (s) =>
        mlp(s, {
          hidden: [32],
          layer: () => ({ kernelInitializer: tf.initializers.constant({ value: 0.01 }) }),
          output: { kernelInitializer: tf.initializers.constant({ value: 0.01 }) },
        }),
    }),
    expected: { cause: 'symmetric-init', codes: ['symmetric-weights'], where: 'hidden1' },
  },
  {
    name: 'huge-init',
    category: 'weights',
    task: digitTask('huge-init', {
      model: (s) =>
        mlp(s, {
          hidden: [64, 64],
          layer: (i) => ({ kernelInitializer: tf.initializers.randomNormal({ stddev: 3, seed: s + i }) }),
        }),
    }),
    expected: { cause: 'bad-init', codes: ['activation-explosion', 'init-loss-unexpected'], where: 'hidden' },
  },
  {
    name: 'all-layers-frozen',
    category: 'layers',
    task: digitTask('all-layers-frozen', {
      model: (s) => mlp(s, { hidden: [32], layer: () => ({ trainable: false }), output: { trainable: false } }),
    }),
    expected: { cause: 'no-trainable-weights', codes: ['no-trainable-weights'] },
    fast: true,
  },
  {
    name: 'labels-broadcast',
    category: 'layers',
    task: digitTask('labels-broadcast', {
      model: (s) => mlp(s, { hidden: [32], output: { activation: 'linear' } }),
      train: (d) => ({ x: d.x.clone(), y: tf.argMax(d.y, -1).toFloat().reshape([-1, 1]) }),
      validation: (d) => ({ x: d.x.clone(), y: tf.argMax(d.y, -1).toFloat().reshape([-1, 1]) }),
      extra: () => ({ loss: 'meanSquaredError', metrics: [], classNames: undefined }),
    }),
    expected: { cause: 'shape-mismatch', codes: ['label-shape-mismatch'], where: 'output' },
  },
  {
    name: 'too-deep-sigmoid',
    category: 'layers',
    task: digitTask('too-deep-sigmoid', {
      model: (s) => mlp(s, { hidden: Array.from({ length: 10 }, () => 32), layer: () => ({ activation: 'sigmoid' }) }),
    }),
    expected: { cause: 'vanishing-gradients', codes: ['vanishing-gradient'], where: 'hidden1' },
  },
  {
    name: 'dropout-too-strong',
    category: 'regularisation',
    task: digitTask('dropout-too-strong', {
      model: (s) =>
        mlp(s, {
          hidden: [64, 64],
          between: (i) => [tf.layers.dropout({ rate: 0.97, seed: s + i, name: `dropout${i + 1}` })],
        }),
    }),
    expected: { cause: 'regularisation-too-strong', codes: ['regularisation-too-strong'] },
  },
  {
    name: 'weight-decay-too-strong',
    category: 'regularisation',
    task: digitTask('weight-decay-too-strong', {
      model: (s) =>
        mlp(s, {
          hidden: [32],
          layer: () => ({ kernelRegularizer: tf.regularizers.l2({ l2: 1 }) }),
          output: { kernelRegularizer: tf.regularizers.l2({ l2: 1 }) },
        }),
    }),
    expected: { cause: 'regularisation-too-strong', codes: ['regularisation-too-strong'] },
  },
];
