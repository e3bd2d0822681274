import * as tf from '../backend/tf';
import { isBatchSource, type TaskInstance, type TensorDataset } from '../api/task';
import { TaskProblem, TrainwatchError } from '../util/errors';
import type { FindingInput } from '../api/findings';

const shape = (s: readonly (number | null)[]) => `[${s.map((d) => d ?? '?').join(', ')}]`;
const fits = (want: readonly (number | null)[], got: readonly number[]) =>
  want.length === got.length && want.every((d, i) => d === null || d === -1 || d === got[i]);

/**
 * Checks what a task's `create` returned before the first step, so a wrong shape or dtype is said
 * in the task's words instead of surfacing as tfjs' "Operands could not be broadcast" mid-step.
 */
export function checkTaskInstance(name: string, instance: unknown): asserts instance is TaskInstance {
  const fail = (message: string): never => {
    throw new TrainwatchError('task-error', `task "${name}": ${message}`);
  };
  const inst = instance as Partial<TaskInstance> | null | undefined;
  if (!inst || typeof inst !== 'object')
    fail(
      `create() returned ${inst === null ? 'null' : typeof inst}; it must return { model, loss, train } (did it forget a return?)`,
    );
  if (!(inst!.model instanceof tf.LayersModel))
    fail('create() must return { model } as a tf.LayersModel (tf.sequential() or tf.model())');
  if (inst!.loss === undefined)
    fail('create() must return a loss: a name such as "categoricalCrossentropy", or a function');
  const train = inst!.train;
  if (!train || (!isBatchSource(train) && !(train.x instanceof tf.Tensor && train.y instanceof tf.Tensor)))
    fail('create() must return train: { x, y } tensors, or a batch source');
  if (!isBatchSource(train)) checkData(name, inst as TaskInstance, train as TensorDataset, 'train', fail);
  if (inst!.validation) checkData(name, inst as TaskInstance, inst!.validation, 'validation', fail);
}

function checkData(
  _name: string,
  inst: TaskInstance,
  d: TensorDataset,
  which: string,
  fail: (m: string) => never,
): void {
  if (!(d.x instanceof tf.Tensor) || !(d.y instanceof tf.Tensor)) fail(`${which} must be { x, y } tensors`);
  if (d.x.shape[0] !== d.y.shape[0]) fail(`${which}.x has ${d.x.shape[0]} examples but ${which}.y has ${d.y.shape[0]}`);
  const input = inst.model.inputs[0]!.shape.slice(1);
  if (!fits(input, d.x.shape.slice(1)))
    fail(
      `${which}.x is ${shape(d.x.shape)} but the model takes ${shape([null, ...input])}: reshape the inputs or change the first layer's inputShape`,
    );
  const output = inst.model.outputs[0]!.shape.slice(1);
  const labels = d.y.shape.slice(1);
  const sparse = inst.loss === 'sparseCategoricalCrossentropy';
  if (sparse) return; // class indices against a per-class output: shapes differ by design
  if (!fits(output, labels)) {
    const classes = output.at(-1);
    const indices = labels.length === 0 || (labels.length === 1 && labels[0] === 1);
    const hint =
      indices && typeof classes === 'number' && classes > 1
        ? `: the labels look like class indices; one-hot them (tf.oneHot(labels, ${classes}).toFloat()) or use the loss "sparseCategoricalCrossentropy"`
        : ": make the last layer's units match the labels, or the labels match the model";
    throw new TaskProblem(
      'label-shape-mismatch',
      `task "${_name}": the model outputs ${shape([null, ...output])} per batch but ${which}.y is ${shape(d.y.shape)}${hint}`,
      inst.model.layers.at(-1)?.name,
    );
  }
  if (d.y.dtype !== 'float32' && typeof inst.loss === 'string' && /Crossentropy|CrossEntropy|Squared/.test(inst.loss))
    fail(`${which}.y is ${d.y.dtype}; the loss "${inst.loss}" needs float32 labels (.toFloat())`);
}

const PROBABILITIES = new Set(['softmax', 'sigmoid']);

/**
 * A loss that does not fit what the output layer produces: a cross-entropy on probabilities fed
 * a linear or ReLU output, or `softmaxCrossEntropy` (which takes logits) fed probabilities. The loss
 * still computes and the run "trains", so it is said as a finding on the output layer, not refused.
 */
export function lossOutputMismatch(inst: TaskInstance): FindingInput | undefined {
  const last = inst.model.layers.at(-1);
  if (!last || typeof inst.loss !== 'string') return undefined;
  // A wrapper (TimeDistributed, Bidirectional) holds its layer's config one level down.
  type Config = { activation?: unknown; layer?: { config?: Config } };
  const config = last.getConfig() as Config;
  const activation = config.activation ?? config.layer?.config?.activation;
  if (typeof activation !== 'string') return undefined; // a layer without an activation: nothing to judge
  const logits = inst.loss === 'softmaxCrossEntropy';
  const wantsProbabilities = /Crossentropy$/.test(inst.loss);
  const bad = logits ? PROBABILITIES.has(activation) : wantsProbabilities && !PROBABILITIES.has(activation);
  if (!bad) return undefined;
  return {
    code: 'loss-output-mismatch',
    severity: 'warn',
    layer: last.name,
    message: logits
      ? `the loss "${inst.loss}" applies softmax to the outputs, but layer "${last.name}" already ends in ${activation}: softmax is applied twice and the gradients shrink`
      : `the loss "${inst.loss}" takes probabilities, but layer "${last.name}" outputs ${activation} values (not a distribution)`,
    evidence: { loss: inst.loss, activation, layer: last.name },
    suggestion: logits
      ? `Give "${last.name}" activation "linear" (logits), or use the loss "categoricalCrossentropy" with the ${activation}.`
      : `Give "${last.name}" activation "${inst.loss === 'binaryCrossentropy' ? 'sigmoid' : 'softmax'}", or keep it linear and use the loss "softmaxCrossEntropy" (it takes logits).`,
  };
}

/** Who reports the core's own findings (the task and model checks, the diagnosis). */
export const CORE_PLUGIN = 'trainwatch';

/** The finding a run that could not train records, so the diagnosis and the doctor show it. */
export function problemFinding(e: TaskProblem): FindingInput {
  return {
    code: e.finding,
    severity: 'error',
    message: e.message,
    ...(e.layer !== undefined ? { layer: e.layer } : {}),
  };
}
