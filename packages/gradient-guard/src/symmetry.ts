import { tf, type FindingInput } from '@trainwatch/core';

/**
 * Dense layers whose units are identical and stay identical: the kernel's columns (and the biases)
 * are all equal, and the next dense layer's kernel rows are too, so every unit receives the same
 * gradient at every step (zeros or a constant initialiser). Read once, before the first step.
 */
export function symmetricLayers(model: tf.LayersModel): FindingInput[] {
  const dense = model.layers.filter((l) => l.getClassName() === 'Dense' && l.trainable);
  const out: FindingInput[] = [];
  for (let i = 0; i + 1 < dense.length; i++) {
    const [kernel, bias] = dense[i]!.getWeights();
    const next = dense[i + 1]!.getWeights()[0];
    const units = kernel?.shape[1] ?? 0;
    if (!kernel || !next || kernel.rank !== 2 || units < 2 || next.shape[0] !== units) continue;
    // getWeights() lends the layer's own variables: tidy disposes only what is computed here.
    const spread = tf.tidy(() => {
      const cols = tf.max(tf.abs(tf.sub(kernel, kernel.slice([0, 0], [-1, 1]))));
      const rows = tf.max(tf.abs(tf.sub(next, next.slice([0, 0], [1, -1]))));
      const b = bias ? tf.max(tf.abs(tf.sub(bias, bias.slice([0], [1])))) : tf.scalar(0);
      return tf.stack([cols, rows, b]).dataSync();
    });
    if (!Array.from(spread).every((d) => d <= 1e-12)) continue;
    const name = dense[i]!.name;
    out.push({
      code: 'symmetric-weights',
      severity: 'warn',
      layer: name,
      message: `the ${units} units of layer "${name}" start identical (equal kernel columns and biases, and "${dense[i + 1]!.name}" weighs them equally): they get the same gradient every step and stay copies of one unit`,
      evidence: { layer: name, units, columnSpread: spread[0], nextRowSpread: spread[1], biasSpread: spread[2] },
      suggestion: `Initialise "${name}" with a random initialiser (glorotUniform, heNormal), not zeros or a constant.`,
    });
  }
  return out;
}
