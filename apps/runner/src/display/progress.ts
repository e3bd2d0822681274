import { SingleBar } from 'cli-progress';
import { toJson, EVENT_NAMES, type Finding, type RunBeginEvent } from '@trainwatch/core';
import { eventRecord, type EventBus } from '@trainwatch/core/runner';

export interface DisplayOptions {
  mode: 'tty' | 'plain' | 'json' | 'quiet';
  out: NodeJS.WritableStream;
}

const fmt = (v: number | undefined, digits = 4) =>
  v === undefined ? '-' : Number.isFinite(v) ? v.toFixed(digits) : String(v);

function metricsLine(train: Record<string, number>, val: Record<string, number>): string {
  const parts = Object.entries(train).map(([k, v]) => `${k} ${fmt(v)}`);
  parts.push(...Object.entries(val).map(([k, v]) => `val_${k} ${fmt(v)}`));
  return parts.join('  ');
}

export function findingLine(f: Finding): string {
  const mark = f.severity === 'error' ? '✖' : f.severity === 'warn' ? '!' : 'i';
  return `${mark} ${f.severity} ${f.code} [${f.plugin}] step ${f.step}${f.layer ? ` ${f.layer}` : ''}: ${f.message}`;
}

/**
 * Shows a run in the terminal: a progress bar per epoch on a TTY (loss, metrics, steps/s, ETA), one
 * plain line per epoch otherwise (CI logs), or one JSON line per event on stdout with `--json`.
 */
export function attachDisplay(bus: EventBus, opts: DisplayOptions): void {
  const write = (s: string) => opts.out.write(`${s}\n`);
  if (opts.mode === 'json') {
    for (const event of EVENT_NAMES)
      bus.on(
        event,
        (p) => {
          write(toJson(eventRecord(event, p as object)));
        },
        undefined,
        'cli',
      );
    return;
  }
  if (opts.mode === 'quiet') {
    bus.on(
      'finding',
      (f) => {
        write(findingLine(f));
      },
      undefined,
      'cli',
    );
    return;
  }
  let begin: RunBeginEvent | undefined;
  let bar: SingleBar | undefined;
  let epochStart = 0;
  let batches = 0;
  bus.on(
    'run:begin',
    (e) => {
      begin = e;
    },
    undefined,
    'cli',
  );
  bus.on(
    'epoch:begin',
    (e) => {
      epochStart = performance.now();
      batches = 0;
      if (opts.mode !== 'tty' || !begin) return;
      bar = new SingleBar({
        format: `epoch ${e.epoch + 1}/${begin.epochs} [{bar}] {value}/{total}  loss {loss}{acc}  {rate} steps/s  ETA {eta_formatted}`,
        barsize: 24,
        hideCursor: true,
        clearOnComplete: true,
        stream: opts.out as NodeJS.WriteStream,
        etaBuffer: 50,
      });
      bar.start(begin.stepsPerEpoch, 0, { loss: '-', acc: '', rate: '-' });
    },
    undefined,
    'cli',
  );
  bus.on(
    'batch:end',
    (e) => {
      batches++;
      if (!bar) return;
      const done = e.batch + 1;
      const rate = done / ((performance.now() - epochStart) / 1000);
      const acc = e.metrics['acc'];
      bar.update(done, { loss: fmt(e.loss), acc: acc === undefined ? '' : `  acc ${fmt(acc)}`, rate: rate.toFixed(1) });
    },
    undefined,
    'cli',
  );
  bus.on(
    'epoch:end',
    (e) => {
      bar?.stop();
      bar = undefined;
      const secs = e.epochMs / 1000;
      write(
        `epoch ${e.epoch + 1}/${begin?.epochs ?? '?'}  ${metricsLine(e.train, e.val)}  (${batches} steps, ${secs.toFixed(1)} s, ${(batches / secs).toFixed(1)} steps/s)`,
      );
    },
    undefined,
    'cli',
  );
  bus.on(
    'finding',
    (f) => {
      bar?.stop();
      write(findingLine(f));
    },
    undefined,
    'cli',
  );
  bus.on(
    'run:end',
    () => {
      bar?.stop();
    },
    undefined,
    'cli',
  );
}
