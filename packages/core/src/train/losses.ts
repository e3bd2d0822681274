import * as tf from '../backend/tf';
import { TrainwatchError } from '../util/errors';

/** The built-in losses a task or a config names. */
export type LossName =
  | 'categoricalCrossentropy'
  | 'sparseCategoricalCrossentropy'
  | 'binaryCrossentropy'
  | 'softmaxCrossEntropy'
  | 'meanSquaredError';

/** A loss: (labels, predictions) -> a scalar (the batch mean). */
export type LossFn = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Scalar;

// Same clipping as Keras, so log(0) never happens on probabilities.
const EPS = 1e-7;

const LOSSES: Record<LossName, LossFn> = {
  categoricalCrossentropy: (y, p) => tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(tf.clipByValue(p, EPS, 1 - EPS))), -1))),
  sparseCategoricalCrossentropy: (y, p) => {
    const oneHot = tf.oneHot(tf.cast(tf.reshape(y, [-1]), 'int32'), p.shape[p.shape.length - 1]!);
    return LOSSES.categoricalCrossentropy(oneHot, p);
  },
  binaryCrossentropy: (y, p) => {
    const q = tf.clipByValue(p, EPS, 1 - EPS);
    return tf.neg(tf.mean(tf.add(tf.mul(y, tf.log(q)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, q))))));
  },
  // For models whose last layer outputs logits.
  softmaxCrossEntropy: (y, logits) => tf.losses.softmaxCrossEntropy(y, logits) as tf.Scalar,
  meanSquaredError: (y, p) => tf.mean(tf.square(tf.sub(y, p))),
};

/** Every built-in loss name. */
export const LOSS_NAMES = Object.keys(LOSSES) as LossName[];

/** A loss function from a name or a function. */
export function resolveLoss(loss: LossName | LossFn): LossFn {
  if (typeof loss === 'function') return loss;
  const fn = LOSSES[loss];
  if (!fn) throw new TrainwatchError('task-error', `unknown loss "${String(loss)}"; known: ${LOSS_NAMES.join(', ')}`);
  return fn;
}

/**
 * Fraction of correct predictions: argmax agreement for several outputs (one-hot labels, or
 * integer labels with sparse losses), a 0.5 threshold for one output.
 */
export function accuracy(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const units = yPred.shape[yPred.shape.length - 1] ?? 1;
    if (units === 1) return tf.mean(tf.cast(tf.equal(tf.greater(yPred, 0.5), tf.greater(yTrue, 0.5)), 'float32'));
    const truth =
      yTrue.shape.length === yPred.shape.length ? tf.argMax(yTrue, -1) : tf.cast(tf.reshape(yTrue, [-1]), 'int32');
    return tf.mean(tf.cast(tf.equal(tf.argMax(yPred, -1), truth), 'float32'));
  });
}

/** The optimizers `training.optimizer` names (`momentum` is SGD with momentum 0.9). */
export type OptimizerName = 'sgd' | 'momentum' | 'adam' | 'adamax' | 'rmsprop' | 'adagrad' | 'adadelta';
/** Every optimizer name. */
export const OPTIMIZER_NAMES: OptimizerName[] = ['sgd', 'momentum', 'adam', 'adamax', 'rmsprop', 'adagrad', 'adadelta'];

/** An optimizer by name, with Keras' defaults for the other hyper-parameters. */
export function makeOptimizer(name: OptimizerName, learningRate: number): tf.Optimizer {
  switch (name) {
    case 'sgd':
      return tf.train.sgd(learningRate);
    case 'momentum':
      return tf.train.momentum(learningRate, 0.9);
    case 'adam':
      return tf.train.adam(learningRate);
    case 'adamax':
      return tf.train.adamax(learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(learningRate);
    case 'adagrad':
      return tf.train.adagrad(learningRate);
    case 'adadelta':
      return tf.train.adadelta(learningRate);
    default:
      throw new TrainwatchError(
        'invalid-config',
        `unknown optimizer "${String(name)}"; known: ${OPTIMIZER_NAMES.join(', ')}`,
      );
  }
}

/** Whether any layer has a regularisation penalty (kernelRegularizer, activityRegularizer...). */
export function hasPenalties(model: tf.LayersModel): boolean {
  // Per layer: the model's own calculateLosses() is empty until it has been applied once.
  return model.layers.some((l) => l.losses.length > 0);
}

/** The data loss plus the layers' regularisation penalties, as Keras' fit trains on. */
export function withPenalties(model: tf.LayersModel, data: tf.Scalar, regularised: boolean): tf.Scalar {
  const penalties = regularised ? model.layers.flatMap((l) => l.calculateLosses()) : [];
  return penalties.length > 0 ? (tf.addN([data, ...penalties]) as tf.Scalar) : data;
}

/**
 * Disposes an optimizer and everything it holds. tfjs 4.22's MomentumOptimizer.dispose() skips the
 * learning-rate scalar its SGD base keeps, one tensor per run; it is freed here too.
 */
export function disposeOptimizer(o: tf.Optimizer): void {
  o.dispose();
  const c = (o as unknown as { c?: tf.Tensor }).c;
  if (o instanceof tf.MomentumOptimizer && c && !c.isDisposed) c.dispose();
}
