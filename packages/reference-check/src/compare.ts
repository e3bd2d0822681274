import type { Arr, Layerwise } from './layerwise';

export interface Tolerance {
  atol: number;
  rtol: number;
}

export interface Diff {
  ok: boolean;
  maxAbs: number;
  /** max |a − b| / max |b|: the error relative to the reference's scale. */
  relative: number;
  /** A few differing elements: index, ours, reference. */
  examples: [number, number, number][];
  shape?: [number[], number[]];
}

/** Elementwise |a − b| <= atol + rtol·|b| (numpy's allclose rule). */
export function compareArrays(a: Arr, b: Arr, t: Tolerance): Diff {
  if (a.shape.join() !== b.shape.join() || a.data.length !== b.data.length)
    return { ok: false, maxAbs: Infinity, relative: Infinity, examples: [], shape: [a.shape, b.shape] };
  let maxAbs = 0;
  let scale = 0;
  const examples: [number, number, number][] = [];
  let ok = true;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i]!;
    const y = b.data[i]!;
    const d = Math.abs(x - y);
    scale = Math.max(scale, Math.abs(y));
    if (!(d <= t.atol + t.rtol * Math.abs(y))) {
      ok = false;
      if (examples.length < 5) examples.push([i, x, y]);
    }
    if (d > maxAbs || Number.isNaN(d)) maxAbs = Number.isNaN(d) ? Infinity : d;
  }
  return { ok, maxAbs, relative: maxAbs / Math.max(scale, 1e-12), examples };
}

export interface Mismatch {
  direction: 'forward' | 'backward';
  layer: string;
  /** The weight whose gradient differs (backward). */
  weight?: string;
  diff: Diff;
}

export interface Comparison {
  mismatch?: Mismatch;
  /** Per compared layer: worst relative error forward and backward. */
  layers: { layer: string; forward?: number; backward?: number }[];
  skipped: string[];
}

/**
 * Forward first, in model order: the first layer whose output differs. Only when every output
 * matches, gradients from the last layer back: the first (from the end) whose gradient differs.
 * `mapping` renames our layers to the reference's.
 */
export function compareLayerwise(
  ours: Layerwise,
  ref: Layerwise,
  t: Tolerance,
  mapping: Record<string, string> = {},
): Comparison {
  const refByName = new Map(ref.layers.map((l) => [l.name, l]));
  const rows = new Map<string, { layer: string; forward?: number; backward?: number }>();
  const skipped: string[] = [];
  const pairs = ours.layers.flatMap((l) => {
    const r = refByName.get(mapping[l.name] ?? l.name);
    if (!r) skipped.push(l.name);
    return r ? [{ l, r }] : [];
  });
  for (const { l, r } of pairs) {
    const d = compareArrays(l.output, r.output, t);
    rows.set(l.name, { layer: l.name, forward: d.relative });
    if (!d.ok)
      return { mismatch: { direction: 'forward', layer: l.name, diff: d }, layers: [...rows.values()], skipped };
  }
  for (const { l, r } of [...pairs].reverse()) {
    let worst = 0;
    for (const [key, g] of Object.entries(l.grads)) {
      const rg = r.grads[key];
      if (!rg) continue;
      const d = compareArrays(g, rg, t);
      worst = Math.max(worst, d.relative);
      if (!d.ok) {
        rows.get(l.name)!.backward = d.relative;
        return {
          mismatch: { direction: 'backward', layer: l.name, weight: key, diff: d },
          layers: [...rows.values()],
          skipped,
        };
      }
    }
    if (Object.keys(l.grads).length) rows.get(l.name)!.backward = worst;
  }
  return { layers: [...rows.values()], skipped };
}
