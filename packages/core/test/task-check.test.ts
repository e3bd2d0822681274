import { defineTask, tf, type TaskInstance } from '../src';
import { runWith } from '../src/testing';

const model = (units: number) =>
  tf.sequential({ layers: [tf.layers.dense({ units, activation: 'softmax', inputShape: [4] })] });
const task = (create: () => unknown) => defineTask({ name: 'mine', create: create as () => TaskInstance });
const reason = async (create: () => unknown) => (await runWith({ task: task(create), training: { epochs: 1 } })).reason;

describe("a task's mistakes, said before the first step in the task's words", () => {
  it('create() returning nothing, or no model', async () => {
    expect(await reason(() => undefined)).toMatch(
      /task "mine": create\(\) returned undefined; it must return \{ model, loss, train \} \(did it forget a return\?\)/,
    );
    expect(
      await reason(() => ({ loss: 'meanSquaredError', train: { x: tf.zeros([2, 4]), y: tf.zeros([2, 3]) } })),
    ).toMatch(/must return \{ model \} as a tf\.LayersModel/);
  });

  it('class indices against a softmax output: says to one-hot them or use the sparse loss', async () => {
    const r = await reason(() => ({
      model: model(10),
      loss: 'categoricalCrossentropy',
      train: { x: tf.zeros([8, 4]), y: tf.zeros([8, 1]) },
    }));
    expect(r).toMatch(
      /the model outputs \[\?, 10\] per batch but train\.y is \[8, 1\]: the labels look like class indices; one-hot them \(tf\.oneHot\(labels, 10\)\.toFloat\(\)\) or use the loss "sparseCategoricalCrossentropy"/,
    );
  });

  it('inputs of the wrong width, and integer labels with a cross-entropy', async () => {
    expect(
      await reason(() => ({
        model: model(3),
        loss: 'categoricalCrossentropy',
        train: { x: tf.zeros([8, 5]), y: tf.zeros([8, 3]) },
      })),
    ).toMatch(/train\.x is \[8, 5\] but the model takes \[\?, 4\]/);
    expect(
      await reason(() => ({
        model: model(3),
        loss: 'categoricalCrossentropy',
        train: { x: tf.zeros([8, 4]), y: tf.zeros([8, 3], 'int32') },
      })),
    ).toMatch(/train\.y is int32; the loss "categoricalCrossentropy" needs float32 labels/);
  });
});
