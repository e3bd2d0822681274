/** Index of the largest value in `row[from, from + n)` (relative to `from`); the first one on ties. */
export function argmax(row: ArrayLike<number>, from = 0, n = row.length - from): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (row[from + i]! > row[from + best]!) best = i;
  return best;
}

/** Token edit distance (insertions, deletions, substitutions): the numerator of a token error rate. */
export function editDistance(a: readonly string[], b: readonly string[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
