import { tf, TrainwatchError, type TensorDataset } from '@trainwatch/core';

/** A `tf.data.Dataset` of `{ xs, ys }` batches (as `model.fitDataset` takes: `ds.batch(n)`), or any (async) iterable of them. */
export type FitDataset =
  { iterator(): Promise<{ next(): Promise<IteratorResult<unknown>> }> } | AsyncIterable<unknown> | Iterable<unknown>;

export const isTensor = (v: unknown): v is tf.Tensor => v instanceof tf.Tensor;

/** True for anything {@link collect} can read. */
export function isDataset(v: unknown): v is FitDataset {
  const d = v as Record<PropertyKey, unknown> | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    !isTensor(d) &&
    (typeof d['iterator'] === 'function' ||
      typeof d[Symbol.asyncIterator] === 'function' ||
      typeof d[Symbol.iterator] === 'function')
  );
}

async function* elements(data: FitDataset): AsyncGenerator<unknown> {
  const d = data as Record<PropertyKey, unknown>;
  if (typeof d['iterator'] === 'function') {
    const it = await (data as { iterator(): Promise<{ next(): Promise<IteratorResult<unknown>> }> }).iterator();
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
    return;
  }
  yield* data as AsyncIterable<unknown>;
}

/**
 * Reads a dataset of `{ xs, ys }` batches into two tensors in memory (concatenated); the caller
 * owns the result. A `tf.data.Dataset`'s elements are disposed once read (its consumer owns what it
 * pulls); the tensors of a plain (async) iterable stay whoever made them.
 */
export async function collect(data: FitDataset, what: string): Promise<TensorDataset & { batchSize: number }> {
  const xs: tf.Tensor[] = [];
  const ys: tf.Tensor[] = [];
  const pulled = typeof (data as Record<string, unknown>)['iterator'] === 'function';
  let i = 0;
  try {
    for await (const el of elements(data)) {
      const e = el as { xs?: unknown; ys?: unknown };
      if (!isTensor(e?.xs) || !isTensor(e?.ys))
        throw new TrainwatchError('data-error', `${what}: element ${i} is not { xs, ys } with tensors`);
      if (e.xs.rank === 0 || e.xs.shape[0] !== e.ys.shape[0])
        throw new TrainwatchError(
          'data-error',
          `${what}: element ${i} has xs [${e.xs.shape}] and ys [${e.ys.shape}]; elements must be batches with the same first dimension (ds.batch(n))`,
        );
      xs.push(e.xs);
      ys.push(e.ys);
      i++;
    }
    if (i === 0) throw new TrainwatchError('data-error', `${what}: the dataset is empty`);
    const batchSize = xs[0]!.shape[0]!;
    return { ...tf.tidy(() => ({ x: tf.concat(xs), y: tf.concat(ys) })), batchSize };
  } finally {
    if (pulled) tf.dispose([...xs, ...ys]);
  }
}
