import { validateOptions, type ParamInfo } from '@trainwatch/core';
import { GradientGuardOptions, GradientMonitor } from '../src';

const params: ParamInfo[] = [
  { name: 'h/kernel', layer: 'h', layerClass: 'Dense', shape: [4, 4] },
  { name: 'out/kernel', layer: 'out', layerClass: 'Dense', shape: [4, 2] },
];
const options = validateOptions(GradientGuardOptions, {}, 'o').options as GradientGuardOptions;

/** Feeds `norms` (global gradient norms, split evenly over the two layers) and returns the codes reported. */
function feed(norms: number[]): string[] {
  const m = new GradientMonitor(params, options);
  const codes: string[] = [];
  norms.forEach((g, step) => {
    const each = (g * g) / 2;
    const n = { step, loss: 1, gradSq: Float32Array.of(each, each), weightSq: Float32Array.of(4, 4) };
    for (const v of m.check(n, undefined, m.layerStats(n))) if (v.report) codes.push(v.finding.code);
  });
  return codes;
}

describe('exploding-gradient (the jump rule)', () => {
  it('fires when the global norm jumps far above its recent median', () => {
    expect(feed([...Array(25).fill(1), 50])).toEqual(['exploding-gradient']);
  });

  it('stays quiet on a steady norm', () => {
    expect(feed(Array(40).fill(1))).toEqual([]);
  });

  it('stays quiet on a jump from a near-zero median to a small norm (below exploding.minNorm)', () => {
    // Policy gradients: all-caught batches give ~zero gradients, then one miss gives an ordinary one.
    expect(feed([...Array(25).fill(1e-3), 0.4])).toEqual([]);
  });
});
