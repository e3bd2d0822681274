import * as fs from 'node:fs';
import type { EventBus } from '../loop/bus';
import { EVENT_NAMES, type BatchEndEvent, type EventName, type ForwardEndEvent } from '../loop/events';
import { toJson } from './artifacts';

/**
 * Events after which the file is brought up to date at once: what a crash must not lose. Epoch
 * and evaluation ends wait for the group like steps do (at most half a second; each write is a
 * syscall, about 0.3 ms on this machine's disk).
 */
const FLUSH_ON = new Set<EventName>(['finding', 'run:end', 'error']);
/** Otherwise lines are written in groups: at most this many, or this old (ms). */
const MAX_LINES = 256;
const MAX_AGE_MS = 500;
/**
 * Not written to the file: a step's `batch:begin` and `grads:computed` say nothing `batch:end` does
 * not (step, epoch; the parameter list is in `run:begin`), and recording them tripled the lines.
 * One line per step keeps events.jsonl near 200 bytes a step (about 200 MB per million steps).
 */
const NOT_RECORDED = new Set<EventName>(['batch:begin', 'grads:computed']);

/** A number as JSON writes it, or as a string when it is not finite (NaN, Infinity: JSON has none). */
const num = (v: number) => (Number.isFinite(v) ? String(v) : `"${String(v)}"`);

/** A step's fields as `batch:end` gave them; its line is written when the group is flushed. */
interface StepRecord {
  step: number;
  epoch: number;
  batch: number;
  loss: number;
  metrics: Record<string, number>;
  learningRate: number;
  stepMs: number;
  update: BatchEndEvent['update'];
  t: number;
}

/**
 * A step's line, written by hand (the recorder's per-step cost on a tiny model was mostly building
 * and serialising an object). The plugins' raw readback arrays are left out (each plugin records
 * what it read in its own files, on its own cadence), and `update` when the step was applied with
 * no intervention.
 */
function stepLine(p: StepRecord): string {
  let metrics = '';
  for (const k in p.metrics) metrics += `${metrics ? ',' : ''}${JSON.stringify(k)}:${num(p.metrics[k]!)}`;
  const update = !p.update.applied || p.update.interventions.length > 0 ? `,"update":${toJson(p.update)}` : '';
  return `{"event":"batch:end","step":${p.step},"epoch":${p.epoch},"batch":${p.batch},"loss":${num(p.loss)},"metrics":{${metrics}},"learningRate":${num(p.learningRate)},"stepMs":${num(Math.round(p.stepMs * 1000) / 1000)}${update},"t":${p.t}}`;
}

/**
 * An event as plain data (numbers and strings only): tensors and functions are left out, captured
 * activations are listed by layer name. Used for `events.jsonl` and `--json` output.
 */
export function eventRecord(event: EventName, payload: object): Record<string, unknown> {
  if (event === 'forward:end') {
    const p = payload as ForwardEndEvent;
    return { event, step: p.step, epoch: p.epoch, layers: p.activations.map((a) => a.layer) };
  }
  const out: Record<string, unknown> = { event };
  for (const [k, v] of Object.entries(payload)) {
    if (typeof v === 'function' || k === 'grads') continue;
    if (typeof v === 'object' && v !== null && 'dataId' in v) continue; // a tensor
    out[k] = v;
  }
  return out;
}

/**
 * Appends every bus event to `events.jsonl` as the run goes, one JSON object per line, with `t` in
 * milliseconds since the recorder started. Written with synchronous appends in small groups (and at
 * once for findings, errors, epoch and run ends, and on process exit); no line waits more than half a
 * second, so a hard kill loses at most that and live readers are at most that behind.
 */
export class EventRecorder {
  private fd: number;
  /**
   * Lines not written yet; a step's as its fields. Why: turning numbers into text costs several
   * microseconds a step when done between the step's tensor kernels (cold caches, measured with
   * `npm run bench:loop`) and far less in one loop over the group at flush time. The fields are
   * copied (the payload's readback arrays are not kept alive).
   */
  private lines: (string | StepRecord)[] = [];
  private readonly t0 = performance.now();
  private readonly unsubscribe: (() => void)[] = [];
  private lastFlush = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private readonly onExit = () => this.flush();

  constructor(
    readonly file: string,
    bus: EventBus,
    /** Called once if a write fails (a full disk): recording stops, what was written stays. */
    private readonly onWriteError: (error: unknown, file: string) => void = () => {},
  ) {
    this.fd = fs.openSync(file, 'a');
    process.on('exit', this.onExit);
    for (const event of EVENT_NAMES) {
      if (NOT_RECORDED.has(event)) continue;
      this.unsubscribe.push(
        bus.on(
          event,
          (payload) => {
            const now = performance.now();
            const t = Math.round((now - this.t0) * 100) / 100;
            if (event === 'batch:end') {
              const p = payload as BatchEndEvent;
              const { step, epoch, batch, loss, metrics, learningRate, stepMs, update } = p;
              this.lines.push({ step, epoch, batch, loss, metrics, learningRate, stepMs, update, t });
            } else this.lines.push(toJson({ ...eventRecord(event, payload as object), t }));
            if (FLUSH_ON.has(event) || this.lines.length >= MAX_LINES || now - this.lastFlush >= MAX_AGE_MS)
              this.flush();
            // Lines never wait longer than MAX_AGE_MS, even when no further event comes (a long
            // listener, a stalled step): readers of the live file (TensorBoard, serve) see them.
            else this.timer ??= setTimeout(() => this.flush(), MAX_AGE_MS).unref();
          },
          undefined,
          'core:recorder',
          { passive: true },
        ),
      );
    }
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.lines.length === 0 || this.fd < 0) return;
    try {
      let text = '';
      for (const l of this.lines) text += `${typeof l === 'string' ? l : stepLine(l)}\n`;
      fs.writeSync(this.fd, text);
    } catch (e) {
      // Stop recording (every line after this one would fail too) and say so once.
      this.lines = [];
      fs.closeSync(this.fd);
      this.fd = -1;
      this.onWriteError(e, this.file);
      return;
    }
    this.lines = [];
    this.lastFlush = performance.now();
  }

  close(): void {
    this.flush();
    for (const u of this.unsubscribe) u();
    process.off('exit', this.onExit);
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
  }
}
