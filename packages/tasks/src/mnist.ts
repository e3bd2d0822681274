import { defineTask, StringEnum, tf, Type, type TaskInstance } from '@trainwatch/core';
import { decodeDigit, DIGIT_NAMES, loadMnist, renderDigit } from './mnist-data';

const common = {
  validationFraction: Type.Number({
    exclusiveMinimum: 0,
    exclusiveMaximum: 1,
    default: 0.2,
    description: 'Share of each digit held out for validation (the last examples of each digit).',
  }),
  limit: Type.Optional(
    Type.Integer({
      minimum: 20,
      maximum: 10000,
      description: 'Use at most this many digits (balanced across classes); default all 10,000.',
    }),
  ),
};

// 28x28 grey pictures for PNGs, whatever the input shape (flat for the MLP, 28x28x1 for the CNN).
const hooks = {
  decode: decodeDigit,
  render: renderDigit,
  image: (row: ArrayLike<number>) => ({ width: 28, height: 28, channels: 1 as const, data: row }),
};

/** The 10-way softmax layer both models end with, seeded from the run's seed. */
function softmaxOutput(seed: number, extra: Record<string, unknown> = {}) {
  return tf.layers.dense({
    units: 10,
    activation: 'softmax',
    kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 100 }),
    name: 'output',
    ...extra,
  });
}

function finish(model: tf.LayersModel, data: ReturnType<typeof loadMnist>): TaskInstance {
  return {
    model,
    loss: 'categoricalCrossentropy',
    metrics: ['accuracy'],
    train: data.train,
    validation: data.validation,
    classNames: DIGIT_NAMES,
    hooks,
  };
}

/** A multilayer perceptron on flattened MNIST digits (784 → hidden... → 10). */
export const mnistMlp = defineTask({
  name: 'mnist-mlp',
  description: 'MLP (784-128-64-10, ReLU, softmax) on the 10,000 real MNIST digits of the mnist package.',
  schema: Type.Object({
    ...common,
    hidden: Type.Array(Type.Integer({ minimum: 1 }), { default: [128, 64], description: 'Hidden layer widths.' }),
    activation: StringEnum(['relu', 'tanh', 'sigmoid', 'elu'] as const, { default: 'relu' }),
  }),
  create(options, ctx) {
    const data = loadMnist({ validationFraction: options.validationFraction, limit: options.limit, shape: 'flat' });
    const model = tf.sequential({ name: 'mnist_mlp' });
    options.hidden.forEach((units, i) => {
      model.add(
        tf.layers.dense({
          units,
          activation: options.activation,
          kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed + i }),
          ...(i === 0 ? { inputShape: [784] } : {}),
          name: `hidden${i + 1}`,
        }),
      );
    });
    model.add(softmaxOutput(ctx.seed, options.hidden.length === 0 ? { inputShape: [784] } : {}));
    return finish(model, data);
  },
});

/** A small convolutional net on 28x28x1 digits (conv-pool-conv-pool-dense). */
export const mnistCnn = defineTask({
  name: 'mnist-cnn',
  description:
    'CNN (conv8-pool-conv16-pool-dense10) on the 10,000 real MNIST digits; trains on wasm through the core’s Conv2D gradient fix.',
  schema: Type.Object({
    ...common,
    filters: Type.Array(Type.Integer({ minimum: 1 }), {
      default: [8, 16],
      minItems: 1,
      maxItems: 3,
      description: 'Filters of each 3x3 conv layer.',
    }),
  }),
  create(options, ctx) {
    const data = loadMnist({ validationFraction: options.validationFraction, limit: options.limit, shape: 'image' });
    const model = tf.sequential({ name: 'mnist_cnn' });
    options.filters.forEach((filters, i) => {
      model.add(
        tf.layers.conv2d({
          filters,
          kernelSize: 3,
          activation: 'relu',
          kernelInitializer: tf.initializers.heNormal({ seed: ctx.seed + i }),
          ...(i === 0 ? { inputShape: [28, 28, 1] } : {}),
          name: `conv${i + 1}`,
        }),
      );
      model.add(tf.layers.maxPooling2d({ poolSize: 2, name: `pool${i + 1}` }));
    });
    model.add(tf.layers.flatten({ name: 'flatten' }));
    model.add(softmaxOutput(ctx.seed));
    return finish(model, data);
  },
});
