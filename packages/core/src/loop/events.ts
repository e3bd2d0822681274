import type { Tensor, NamedTensorMap, Scalar } from '../backend/tf';
import type { Finding } from '../api/findings';

/** What a run ended as. `stopped`: a plugin, the user (Ctrl-C) or an abort signal ended it early. */
export type RunStatus = 'completed' | 'stopped' | 'failed';

/** One trainable parameter, named the way findings and reports name it. */
export interface ParamInfo {
  /** Unique variable name, e.g. `dense_Dense1/kernel`. */
  readonly name: string;
  /** Name of the layer that owns it, e.g. `dense_Dense1`. */
  readonly layer: string;
  /** Layer class, e.g. `Dense`, `Conv2D`. */
  readonly layerClass: string;
  readonly shape: readonly number[];
}

/** One captured layer output of the forward pass (lent: valid only during dispatch). */
export interface LayerActivation {
  readonly layer: string;
  readonly layerClass: string;
  /** The layer's activation function name when it has one (`relu`, `sigmoid`, `softmax`, `linear`...). */
  readonly activation?: string;
  readonly output: Tensor;
}

/** `run:begin`: what is about to train (sizes, steps, trainable parameters). */
export interface RunBeginEvent {
  readonly runId: string;
  readonly task: string;
  readonly backend: string;
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  readonly batchSize: number;
  readonly trainSize: number;
  readonly valSize: number;
  readonly params: readonly ParamInfo[];
}

/** `epoch:begin`. */
export interface EpochBeginEvent {
  readonly epoch: number;
  readonly step: number;
}

/** `batch:begin`: the step about to run (synchronous). */
export interface BatchBeginEvent {
  readonly step: number;
  readonly epoch: number;
  /** Index of the batch inside the epoch. */
  readonly batch: number;
  readonly size: number;
}

/** Emitted only on steps where some listener's filter asked for it. Tensors are lent. */
export interface ForwardEndEvent {
  readonly step: number;
  readonly epoch: number;
  readonly inputs: Tensor;
  readonly labels: Tensor;
  readonly predictions: Tensor;
  readonly activations: readonly LayerActivation[];
  readonly readback: ReadbackRequest;
}

/**
 * Queue tensors for the step's single readback. Values arrive in `batch:end` as `readback[key]`.
 * The core takes ownership of the tensor you pass (it keeps and disposes it).
 */
export type ReadbackRequest = (key: string, tensor: Tensor) => void;

/**
 * Extra computations on this step's batch, in inference mode (dropout off), for checks such as a
 * finite-difference gradient check. Each call reads back values: use them on a cadence, not every step.
 */
export interface StepProbe {
  /** The loss with each named variable temporarily set to `w + offsets[name]`; weights are restored exactly. */
  loss(offsets?: Readonly<NamedTensorMap>): number;
  /** Analytic gradients in inference mode, optionally at `w + offsets` (the caller owns and disposes the returned tensors). */
  grads(offsets?: Readonly<NamedTensorMap>): NamedTensorMap;
  /**
   * Runs `fn` with a probe on the batch's first `n` samples (fewer ReLU/max-pool kinks for finite
   * differences); the slices are disposed when `fn` returns.
   */
  subset<T>(n: number, fn: (probe: StepProbe) => T): T;
}

/** Gradients before the optimizer applies them. Tensors are lent. */
export interface GradsComputedEvent {
  readonly step: number;
  readonly epoch: number;
  readonly inputs: Tensor;
  readonly labels: Tensor;
  readonly loss: Scalar;
  /** Gradient per variable name (see `params`). */
  readonly grads: Readonly<NamedTensorMap>;
  readonly params: readonly ParamInfo[];
  readonly readback: ReadbackRequest;
  readonly probe: StepProbe;
}

/** What interception did to one step's update. */
export interface UpdateInfo {
  /** False when an interceptor skipped the step (weights unchanged). */
  readonly applied: boolean;
  readonly interventions: readonly Intervention[];
}

