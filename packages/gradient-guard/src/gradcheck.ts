import { tf, type ParamInfo, type StepProbe } from '@trainwatch/core';

/** One variable's comparison of the analytic gradient with central differences. */
export interface CheckResult {
  variable: string;
  layer: string;
  analytic: number;
  numeric: number;
  relError: number;
  /** False when both numbers sit under float32 noise: nothing can be concluded. */
  judged: boolean;
}

export interface CheckOptions {
  mode: 'directional' | 'elementwise';
  epsilon: number;
  coordinates: number;
  seed: number;
  tolerance: number;
}

/** |a − n| / max(|a|, |n|): the usual relative error (above 1e-2 the gradient is wrong). */
export function relativeError(a: number, n: number): number {
  const den = Math.max(Math.abs(a), Math.abs(n));
  return den === 0 ? 0 : Math.abs(a - n) / den;
}

/**
 * Compares analytic gradients (inference mode, this step's batch) with central differences of the
 * loss, per variable. Directional mode moves along d = unit(ĝ + r̂) with r random, so g·d is large
 * enough to measure in float32 and a wrong scale or sign shows up; two forward passes per variable.
 * The probe restores weights exactly after each evaluation.
 */
export function gradientCheck(probe: StepProbe, params: readonly ParamInfo[], weights: ReadonlyMap<string, tf.Tensor>, o: CheckOptions): CheckResult[] {
  const grads = probe.grads();
  const base = Math.abs(probe.loss());
  const results: CheckResult[] = [];
  try {
    params.forEach((p, i) => {
      const g = grads[p.name];
      const w = weights.get(p.name);
      if (!g || !w) return;
      const wNorm = tf.tidy(() => tf.norm(w).dataSync()[0]!);
      const h0 = o.epsilon * Math.max(wNorm, 1);
      const central = (dir: tf.Tensor, h: number) => {
        const plus = tf.mul(dir, h);
        const minus = tf.mul(dir, -h);
        const numeric = (probe.loss({ [p.name]: plus }) - probe.loss({ [p.name]: minus })) / (2 * h);
        tf.dispose([plus, minus]);
        return numeric;
      };
      // Float32 losses carry about 1e-7 relative noise, so a central difference is uncertain by about
      // |L|·1e-7/h; below 10x that nothing can be judged. Kinks (ReLU, max pooling) bend the other way:
      // a step that crosses one misleads. So a disagreement at h is re-measured at h/10, and only a
      // gradient that disagrees at both scales fails (a wrong gradient disagrees at every scale).
      const compare = (dir: tf.Tensor, analytic: number) => {
        let best = { numeric: 0, analytic, judged: false, rel: Infinity };
        for (const h of [h0, h0 / 10]) {
          const numeric = central(dir, h);
          const judged = Math.max(Math.abs(analytic), Math.abs(numeric)) > (10 * base * 1e-7) / h;
          const rel = relativeError(analytic, numeric);
          if (judged && (!best.judged || rel < best.rel)) best = { numeric, analytic, judged, rel };
          else if (!best.judged && !judged) best = { numeric, analytic, judged, rel: 0 };
          if (best.judged && best.rel <= o.tolerance) break;
        }
        return best;
      };
      let worst: { numeric: number; analytic: number; judged: boolean; rel: number } | undefined;
      if (o.mode === 'directional') {
        const d = tf.tidy(() => {
          const r = tf.randomNormal(g.shape, 0, 1, 'float32', o.seed + i);
          const unit = (t: tf.Tensor) => tf.div(t, tf.maximum(tf.norm(t), 1e-30));
          return unit(tf.add(unit(g), unit(r)));
        });
        const analytic = tf.tidy(() => tf.sum(tf.mul(g, d)).dataSync()[0]!);
        worst = compare(d, analytic);
        d.dispose();
      } else {
        const flat = g.dataSync();
        for (let k = 0; k < Math.min(o.coordinates, flat.length); k++) {
          const idx = Math.floor(Math.abs(Math.sin((o.seed + i * 7919 + k) * 12.9898)) * flat.length) % flat.length;
          const e = tf.tidy(() => tf.reshape(tf.oneHot(tf.tensor1d([idx], 'int32'), flat.length), g.shape).toFloat());
          const c = compare(e, flat[idx]!);
          e.dispose();
          if (!worst || (c.judged && (!worst.judged || c.rel > worst.rel))) worst = c;
        }
      }
      if (worst) results.push({ variable: p.name, layer: p.layer, analytic: worst.analytic, numeric: worst.numeric, relError: worst.judged ? worst.rel : 0, judged: worst.judged });
    });
  } finally {
    tf.dispose(grads);
  }
  return results;
}
