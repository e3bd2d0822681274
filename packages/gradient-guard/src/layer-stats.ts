import type { ParamInfo } from '@trainwatch/core';

/** The numbers one check reads back (sums of squares per variable, in `params` order). */
export interface CheckNumbers {
  step: number;
  loss: number;
  /** Σg² per variable for this step's gradients. */
  gradSq: Float32Array;
  /** Σw² per variable, weights before this step's update. */
  weightSq: Float32Array;
  /** Σ(Δw)² per variable for the update applied at the previous check, when it was tracked. */
  updateSq?: Float32Array | undefined;
  /** Σw² per variable before that update (the denominator of the update ratio). */
  prevWeightSq?: Float32Array | undefined;
}

/** Per-layer aggregation of per-variable sums of squares. */
export interface LayerGroup {
  layer: string;
  vars: number[];
}

export function groupByLayer(params: readonly ParamInfo[]): LayerGroup[] {
  const groups: LayerGroup[] = [];
  params.forEach((p, i) => {
    const last = groups.at(-1);
    if (last && last.layer === p.layer) last.vars.push(i);
    else groups.push({ layer: p.layer, vars: [i] });
  });
  return groups;
}

const norm = (sq: Float32Array, vars: number[]) => Math.sqrt(vars.reduce((s, i) => s + sq[i]!, 0));

/** Per-layer magnitudes of one check, for the series file and the report. */
export interface LayerStats {
  layer: string;
  grad: number;
  weight: number;
  gradToWeight: number;
  update?: number;
}

/** Per-layer norms of one check (sums of squares added per layer, then square-rooted). */
export function layerStats(layers: readonly LayerGroup[], n: CheckNumbers): LayerStats[] {
  return layers.map((g) => {
    const grad = norm(n.gradSq, g.vars);
    const weight = norm(n.weightSq, g.vars);
    const s: LayerStats = { layer: g.layer, grad, weight, gradToWeight: grad / Math.max(weight, 1e-12) };
    // A layer whose weights are (still) about zero has no meaningful ratio: dividing by it gives 1e9.
    const before = n.prevWeightSq ? norm(n.prevWeightSq, g.vars) : 0;
    if (n.updateSq && before >= 1e-3) s.update = norm(n.updateSq, g.vars) / before;
    return s;
  });
}
