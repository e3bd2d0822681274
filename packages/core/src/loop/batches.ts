import * as tf from '../backend/tf';
import { isBatchSource, type BatchContext, type BatchSource, type TensorDataset } from '../api/task';
import { TrainwatchError } from '../util/errors';
import { identity, permutation } from '../util/random';
import { hostRows } from './host-rows';
import type { MaybePromise } from '../util/maybe-promise';

/**
 * The step's batch: rows `order[b * batchSize, (b + 1) * batchSize)` of an in-memory dataset, or
 * what the task's batch source produces now (checked: a source's bug must fail with a clear message).
 * The caller owns the returned tensors.
 */
export function nextBatch(
  data: TensorDataset | BatchSource,
  order: Int32Array | undefined,
  batchSize: number,
  ctx: BatchContext,
): MaybePromise<[tf.Tensor, tf.Tensor]> {
  if (isBatchSource(data)) return sourceBatch(data, ctx);
  const b = ctx.batch;
  const idx = order!.subarray(b * batchSize, Math.min((b + 1) * batchSize, order!.length));
  return [hostRows(data.x).gather(idx), hostRows(data.y).gather(idx)];
}

async function sourceBatch(data: BatchSource, ctx: BatchContext): Promise<[tf.Tensor, tf.Tensor]> {
  const got = await data.next(ctx);
  if (
    !got ||
    !(got.x instanceof tf.Tensor) ||
    !(got.y instanceof tf.Tensor) ||
    got.x.shape[0] !== got.y.shape[0] ||
    got.x.shape[0] === 0
  ) {
    throw new TrainwatchError(
      'data-error',
      `the task's batch source returned no usable batch at step ${ctx.step} (need { x, y } tensors with the same, non-zero first dimension)`,
    );
  }
  return [got.x, got.y];
}

/** Steps per epoch and examples per epoch of the training data; refuses data no loop could train on. */
export function epochShape(
  train: TensorDataset | BatchSource,
  batchSize: number,
): { stepsPerEpoch: number; trainSize: number } {
  let stepsPerEpoch: number;
  let trainSize: number;
  if (isBatchSource(train)) {
    if (!Number.isInteger(train.stepsPerEpoch) || train.stepsPerEpoch < 1) {
      throw new TrainwatchError(
        'task-error',
        `the task's batch source needs stepsPerEpoch >= 1, got ${train.stepsPerEpoch}`,
      );
    }
    stepsPerEpoch = train.stepsPerEpoch;
    trainSize = train.size ?? train.stepsPerEpoch * batchSize;
  } else {
    const n = train.x.shape[0]!;
    if (train.y.shape[0] !== n) {
      throw new TrainwatchError('data-error', `train.x has ${n} examples but train.y has ${train.y.shape[0]}`);
    }
    if (n === 0) throw new TrainwatchError('data-error', 'the training set is empty');
    stepsPerEpoch = Math.ceil(n / batchSize);
    trainSize = n;
  }
  return { stepsPerEpoch, trainSize };
}

/** This epoch's example order: a seeded permutation, or 0..n-1 with `shuffle` off; none for batch sources. */
export function epochOrder(
  data: TensorDataset | BatchSource,
  shuffle: boolean,
  rng: () => number,
): Int32Array | undefined {
  if (isBatchSource(data)) return undefined;
  const n = data.x.shape[0]!;
  return shuffle ? permutation(n, rng) : identity(n);
}
