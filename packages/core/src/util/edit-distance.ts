/**
 * Levenshtein distance (insertions, deletions, substitutions) between two sequences: characters of
 * two strings (config typos) or tokens of two arrays (the numerator of a phoneme or word error rate).
 * `same` decides equality (default `===`; e.g. case-insensitive for option names).
 */
export function editDistance<T>(
  a: ArrayLike<T>,
  b: ArrayLike<T>,
  same: (x: T, y: T) => boolean = (x, y) => x === y,
): number {
  // One row of the dynamic-programming table, updated in place; `diag` holds the cell above-left.
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(up + 1, row[j - 1]! + 1, diag + (same(a[i - 1]!, b[j - 1]!) ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}
