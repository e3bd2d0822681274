import { tf } from '@trainwatch/core';

type CustomGrad = (
  f: (
    a: tf.Tensor,
    w: tf.Tensor,
    save: tf.GradSaveFunc,
  ) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] },
) => (a: tf.Tensor, w: tf.Tensor) => tf.Tensor;

/**
 * A hand-written dense layer that claims to be a Dense (so it exports as one) with a deliberate bug:
 * `transpose` multiplies by the transposed kernel (a forward bug), `gradScale` scales the kernel's
 * gradient (a backward bug, through tf.customGrad).
 */
export class BuggyDense extends tf.layers.Layer {
  static className = 'Dense';
  private kernel!: tf.LayerVariable;
  private bias!: tf.LayerVariable;
  constructor(
    private readonly cfg: {
      units: number;
      name: string;
      seed: number;
      transpose?: boolean;
      gradScale?: number;
      activation?: 'relu' | 'softmax' | 'linear';
    },
  ) {
    super({ name: cfg.name });
  }
  override build(shape: tf.Shape | tf.Shape[]): void {
    const s = shape as tf.Shape;
    this.kernel = this.addWeight(
      'kernel',
      [s[s.length - 1]!, this.cfg.units],
      'float32',
      tf.initializers.glorotUniform({ seed: this.cfg.seed }),
    );
    this.bias = this.addWeight('bias', [this.cfg.units], 'float32', tf.initializers.zeros());
    this.built = true;
  }
  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape {
    return [(shape as tf.Shape)[0]!, this.cfg.units];
  }
  override getConfig() {
    return { ...super.getConfig(), units: this.cfg.units, activation: this.cfg.activation ?? 'linear', useBias: true };
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor2D;
    const scale = this.cfg.gradScale ?? 1;
    const mm = (tf.customGrad as unknown as CustomGrad)((a, w, save) => {
      save([a, w]);
      return {
        value: tf.matMul(a as tf.Tensor2D, w as tf.Tensor2D, false, this.cfg.transpose === true),
        gradFunc: (dy, saved) => [
          tf.matMul(dy as tf.Tensor2D, saved[1] as tf.Tensor2D, false, true),
          tf.mul(tf.matMul(saved[0] as tf.Tensor2D, dy as tf.Tensor2D, true, false), scale),
        ],
      };
    });
    const y = tf.add(mm(x, this.kernel.read()), this.bias.read());
    const act = this.cfg.activation ?? 'linear';
    return act === 'relu' ? tf.relu(y) : act === 'softmax' ? tf.softmax(y) : y;
  }
}
