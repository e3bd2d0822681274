/**
 * The diagnosis' cause -> consequence rules, as data (documented in docs/diagnosis.md).
 *
 * Each rule is a root cause: the findings that point at it directly (`signs`, with how strongly),
 * and the findings it brings about downstream (`explains`). Rules are listed root-most first: the
 * diagnosis walks them in this order, so a cause that explains another one's signs claims them
 * first (a far-too-high learning rate explains the dead units it causes; dead units alone do not
 * explain a learning rate). Order is declared here, never inferred.
 */
export interface CauseRule {
  /** Stable kebab-case id, what tools and the fault benchmark match on. */
  readonly id: string;
  /** One line a user reads first. */
  readonly title: string;
  /** The one fix to try first. */
  readonly fix: string;
  /** Findings that point at this cause, with the confidence each gives (0-1). */
  readonly signs: Readonly<Record<string, number>>;
  /** Findings this cause brings about; folded under it when it is found. */
  readonly explains: readonly string[];
}

// Downstream symptoms most faults end in; listed once, reused by the rules below.
const STALL = ['loss-not-decreasing', 'eval-stagnant', 'constant-behaviour', 'still-improving'];
const DEAD_END = ['weights-not-updating', 'activation-collapse', 'constant-predictions', ...STALL];
const BLOW_UP = ['nonfinite-loss', 'nonfinite-gradient', 'nonfinite-weights', 'exploding-gradient'];
const PATTERNS = ['systematic-error', 'label-disagreement', 'overfitting'];
const ACTIVATIONS = ['activation-explosion', 'saturated-activation', 'dead-units', 'vanishing-gradient'];
const EVERYTHING = [
  ...BLOW_UP,
  ...ACTIVATIONS,
  ...DEAD_END,
  ...PATTERNS,
  'init-loss-unexpected',
  'update-ratio-high',
  'update-ratio-low',
  'loss-diverged',
  'labels-unlearnable',
];

