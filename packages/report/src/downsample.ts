/**
 * Keeps at most `max` points per series by bucketing x and keeping, per bucket, the points with the
 * smallest and the largest value (in x order): spikes stay visible, the page stays small.
 */
export function downsample(x: number[], ys: (number | null)[][], max = 1000): { x: number[]; ys: (number | null)[][] } {
  if (x.length <= max) return { x, ys };
  const buckets = Math.floor(max / 2);
  const size = x.length / buckets;
  const keep = new Set<number>();
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.min(x.length, Math.floor((b + 1) * size));
    for (const y of ys) {
      let lo = -1;
      let hi = -1;
      for (let i = from; i < to; i++) {
        const v = y[i];
        if (v === null || v === undefined || !Number.isFinite(v)) continue;
        if (lo < 0 || v < y[lo]!) lo = i;
        if (hi < 0 || v > y[hi]!) hi = i;
      }
      if (lo >= 0) keep.add(lo);
      if (hi >= 0) keep.add(hi);
    }
    keep.add(from);
  }
  const idx = [...keep].sort((a, b) => a - b);
  return { x: idx.map((i) => x[i]!), ys: ys.map((y) => idx.map((i) => y[i] ?? null)) };
}