/** One interceptor's change to a step's update. */
export interface Intervention {
  readonly plugin: string;
  readonly action: 'transform' | 'skip';
  readonly reason: string;
}

/** `batch:end`: the step's numbers, after the update (readback values included). */
export interface BatchEndEvent {
  readonly step: number;
  readonly epoch: number;
  readonly batch: number;
  readonly loss: number;
  /** Training metrics on this batch (e.g. `acc`). */
  readonly metrics: Readonly<Record<string, number>>;
  readonly learningRate: number;
  /** Wall time of the step (forward, backward, update, readback), milliseconds. */
  readonly stepMs: number;
  readonly update: UpdateInfo;
  /** Values requested through `readback` during this step, flattened. */
  readonly readback: Readonly<Record<string, Float32Array>>;
}

/** `epoch:end`: mean training metrics and validation metrics of the epoch. */
export interface EpochEndEvent {
  readonly epoch: number;
  readonly step: number;
  /** Mean training loss and metrics over the epoch's batches. */
  readonly train: Readonly<Record<string, number>>;
  /** Validation loss and metrics (`loss`, `acc`...), empty when there is no validation set. */
  readonly val: Readonly<Record<string, number>>;
  readonly epochMs: number;
}

/** `eval:end`: one evaluation's metrics (the loop's validation, or a plugin's). */
export interface EvalEndEvent {
  readonly step: number;
  readonly epoch: number;
  /** Which evaluation: `validation` for the loop's own, others from plugins. */
  readonly name: string;
  readonly metrics: Readonly<Record<string, number>>;
  readonly evalMs: number;
}

/** `run:end`: how the run ended and its final metrics. */
export interface RunEndEvent {
  readonly status: RunStatus;
  readonly reason: string;
  readonly step: number;
  readonly epoch: number;
  readonly wallMs: number;
  readonly final: Readonly<Record<string, number>>;
}

/** `error`: a listener, interceptor, setup or disposer threw (the run goes on unless failFast). */
export interface ErrorEvent {
  /** The plugin that threw, or `core`. */
  readonly plugin: string;
  /** The event or phase being handled (`setup`, `batch:end`, ...). */
  readonly event: string;
  readonly code: string;
  readonly message: string;
  readonly step: number;
}

/** The typed event map: one payload object per event. */
export interface TrainEvents {
  'run:begin': RunBeginEvent;
  'epoch:begin': EpochBeginEvent;
  'batch:begin': BatchBeginEvent;
  'forward:end': ForwardEndEvent;
  'grads:computed': GradsComputedEvent;
  'batch:end': BatchEndEvent;
  'epoch:end': EpochEndEvent;
  'eval:end': EvalEndEvent;
  finding: Finding;
  'run:end': RunEndEvent;
  error: ErrorEvent;
}

/** The name of an event in {@link TrainEvents}. */
export type EventName = keyof TrainEvents;

/**
 * Every event with how the bus dispatches it, in the order a run emits them. Keyed by the event
 * map, so an event added to {@link TrainEvents} and missing here (or one here that is not in the map)
 * does not compile. Events that lend tensors or sit inside a step are dispatched synchronously: a
 * listener that returns a Promise there is reported as an error. The others await async listeners in order.
 */
const EVENT_TABLE: { readonly [E in EventName]: { readonly sync: boolean } } = {
  'run:begin': { sync: false },
  'epoch:begin': { sync: false },
  'batch:begin': { sync: true },
  'forward:end': { sync: true },
  'grads:computed': { sync: true },
  'batch:end': { sync: false },
  'epoch:end': { sync: false },
  'eval:end': { sync: false },
  finding: { sync: true },
  'run:end': { sync: false },
  error: { sync: true },
};

/** Events in the order a run emits them (derived from the event table: complete by construction). */
export const EVENT_NAMES: readonly EventName[] = Object.keys(EVENT_TABLE) as EventName[];

/** Events dispatched synchronously (see the event table). */
export const SYNC_EVENTS: ReadonlySet<EventName> = new Set(EVENT_NAMES.filter((e) => EVENT_TABLE[e].sync));