/** The rules, root-most first. */
export const CAUSE_RULES: readonly CauseRule[] = [
  {
    id: 'no-trainable-weights',
    title: 'The model has no trainable weights: nothing can learn',
    fix: 'Set trainable: true on the layers that should learn (or unfreeze after loading a pretrained model).',
    signs: { 'no-trainable-weights': 1 },
    explains: [],
  },
  {
    id: 'shape-mismatch',
    title: 'The labels do not have the shape of the model’s output',
    fix: 'Make the last layer’s units match the labels (one-hot class labels, or use sparseCategoricalCrossentropy).',
    signs: { 'label-shape-mismatch': 1 },
    explains: EVERYTHING,
  },
  {
    id: 'loss-output-mismatch',
    title: 'The loss does not fit the output layer’s activation',
    fix: 'Pair softmax outputs with categoricalCrossentropy, or linear outputs (logits) with softmaxCrossEntropy.',
    signs: { 'loss-output-mismatch': 0.95 },
    explains: EVERYTHING,
  },
  {
    id: 'constant-input',
    title: 'Every input is the same: the data pipeline delivers no signal',
    fix: 'Check the data code between loading and the model (a mask, a multiply by 0, a wrong column).',
    signs: { 'constant-input': 0.95 },
    explains: [...EVERYTHING, 'model-ignores-input'],
  },
  {
    id: 'unnormalised-input',
    title: 'The inputs are not normalised',
    fix: 'Scale the inputs to about [0, 1] or zero mean and unit variance (e.g. divide pixels by 255).',
    signs: { 'unnormalized-input': 0.9 },
    explains: EVERYTHING,
  },
  {
    id: 'train-validation-mismatch',
    title: 'Training inputs differ from held-out inputs: preprocessing differs between them',
    fix: 'Apply the same preprocessing to both splits; check augmentations for one that damages the inputs.',
    signs: { 'input-drift': 0.85 },
    explains: [...PATTERNS, ...STALL],
  },
  {
    id: 'symmetric-init',
    title: 'Units of a layer start (and stay) identical: the initialisation does not break symmetry',
    fix: 'Use a random initialiser (glorotUniform, heNormal) instead of zeros or a constant.',
    signs: { 'symmetric-weights': 0.9 },
    explains: EVERYTHING,
  },
  {
    id: 'learning-rate-too-high',
    title: 'The learning rate is far too high: the first steps throw the weights off',
    fix: 'Lower the learning rate 10-100x (Adam: 1e-3 or 3e-4), or run the doctor’s learning-rate range test.',
    signs: { 'loss-diverged': 0.9, 'update-ratio-high': 0.8, 'learning-rate-above-range': 0.75 },
    explains: [...EVERYTHING, 'simpler-model-better', 'cannot-overfit-tiny-set'],
  },
  {
    id: 'bad-init',
    title: 'The initial weights are far too large',
    fix: 'Use glorotUniform or heNormal initialisers (scaled to the layer’s fan-in) instead of a wide normal.',
    signs: { 'activation-explosion': 0.7, 'init-loss-unexpected': 0.6 },
    explains: [...BLOW_UP, ...ACTIVATIONS, ...DEAD_END, ...PATTERNS, 'update-ratio-high'],
  },
  {
    id: 'non-finite-values',
    title: 'NaN or Inf appeared in the loss, gradients or weights',
    fix: 'Look at the step it names: a log of 0, a division by 0, or a learning rate that is too high.',
    signs: { 'nonfinite-loss': 0.8, 'nonfinite-gradient': 0.8, 'nonfinite-weights': 0.8 },
    explains: [...BLOW_UP, ...DEAD_END, ...PATTERNS],
  },
  {
    id: 'exploding-gradients',
    title: 'Gradients explode',
    fix: 'Clip gradients (gradient-guard action "clip"), lower the learning rate, or add normalisation layers.',
    signs: { 'exploding-gradient': 0.7 },
    explains: [...BLOW_UP, 'activation-explosion', ...DEAD_END, ...PATTERNS],
  },
  {
    id: 'updates-too-small',
    title: 'Each step barely changes the weights: the updates are far too small',
    fix: 'Raise the learning rate 10x; check what shrinks the step (Adam’s epsilon, gradient clipping, a tiny loss scale).',
    signs: { 'update-ratio-low': 0.8, 'learning-rate-below-range': 0.6 },
    explains: [...DEAD_END, ...PATTERNS, 'labels-unlearnable'],
  },
  {
    id: 'saturated-activations',
    title: 'Hidden activations saturate: their gradients vanish',
    fix: 'Use ReLU-family activations, smaller initial weights, or batch normalisation before the activation.',
    signs: { 'saturated-activation': 0.75 },
    explains: ['vanishing-gradient', ...DEAD_END, ...PATTERNS],
  },
  {
    id: 'dead-units',
    title: 'Units are dead (never active): they pass no gradient',
    fix: 'Check the biases and initialisation of the layer it names; try leaky ReLU / ELU or a lower learning rate.',
    signs: { 'dead-units': 0.7 },
    explains: ['vanishing-gradient', ...DEAD_END, ...PATTERNS],
  },
  {
    id: 'vanishing-gradients',
    title: 'Gradients vanish before they reach the first layers',
    fix: 'Use ReLU activations, residual connections or batch normalisation; or a shallower network.',
    signs: { 'vanishing-gradient': 0.7 },
    explains: [...DEAD_END, ...PATTERNS],
  },
  {
    id: 'regularisation-too-strong',
    title: 'Regularisation dominates the objective: the model cannot fit even the training data',
    fix: 'Lower the dropout rate or the weight decay 10x.',
    signs: { 'regularisation-too-strong': 0.85 },
    explains: [...STALL, ...PATTERNS],
  },
  {
    id: 'evaluator-suspect',
    title: 'The evaluator disagrees with the training metrics: it may score the wrong thing',
    fix: 'Check the evaluation code: that it compares predictions with the right labels, in the right order.',
    signs: { 'eval-disagrees-with-training': 0.9 },
    explains: [...STALL, ...PATTERNS],
  },
  {
    id: 'labels-misaligned',
    title: 'The labels do not follow from the inputs (shuffled or misaligned against them)',
    fix: 'Check that inputs and labels are shuffled and batched together (one permutation for both).',
    signs: { 'labels-unlearnable': 0.85, 'constant-predictions': 0.5, 'model-ignores-input': 0.6 },
    explains: [...STALL, ...PATTERNS],
  },
  {
    id: 'corrupted-slice',
    title: 'One class or slice is systematically wrong: a bug in its data (labels remapped, preprocessing)',
    fix: 'Look at the example ids it names and at the labelling / preprocessing of that slice.',
    signs: { 'systematic-error': 0.6, 'label-disagreement': 0.55 },
    explains: ['overfitting'],
  },
  {
    id: 'no-learning-signal',
    title: 'The training objective gives no learning signal',
    fix: 'Check that the loss depends on the outcome (rewards, labels): a constant reward or target gives zero gradient.',
    signs: { 'constant-targets': 0.9, 'constant-behaviour': 0.5, 'weights-not-updating': 0.5 },
    explains: STALL,
  },
  {
    id: 'too-few-steps',
    title: 'Training stopped while the loss was still falling fast',
    fix: 'Train longer (more epochs) or take more steps per epoch (a smaller batch size).',
    signs: { 'still-improving': 0.7 },
    explains: ['eval-stagnant'],
  },
  {
    id: 'overfitting',
    title: 'The model fits the training data but not held-out data',
    fix: 'Add data or augmentation, regularise (dropout, weight decay), or stop earlier (periodic-eval stop).',
    signs: { overfitting: 0.6 },
    explains: [],
  },
  {
    id: 'training-stalled',
    title: 'Training stalls and no cause was identified',
    fix: 'Run `trainwatch doctor` on this config: it fits a tiny set, compares a simpler model and checks gradients.',
    signs: { 'loss-not-decreasing': 0.4, 'eval-stagnant': 0.3 },
    explains: [],
  },
];
