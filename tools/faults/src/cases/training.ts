import { tf } from '@trainwatch/core';
import type { FaultCase } from '../case';
import { digitTask, mlp } from '../fixtures';

/** A wrapped optimizer that clips every gradient element to ±limit before the update (a clipping bug). */
class ClippingOptimizer extends tf.Optimizer {
  static get className() {
    return 'ClippingOptimizer';
  }
  constructor(
    private readonly inner: tf.Optimizer,
    private readonly limit: number,
  ) {
    super();
  }
  override applyGradients(grads: tf.NamedTensorMap | { name: string; tensor: tf.Tensor }[]): void {
    const list = Array.isArray(grads) ? grads : Object.entries(grads).map(([name, tensor]) => ({ name, tensor }));
    const clipped = list.map((g) => ({ name: g.name, tensor: tf.clipByValue(g.tensor, -this.limit, this.limit) }));
    this.inner.applyGradients(clipped);
    tf.dispose(clipped.map((g) => g.tensor));
  }
  override getConfig() {
    return { limit: this.limit };
  }
  override dispose() {
    this.inner.dispose();
  }
}

const plain = (name: string) => digitTask(name, { model: (s) => mlp(s, { hidden: [32] }) });

/** Hyperparameter and optimizer faults (Humbatova et al.: training process / hyperparameters, optimiser). */
export const trainingCases: FaultCase[] = [
  {
    name: 'lr-far-too-high',
    category: 'hyperparameters',
    task: plain('lr-far-too-high'),
    training: { learningRate: 0.5 },
    expected: { cause: 'learning-rate-too-high', codes: ['loss-diverged', 'update-ratio-high', 'nonfinite-loss'] },
    fast: true,
  },
  {
    name: 'sgd-lr-far-too-high',
    category: 'hyperparameters',
    task: plain('sgd-lr-far-too-high'),
    training: { optimizer: 'sgd', learningRate: 20 },
    expected: {
      cause: 'learning-rate-too-high',
      codes: ['loss-diverged', 'update-ratio-high', 'nonfinite-loss', 'exploding-gradient'],
    },
  },
  {
    name: 'lr-far-too-low',
    category: 'hyperparameters',
    task: plain('lr-far-too-low'),
    training: { learningRate: 1e-6 },
    expected: { cause: 'updates-too-small', codes: ['update-ratio-low', 'loss-not-decreasing'] },
    fast: true,
  },
  {
    name: 'batch-is-whole-set',
    category: 'hyperparameters',
    task: plain('batch-is-whole-set'),
    training: { batchSize: 800 },
    expected: { cause: 'too-few-steps', codes: ['still-improving'] },
  },
  {
    name: 'one-short-epoch',
    category: 'hyperparameters',
    task: plain('one-short-epoch'),
    training: { epochs: 1, batchSize: 100, learningRate: 3e-4 },
    expected: { cause: 'too-few-steps', codes: ['still-improving'] },
  },
  {
    name: 'adam-epsilon-huge',
    category: 'optimizer',
    task: digitTask('adam-epsilon-huge', {
      model: (s) => mlp(s, { hidden: [32] }),
      extra: () => ({ optimizer: tf.train.adam(0.001, 0.9, 0.999, 10) }),
    }),
    expected: { cause: 'updates-too-small', codes: ['update-ratio-low', 'loss-not-decreasing'] },
  },
  {
    name: 'clipping-kills-update',
    category: 'optimizer',
    task: digitTask('clipping-kills-update', {
      model: (s) => mlp(s, { hidden: [32] }),
      extra: () => ({ optimizer: new ClippingOptimizer(tf.train.sgd(0.1), 1e-7) as unknown as tf.Optimizer }),
    }),
    expected: { cause: 'updates-too-small', codes: ['update-ratio-low', 'loss-not-decreasing'] },
  },
];
