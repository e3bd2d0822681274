import { tf } from '../src';

/**
 * A user's data, made the way scripts make it: class labels, one-hot through `cast` (`toFloat`),
 * three blobs in 6 features around seeded centers (`spread` apart, `noise` wide).
 */
export function threeBlobs(n: number, o: { spread: number; noise: number; seed: number }) {
  return tf.tidy(() => {
    const labels = tf.tensor1d(
      Array.from({ length: n }, (_, i) => i % 3),
      'int32',
    );
    const centers = tf.randomNormal([3, 6], 0, o.spread, 'float32', 3);
    const x = tf.add(tf.gather(centers, labels), tf.randomNormal([n, 6], 0, o.noise, 'float32', o.seed));
    return { x, y: tf.oneHot(labels, 3).toFloat() };
  });
}

/** A seeded 6-16-3 MLP; `calm` starts the output layer small (initial loss near ln 3). */
export function userModel(calm = false) {
  return tf.sequential({
    layers: [
      tf.layers.dense({
        units: 16,
        activation: 'relu',
        inputShape: [6],
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
      tf.layers.dense({
        units: 3,
        activation: 'softmax',
        kernelInitializer: calm
          ? tf.initializers.randomNormal({ stddev: 0.05, seed: 2 })
          : tf.initializers.glorotUniform({ seed: 2 }),
      }),
    ],
  });
}
