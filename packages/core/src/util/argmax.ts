/** Index of the largest value in `row[from, from + n)` (relative to `from`); the first one on ties. */
export function argmax(row: ArrayLike<number>, from = 0, n = row.length - from): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (row[from + i]! > row[from + best]!) best = i;
  return best;
}
