import { tf, type ParamInfo, type StepProbe } from '@trainwatch/core';

/** One variable's comparison of the analytic gradient with central differences. */
export interface CheckResult {
  variable: string;
  layer: string;
  analytic: number;
  numeric: number;
  relError: number;
  /**
   * False when no step size gave a usable difference: both numbers under float32 noise, or every
   * step crossed a kink (ReLU, max pooling). Nothing is concluded then.
   */
  judged: boolean;
  /** Judged and wrong: every conclusive step size disagreed beyond the tolerance and the noise. */
  failed: boolean;
  /** Step sizes tried, largest first, and why each was not conclusive. */
  trials: {
    h: number;
    numeric: number;
    relError: number;
    verdict: 'agrees' | 'disagrees' | 'kink' | 'kink-consistent' | 'noise';
  }[];
}

export interface CheckOptions {
  mode: 'directional' | 'elementwise';
  epsilon: number;
  coordinates: number;
  seed: number;
  tolerance: number;
  /** Samples of the batch the check runs on (fewer samples cross fewer kinks). */
  samples: number;
}

/** |a − n| / max(|a|, |n|): the usual relative error (above 1e-2 the gradient is wrong). */
export function relativeError(a: number, n: number): number {
  const den = Math.max(Math.abs(a), Math.abs(n));
  return den === 0 ? 0 : Math.abs(a - n) / den;
}

/** Float32 loss noise, relative: a mean over a batch of float32 terms rounds at about this level. */
const LOSS_NOISE = 3e-7;
/** Step sizes tried, as fractions of the first: a kink crossed at h is usually not crossed at h/16. */
const SCALES = [1, 1 / 4, 1 / 16, 1 / 64];

/**
 * Compares the analytic gradient along one direction with finite differences of the loss.
 *
 * Each step size h gives L(w−hd), L(w), L(w+hd). The forward and backward one-sided slopes must
 * agree with each other before the central slope is trusted: on a smooth loss they differ by
 * h·L'' (small), but a step that crosses a ReLU or max-pool kink bends one of them. So a kink shows
 * as one-sided disagreement and that h is set aside, while a wrong gradient shows as one-sided
 * agreement with a central slope far from the analytic one, at every h.
 */
export function compareAlong(
  lossAt: (offset: tf.Tensor) => number,
  dir: tf.Tensor,
  analytic: number,
  h0: number,
  l0: number,
  tolerance: number,
): Pick<CheckResult, 'numeric' | 'relError' | 'judged' | 'failed' | 'trials'> {
  const trials: CheckResult['trials'] = [];
  for (const scale of SCALES) {
    const h = h0 * scale;
    const at = (s: number) => {
      const off = tf.mul(dir, s * h);
      try {
        return lossAt(off);
      } finally {
        off.dispose();
      }
    };
    const lp = at(1);
    const lm = at(-1);
    const numeric = (lp - lm) / (2 * h);
    const noise = (Math.max(Math.abs(l0), Math.abs(lp), Math.abs(lm)) * LOSS_NOISE * 10) / h;
    const rel = relativeError(analytic, numeric);
    if (Math.max(Math.abs(analytic), Math.abs(numeric)) <= noise) {
      // Smaller steps only raise the noise floor.
      trials.push({ h, numeric, relError: rel, verdict: 'noise' });
      break;
    }
    const fwd = (lp - l0) / h;
    const bwd = (l0 - lm) / h;
    // At a kink the analytic value is one of the one-sided slopes (a subgradient), so a value
    // between them (with the tolerance as slack) is consistent; a halved or negated one is not.
    const slack = tolerance * Math.max(Math.abs(fwd), Math.abs(bwd)) + 2 * noise;
    const bracketed = analytic >= Math.min(fwd, bwd) - slack && analytic <= Math.max(fwd, bwd) + slack;
    const oneSided = Math.abs(fwd - bwd) - 2 * noise;
    if (oneSided > tolerance * Math.max(Math.abs(fwd), Math.abs(bwd), Math.abs(analytic))) {
      // A kink's effect shrinks with h: a central slope within tolerance still clears the gradient.
      trials.push({
        h,
        numeric,
        relError: rel,
        verdict: rel <= tolerance ? 'agrees' : bracketed ? 'kink-consistent' : 'kink',
      });
      if (rel <= tolerance) break;
      continue;
    }
    // A disagreement counts only beyond the noise; otherwise this h is inconclusive and a smaller one cannot help.
    const beyondNoise =
      Math.abs(analytic - numeric) - 2 * noise > tolerance * Math.max(Math.abs(analytic), Math.abs(numeric));
    const verdict = rel <= tolerance ? 'agrees' : beyondNoise ? 'disagrees' : 'noise';
    trials.push({ h, numeric, relError: rel, verdict });
    if (verdict !== 'disagrees') break;
  }
  // Any agreement clears the gradient; a failure needs every conclusive step size to disagree.
  // Only when no step size was clean does a kink with the analytic value between the one-sided
  // slopes count as agreement (reported as such, with no relative error).
  const clean = trials.some((t) => t.verdict === 'agrees' || t.verdict === 'disagrees');
  const agreed =
    trials.find((t) => t.verdict === 'agrees') ??
    (clean ? undefined : trials.find((t) => t.verdict === 'kink-consistent'));
  // A kink seen at any step size makes a disagreement inconclusive: at a kink on the evaluation
  // point itself (a ReLU input exactly 0, e.g. zero pixels and zero biases) no step size is clean.
  const kinked = trials.some((t) => t.verdict === 'kink' || t.verdict === 'kink-consistent');
  const failed = kinked
    ? undefined
    : trials.filter((t) => t.verdict === 'disagrees').sort((a, b) => a.relError - b.relError)[0];
  const shown = agreed ?? failed ?? trials[0]!;
  return {
    numeric: shown.numeric,
    relError: (agreed && agreed.verdict === 'agrees') || failed ? shown.relError : 0,
    judged: !!(agreed || failed),
    failed: !agreed && !!failed,
    trials,
  };
}

