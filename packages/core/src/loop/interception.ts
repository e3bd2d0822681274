import * as tf from '../backend/tf';
import type { Intervention } from './events';
import type { GradientInterceptor, GradientStep } from '../api/plugin';

interface Registered {
  owner: string;
  fn: GradientInterceptor;
}

/** The outcome of running every interceptor on one step. */
export interface InterceptionResult {
  /** Gradients to apply: the lent ones, or new ones the core must dispose (`owned`). */
  grads: tf.NamedTensorMap;
  owned: boolean;
  applied: boolean;
  interventions: Intervention[];
}

/**
 * Gradient interception, separate from notification: interceptors run in registration order (the
 * declared plugin order) after the step's readback and before the optimizer. A `skip` ends the chain.
 */
export class InterceptorChain {
  private readonly list: Registered[] = [];

  constructor(private readonly onError: (owner: string, error: unknown) => void) {}

  add(owner: string, fn: GradientInterceptor): () => void {
    if (typeof fn !== 'function') throw new TypeError(`${owner}: interceptGradients needs a function`);
    const entry = { owner, fn };
    this.list.push(entry);
    return () => {
      const i = this.list.indexOf(entry);
      if (i >= 0) this.list.splice(i, 1);
    };
  }

  get size(): number {
    return this.list.length;
  }

  run(step: Omit<GradientStep, 'grads'>, lent: tf.NamedTensorMap): InterceptionResult {
    let grads = lent;
    let owned = false;
    const interventions: Intervention[] = [];
    for (const { owner, fn } of this.list) {
      let decision: ReturnType<GradientInterceptor>;
      try {
        // tidy frees the interceptor's scratch tensors; tensors it returns survive.
        decision = tf.tidy(() => fn({ ...step, grads }) as tf.TensorContainer) as ReturnType<GradientInterceptor>;
      } catch (e) {
        this.onError(owner, e);
        continue;
      }
      if (!decision) continue;
      if (decision.action === 'skip') {
        interventions.push({ plugin: owner, action: 'skip', reason: decision.reason });
        return { grads, owned, applied: false, interventions };
      }
      if (decision.action === 'replace') {
        const next = decision.grads;
        const missing = Object.keys(grads).filter((k) => !(k in next));
        if (missing.length > 0) {
          tf.dispose(next);
          this.onError(
            owner,
            new Error(`replace must return a gradient for every variable; missing ${missing.join(', ')}`),
          );
          continue;
        }
        if (owned) tf.dispose(grads);
        grads = next;
        owned = true;
        interventions.push({ plugin: owner, action: 'transform', reason: decision.reason });
      }
    }
    return { grads, owned, applied: true, interventions };
  }
}
