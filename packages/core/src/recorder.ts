import * as fs from 'node:fs';
import type { EventBus } from './bus';
import { EVENT_NAMES, type EventName, type ForwardEndEvent } from './events';
import { toJson } from './artifacts';

/** Events after which the file is brought up to date (every step ends with `batch:end`). */
const FLUSH_ON = new Set<EventName>(['run:begin', 'epoch:end', 'batch:end', 'eval:end', 'finding', 'run:end', 'error']);

/** Numbers only: tensors and functions are left out; captured activations are listed by layer name. */
function serialize(event: EventName, payload: object, t: number): string {
  if (event === 'forward:end') {
    const p = payload as ForwardEndEvent;
    return toJson({ event, t, step: p.step, epoch: p.epoch, layers: p.activations.map((a) => a.layer) });
  }
  const out: Record<string, unknown> = { event, t };
  for (const [k, v] of Object.entries(payload)) {
    if (typeof v === 'function') continue;
    if (typeof v === 'object' && v !== null && 'dataId' in v) continue; // a tensor
    if (k === 'grads') continue;
    out[k] = v;
  }
  return toJson(out);
}

/**
 * Appends every bus event to `events.jsonl` as the run goes, one JSON object per line, with `t` in
 * milliseconds since the recorder started. Written with synchronous appends at each step's end, so a
 * crash loses at most the step in flight.
 */
export class EventRecorder {
  private fd: number;
  private lines: string[] = [];
  private readonly t0 = performance.now();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    readonly file: string,
    bus: EventBus,
  ) {
    this.fd = fs.openSync(file, 'a');
    for (const event of EVENT_NAMES) {
      this.unsubscribe.push(
        bus.on(
          event,
          (payload) => {
            this.lines.push(serialize(event, payload as object, Math.round((performance.now() - this.t0) * 100) / 100));
            if (FLUSH_ON.has(event)) this.flush();
          },
          undefined,
          'core:recorder',
        ),
      );
    }
  }

  flush(): void {
    if (this.lines.length === 0 || this.fd < 0) return;
    fs.writeSync(this.fd, `${this.lines.join('\n')}\n`);
    this.lines = [];
  }

  close(): void {
    this.flush();
    for (const u of this.unsubscribe) u();
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}
