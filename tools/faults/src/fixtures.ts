import { defineTask, tf, type TaskInstance } from '@trainwatch/core';
import { decodeDigit, DIGIT_NAMES, loadMnist, renderDigit } from '@trainwatch/tasks';

type Data = { x: tf.Tensor; y: tf.Tensor };

/** How a case builds its digits task: the model, and optional damage to the data or the task. */
export interface DigitSpec {
  /** Flat 784 inputs (MLP) or 28x28x1 images (CNN, RNN rows). */
  shape?: 'flat' | 'image';
  /** Digits used (balanced; 20% held out). */
  limit?: number;
  model(seed: number): tf.LayersModel;
  /** Rewrites the training split (the bug in the user's data code). Returns new tensors. */
  train?(d: Data): Data;
  /** Rewrites the held-out split; default: untouched. */
  validation?(d: Data): Data;
  /** Overrides fields of the task instance (loss, optimizer, evaluate...). */
  extra?(seed: number, data: { train: Data; validation: Data }): Partial<TaskInstance>;
}

/** A digits task (real MNIST from the `mnist` package) with a case's model and faults. */
export function digitTask(name: string, spec: DigitSpec) {
  return defineTask({
    name,
    create(_o, ctx) {
      const data = loadMnist({ validationFraction: 0.2, limit: spec.limit ?? 1000, shape: spec.shape ?? 'flat' });
      const swap = (d: Data, f?: (d: Data) => Data) => {
        if (!f) return d;
        const out = tf.tidy(() => f(d));
        d.x.dispose();
        d.y.dispose();
        return out;
      };
      const split = { train: swap(data.train, spec.train), validation: swap(data.validation, spec.validation) };
      return {
        model: spec.model(ctx.seed),
        loss: 'categoricalCrossentropy',
        metrics: ['accuracy'],
        ...split,
        classNames: DIGIT_NAMES,
        hooks: {
          decode: decodeDigit,
          render: renderDigit,
          image: (row) => ({ width: 28, height: 28, channels: 1, data: row }),
        },
        ...spec.extra?.(ctx.seed, split),
      };
    },
  });
}

/** Dense layer options a case may change. */
export type DenseSpec = Partial<
  Pick<
    Parameters<typeof tf.layers.dense>[0],
    'activation' | 'kernelInitializer' | 'biasInitializer' | 'kernelRegularizer' | 'trainable'
  >
>;

/** An MLP 784 -> hidden... -> 10: hidden layers `hidden1..n`, the output layer `output`. */
export function mlp(
  seed: number,
  o: {
    hidden?: number[];
    layer?: (i: number) => DenseSpec;
    output?: DenseSpec;
    between?: (i: number) => tf.layers.Layer[];
    inputShape?: number[];
  } = {},
): tf.LayersModel {
  const hidden = o.hidden ?? [32];
  const model = tf.sequential({ name: 'mlp' });
  if (o.inputShape) model.add(tf.layers.flatten({ inputShape: o.inputShape, name: 'flatten' }));
  hidden.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + i }),
        ...(i === 0 && !o.inputShape ? { inputShape: [784] } : {}),
        name: `hidden${i + 1}`,
        ...o.layer?.(i),
      }),
    );
    for (const l of o.between?.(i) ?? []) model.add(l);
  });
  model.add(
    tf.layers.dense({
      units: 10,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 100 }),
      name: 'output',
      ...(hidden.length === 0 && !o.inputShape ? { inputShape: [784] } : {}),
      ...o.output,
    }),
  );
  return model;
}

/** Labels as class indices, for faults that rewrite them. */
export function classesOf(y: tf.Tensor): tf.Tensor1D {
  return tf.argMax(y, -1) as tf.Tensor1D;
}

/** One-hot labels from class indices. */
export function oneHot(classes: tf.Tensor1D): tf.Tensor {
  return tf.oneHot(classes.toInt(), 10).toFloat();
}
