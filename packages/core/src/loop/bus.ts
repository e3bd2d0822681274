import EventEmitter from 'eventemitter3';
import { EVENT_NAMES, SYNC_EVENTS, type EventName, type TrainEvents } from './events';
import { TrainwatchError } from '../util/errors';
import { within } from '../util/within';
import { isThenable } from '../util/maybe-promise';
import { isFilter, type Filter } from './filters';

/** A listener; may return a Promise on events that allow async listeners (see `SYNC_EVENTS`). */
export type Listener<E extends EventName> = (payload: TrainEvents[E]) => unknown;

/** Called when a listener throws or rejects: `owner` is the plugin that registered it. */
export type ListenerErrorHandler = (owner: string, event: EventName, error: unknown) => void;

interface Entry {
  owner: string;
  filter: Filter | undefined;
  fn: (payload: unknown) => unknown;
  /** Records what happens without asking for it: not counted by {@link EventBus.wants}. */
  passive: boolean;
}

const KNOWN = new Set<string>(EVENT_NAMES);

/**
 * The typed training-loop event bus (on eventemitter3). Listeners run in registration order, which
 * the session makes the declared plugin order. A listener that throws is isolated: the error goes to
 * the error handler and the remaining listeners still run.
 */
export class EventBus {
  private readonly ee = new EventEmitter();
  private readonly counts = new Map<EventName, number>();
  /**
   * Each event's entries in registration order, rebuilt after a change (not per emission: copying
   * the listener list on every step cost a few microseconds a step on a tiny model). Replaced, never
   * mutated, so a dispatch under way keeps the list it started with.
   */
  private readonly cached = new Map<EventName, Entry[]>();
  private onError: ListenerErrorHandler = (owner, event, error) => {
    throw new TrainwatchError('plugin-error', `listener of "${owner}" failed in ${event}`, { cause: error });
  };

  /** Where listener failures go (the session reports them as `error` events and findings). */
  /**
   * How long an async listener may take before it counts as hung: the run reports it as that
   * plugin's error and goes on (a promise that never settles would otherwise end the process
   * silently, with no summary). Default 10 minutes; `TRAINWATCH_LISTENER_TIMEOUT_MS` overrides.
   */
  listenerTimeoutMs = Number(process.env['TRAINWATCH_LISTENER_TIMEOUT_MS'] ?? 600_000);

  private check: ((owner: string, event: EventName) => void) | undefined;

  /**
   * A check run after each synchronous listener returns (the loop uses it to catch a listener
   * that disposed a lent tensor or a model weight, naming it); it throws to report that listener.
   */
  setListenerCheck(check: ((owner: string, event: EventName) => void) | undefined): void {
    this.check = check;
  }

  setErrorHandler(handler: ListenerErrorHandler): void {
    this.onError = handler;
  }

  /**
   * Registers a listener; returns a function that removes it. Unknown events and non-filters are
   * rejected here, at registration, not on the first emission.
   */
  on<E extends EventName>(
    event: E,
    fn: Listener<E>,
    filter?: Filter,
    owner = 'user',
    opts: { passive?: boolean } = {},
  ): () => void {
    if (!KNOWN.has(event)) {
      throw new TrainwatchError(
        'unknown-event',
        `unknown event "${String(event)}"; events are: ${EVENT_NAMES.join(', ')}`,
      );
    }
    if (typeof fn !== 'function') {
      throw new TrainwatchError('unknown-event', `listener for "${event}" must be a function`);
    }
    if (filter !== undefined && !isFilter(filter)) {
      throw new TrainwatchError('invalid-filter', `filter for "${event}" must come from every(), once() or everyMs()`);
    }
    // A fresh wrapper per registration: the same function may be registered twice with two filters.
    const entry: Entry = { owner, filter, fn: fn as Entry['fn'], passive: opts.passive === true };
    const handle = Object.assign((payload: unknown) => entry.fn(payload), { entry });
    this.ee.on(event, handle);
    this.cached.delete(event);
    return () => {
      this.ee.removeListener(event, handle);
      this.cached.delete(event);
    };
  }

  /** Number of listeners on an event. */
  listenerCount(event: EventName): number {
    return this.ee.listenerCount(event);
  }

  /**
   * Whether at least one listener would run if `event` were emitted for `step` now. The loop asks
   * before the forward pass so it captures activations only when someone will look at them.
   * Passive listeners (the event recorder, `--json`) record what was captured; they never cause capture.
   */
  wants(event: EventName, step: number): boolean {
    const now = performance.now();
    for (const e of this.entries(event))
      if (!e.passive && (e.filter === undefined || e.filter.test(step, now))) return true;
    return false;
  }

  /**
   * Emits an event. Synchronous events return nothing; on the others async listeners are awaited
   * in order, and a Promise is returned only when some listener returned one.
   */
  emit<E extends EventName>(event: E, payload: TrainEvents[E]): void | Promise<void> {
    const entries = this.entries(event);
    const count = this.counts.get(event) ?? 0;
    this.counts.set(event, count + 1);
    if (entries.length === 0) return;
    const step = (payload as { step?: unknown }).step;
    const index = typeof step === 'number' ? step : count;
    return this.dispatch(event, payload, entries, 0, index, performance.now());
  }

  private entries(event: EventName): Entry[] {
    let list = this.cached.get(event);
    if (!list) {
      list = (this.ee.listeners(event) as unknown as Array<{ entry: Entry }>).map((h) => h.entry);
      this.cached.set(event, list);
    }
    return list;
  }

  private dispatch(
    event: EventName,
    payload: unknown,
    entries: Entry[],
    from: number,
    index: number,
    now: number,
  ): void | Promise<void> {
    for (let i = from; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.filter !== undefined) {
        if (!e.filter.test(index, now)) continue;
        e.filter.fired(index, now);
      }
      let result: unknown;
      try {
        result = e.fn(payload);
        if (this.check && SYNC_EVENTS.has(event)) this.check(e.owner, event);
      } catch (err) {
        this.onError(e.owner, event, err);
        continue;
      }
      if (!isThenable(result)) continue;
      if (SYNC_EVENTS.has(event)) {
        // Swallow the eventual rejection too: it was already reported as misuse.
        Promise.resolve(result).catch(() => {});
        this.onError(
          e.owner,
          event,
          new TrainwatchError(
            'sync-listener',
            `"${event}" is synchronous (it lends tensors or sits inside a step); its listener returned a Promise`,
          ),
        );
        continue;
      }
      const ms = this.listenerTimeoutMs;
      const hung = () =>
        new TrainwatchError('plugin-error', `${e.owner}'s "${event}" listener did not settle within ${ms / 1000} s`);
      return within(result as PromiseLike<unknown>, ms, hung).then(
        () => this.dispatch(event, payload, entries, i + 1, index, now),
        (err: unknown) => {
          this.onError(e.owner, event, err);
          return this.dispatch(event, payload, entries, i + 1, index, now);
        },
      );
    }
  }
}
