/**
 * `work`, or a rejection with `onTimeout()` once `ms` have passed. The timer keeps the process
 * alive meanwhile (a pending promise alone does not: Node would exit with nothing said) and is
 * cleared as soon as `work` settles.
 */
export function within<T>(work: PromiseLike<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([Promise.resolve(work), timeout]).finally(() => clearTimeout(timer));
}
