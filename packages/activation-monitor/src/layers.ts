import { tf } from '@trainwatch/core';

/** How an activation function behaves, which decides what can go wrong with it. */
export type ActivationKind = 'relu' | 'saturating' | 'softmax' | 'other';

/** A layer whose activation is watched. */
export interface WatchedLayer {
  readonly layer: string;
  readonly activation: string;
  readonly kind: ActivationKind;
  /** Name of the layer whose output feeds this one (undefined: the model input). */
  readonly source: string | undefined;
  /** Recomputes the input of the activation function from the layer's input, exactly (undefined: not recoverable). */
  readonly pre?: (input: tf.Tensor) => tf.Tensor;
  /** Output range used for the histogram when there is no pre-activation. */
  readonly outputRange?: [number, number];
}

const RELU = new Set(['relu', 'relu6']);
const SATURATING = new Set(['sigmoid', 'tanh', 'hardSigmoid', 'softsign']);

export function kindOf(activation: string): ActivationKind {
  if (RELU.has(activation)) return 'relu';
  if (SATURATING.has(activation)) return 'saturating';
  if (activation === 'softmax') return 'softmax';
  return 'other';
}

/** The activation a layer applies: its `activation` config, or the layer itself for activation layers. */
function activationOf(layer: tf.layers.Layer): string | undefined {
  const cls = layer.getClassName();
  if (cls === 'ReLU') return 'relu';
  if (cls === 'Softmax') return 'softmax';
  if (cls === 'ELU') return 'elu';
  if (cls === 'LeakyReLU') return 'leakyRelu';
  const cfg = layer.getConfig() as { activation?: unknown };
  return typeof cfg.activation === 'string' ? cfg.activation : undefined;
}

const ACTIVATION_LAYERS = new Set(['Activation', 'ReLU', 'Softmax', 'ELU', 'LeakyReLU']);

function weight(layer: tf.layers.Layer, suffix: string): tf.Tensor | undefined {
  return layer.weights.find((w) => w.originalName.endsWith(suffix) || w.name.endsWith(suffix))?.read();
}

/** The linear part of Dense / Conv1D / Conv2D, from the same weights, so pre-activations are exact. */
function linearPart(layer: tf.layers.Layer): ((x: tf.Tensor) => tf.Tensor) | undefined {
  const cls = layer.getClassName();
  const cfg = layer.getConfig() as Record<string, unknown>;
  const kernel = () => weight(layer, 'kernel')!;
  const bias = () => (cfg['useBias'] === false ? undefined : weight(layer, 'bias'));
  const addBias = (y: tf.Tensor) => {
    const b = bias();
    return b ? tf.add(y, b) : y;
  };
  if (cls === 'Dense') {
    return (x) => {
      const k = kernel() as tf.Tensor2D;
      const flat = tf.reshape(x, [-1, k.shape[0]]) as tf.Tensor2D;
      return tf.reshape(addBias(tf.matMul(flat, k)), [...x.shape.slice(0, -1), k.shape[1]]);
    };
  }
  if ((cls === 'Conv2D' || cls === 'Conv1D') && cfg['dataFormat'] !== 'channelsFirst') {
    const strides = cfg['strides'] as number[];
    const dilation = cfg['dilationRate'] as number[] | number;
    const padding = cfg['padding'] as 'same' | 'valid';
    if (padding !== 'same' && padding !== 'valid') return undefined;
    if (cls === 'Conv1D') {
      return (x) =>
        addBias(
          tf.conv1d(
            x as tf.Tensor3D,
            kernel() as tf.Tensor3D,
            strides[0]!,
            padding,
            'NWC',
            Array.isArray(dilation) ? dilation[0]! : dilation,
          ),
        );
    }
    const d = (Array.isArray(dilation) ? dilation : [dilation, dilation]) as [number, number];
    return (x) =>
      addBias(tf.conv2d(x as tf.Tensor4D, kernel() as tf.Tensor4D, strides as [number, number], padding, 'NHWC', d));
  }
  return undefined;
}

function outputRange(activation: string): [number, number] | undefined {
  if (activation === 'sigmoid' || activation === 'softmax' || activation === 'hardSigmoid') return [0, 1];
  if (activation === 'tanh' || activation === 'softsign') return [-1, 1];
  return undefined;
}

/**
 * The layers whose activation function is watched, in model order: layers with a non-linear
 * `activation` and activation layers. Recurrent cells apply theirs inside: only outputs are seen.
 */
export function watchedLayers(model: Pick<tf.LayersModel, 'layers'>): WatchedLayer[] {
  const out: WatchedLayer[] = [];
  for (const layer of model.layers) {
    const activation = activationOf(layer);
    if (activation === undefined || activation === 'linear') continue;
    const input = layer.input;
    const source = Array.isArray(input) ? undefined : input.sourceLayer;
    if (Array.isArray(input)) continue;
    const sourceName = source && source.getClassName() !== 'InputLayer' ? source.name : undefined;
    const cls = layer.getClassName();
    const pre = ACTIVATION_LAYERS.has(cls) ? (x: tf.Tensor) => x : linearPart(layer);
    const range = outputRange(activation);
    out.push({
      layer: layer.name,
      activation,
      kind: kindOf(activation),
      source: sourceName,
      ...(pre ? { pre } : {}),
      ...(range ? { outputRange: range } : {}),
    });
  }
  return out;
}