/**
 * Compares analytic gradients (inference mode, the first `samples` of this step's batch) with
 * finite differences of the loss, per variable. Directional mode moves along d = unit(ĝ + r̂) with
 * r random, so g·d is large enough to measure in float32 and a wrong scale or sign shows up.
 * The probe restores weights exactly after each evaluation.
 */
export function gradientCheck(
  probe: StepProbe,
  params: readonly ParamInfo[],
  weights: ReadonlyMap<string, tf.Tensor>,
  o: CheckOptions,
): CheckResult[] {
  return probe.subset(o.samples, (sub) => {
    // The check runs at w + a small random jitter of the bias vectors: with zero biases and zero
    // inputs (background pixels) ReLU inputs sit exactly on the kink, where the derivative is a
    // convention no finite difference can confirm. The jitter exceeds every step tried, so no
    // tested step crosses back to such a kink; the gradient's correctness does not depend on w.
    const jitter: tf.NamedTensorMap = {};
    params.forEach((p, i) => {
      const w = weights.get(p.name);
      if (!w || w.rank !== 1) return;
      const step = o.epsilon * 0.05 * Math.sqrt(w.size);
      jitter[p.name] = tf.tidy(() => {
        const u = tf.randomUniform(w.shape, -1, 1, 'float32', o.seed + 7777 + i);
        return tf.mul(tf.add(tf.sign(u), tf.mul(u, 0.5)), 2 * step);
      });
    });
    const lossAt = (name: string) => (off: tf.Tensor) => {
      const j = jitter[name];
      if (!j) return sub.loss({ ...jitter, [name]: off });
      const both = tf.add(j, off);
      try {
        return sub.loss({ ...jitter, [name]: both });
      } finally {
        both.dispose();
      }
    };
    const grads = sub.grads(jitter);
    const l0 = sub.loss(jitter);
    const results: CheckResult[] = [];
    try {
      params.forEach((p, i) => {
        const g = grads[p.name];
        const w = weights.get(p.name);
        if (!g || !w) return;
        // ε relative to the weight scale (per element), so the step is meaningful for large and small layers.
        const rms = tf.tidy(() => tf.sqrt(tf.mean(tf.square(w))).dataSync()[0]!);
        const h0 = o.epsilon * Math.max(rms, 0.05) * Math.sqrt(w.size);
        let worst: CheckResult | undefined;
        const keep = (analytic: number, c: ReturnType<typeof compareAlong>) => {
          const r = { variable: p.name, layer: p.layer, analytic, ...c };
          if (
            !worst ||
            r.failed > worst.failed ||
            (r.failed === worst.failed && r.judged && (!worst.judged || r.relError > worst.relError))
          )
            worst = r;
        };
        if (o.mode === 'directional') {
          const d = tf.tidy(() => {
            const r = tf.randomNormal(g.shape, 0, 1, 'float32', o.seed + i);
            const unit = (t: tf.Tensor) => tf.div(t, tf.maximum(tf.norm(t), 1e-30));
            return unit(tf.add(unit(g), unit(r)));
          });
          const analytic = tf.tidy(() => tf.sum(tf.mul(g, d)).dataSync()[0]!);
          keep(analytic, compareAlong(lossAt(p.name), d, analytic, h0, l0, o.tolerance));
          d.dispose();
        } else {
          const flat = g.dataSync();
          const hElem = o.epsilon * Math.max(rms, 0.05);
          for (let k = 0; k < Math.min(o.coordinates, flat.length); k++) {
            const idx =
              Math.floor(Math.abs(Math.sin((o.seed + i * 7919 + k) * 12.9898)) * 43758.5453 * flat.length) %
              flat.length;
            const e = tf.tidy(() => tf.reshape(tf.oneHot(tf.tensor1d([idx], 'int32'), flat.length), g.shape).toFloat());
            keep(flat[idx]!, compareAlong(lossAt(p.name), e, flat[idx]!, hElem, l0, o.tolerance));
            e.dispose();
          }
        }
        if (worst) results.push(worst);
      });
    } finally {
      tf.dispose([...Object.values(grads), ...Object.values(jitter)] as tf.Tensor[]);
    }
    return results;
  });
}
