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
        // tidy frees the interceptor's scratch tensors; tensors it returns survive. A Promise cannot
        // cross tidy: interceptors are synchronous (the update waits for them).
        decision = tf.tidy(() => {
          const out = fn({ ...step, grads });
          if (out && typeof (out as { then?: unknown }).then === 'function') {
            void (out as unknown as Promise<unknown>).then(undefined, () => {});
            throw new Error('an interceptor must return its decision synchronously, not a Promise');
          }
          return out as tf.TensorContainer;
        }) as ReturnType<GradientInterceptor>;
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
        const problem = checkReplacement(grads, decision.grads);
        if (problem) {
          // Free what the interceptor made, never the lent gradients it may have passed back.
          const lentNow = new Set(Object.values(grads));
          if (decision.grads && typeof decision.grads === 'object')
            tf.dispose(
              Object.values(decision.grads as Record<string, unknown>).filter(
                (t): t is tf.Tensor => t instanceof tf.Tensor && !lentNow.has(t),
              ),
            );
          this.onError(owner, new Error(`replace: ${problem}`));
          continue;
        }
        if (owned) tf.dispose(grads);
        grads = decision.grads;
        owned = true;
        interventions.push({ plugin: owner, action: 'transform', reason: decision.reason });
      } else {
        this.onError(
          owner,
          new Error(
            `unknown action ${JSON.stringify((decision as { action?: unknown }).action)}; use "replace" or "skip"`,
          ),
        );
      }
    }
    return { grads, owned, applied: true, interventions };
  }
}

/**
 * Why replacement gradients cannot be applied, or undefined: one tensor per variable, each with the
 * shape and dtype of the gradient it replaces (tfjs would broadcast a wrong shape into the weights).
 */
function checkReplacement(current: tf.NamedTensorMap, next: unknown): string | undefined {
  if (!next || typeof next !== 'object')
    return `grads must be a map of tensors by variable name, got ${next === null ? 'null' : typeof next}`;
  const map = next as Record<string, unknown>;
  const missing = Object.keys(current).filter((k) => !(k in map));
  if (missing.length > 0) return `must return a gradient for every variable; missing ${missing.join(', ')}`;
  for (const [name, g] of Object.entries(current)) {
    const t = map[name];
    if (!(t instanceof tf.Tensor)) return `grads["${name}"] is not a tensor`;
    if (t.isDisposed) return `grads["${name}"] was disposed`;
    if (t.shape.join() !== g.shape.join())
      return `grads["${name}"] has shape [${t.shape}], the variable's gradient [${g.shape}]`;
    if (t.dtype !== g.dtype) return `grads["${name}"] is ${t.dtype}, the variable's gradient ${g.dtype}`;
  }
  return undefined;
}
