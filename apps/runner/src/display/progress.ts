import { createColors } from 'picocolors';
import { toJson, EVENT_NAMES, type Finding, type LogSink, type RunBeginEvent } from '@trainwatch/core';
import { eventRecord, type EventBus } from '@trainwatch/core/runner';

/** The colour functions the display uses (identity when colour is off). */
export type Colours = ReturnType<typeof createColors>;

/**
 * Whether to colour output on `stream`: `NO_COLOR` (any value) turns it off, `FORCE_COLOR` (not
 * `0`) on, otherwise a terminal gets colour and a pipe or file does not (no-color.org).
 */
export function colourEnabled(stream: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['FORCE_COLOR'] !== undefined) return env['FORCE_COLOR'] !== '0';
  return (stream as NodeJS.WriteStream).isTTY === true;
}

/** How the display shows a run. */
export interface DisplayOptions {
  mode: 'tty' | 'plain' | 'json' | 'quiet';
  out: NodeJS.WritableStream;
  /** Where log lines go (stderr). */
  err: NodeJS.WritableStream;
  /** Show plugins' debug lines (e.g. samples drawn as text). */
  verbose?: boolean;
}

const fmt = (v: number | undefined, digits = 4) =>
  v === undefined ? '-' : Number.isFinite(v) ? v.toFixed(digits) : String(v);

/** 4 significant digits: enough to follow a run, short enough for one line. */
const sig = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v));

function metricsLine(train: Record<string, number>, val: Record<string, number>): string {
  const parts = Object.entries(train).map(([k, v]) => `${k} ${sig(v)}`);
  parts.push(...Object.entries(val).map(([k, v]) => `val_${k} ${sig(v)}`));
  return parts.join('  ');
}

/** One finding as one line: severity mark, code, plugin, step, layer, message. */
export function findingLine(f: Finding, c: Colours = createColors(false)): string {
  const mark =
    f.severity === 'error' ? c.red('✖ error') : f.severity === 'warn' ? c.yellow('! warn') : c.blue('i info');
  return `${mark} ${c.bold(f.code)} [${f.plugin}] step ${f.step}${f.layer ? ` ${f.layer}` : ''}: ${f.message}`;
}

/** Cuts a line to `width` visible characters (colour codes kept out of the count). */
export function fit(line: string, width: number | undefined): string {
  if (!width || width < 20) return line;
  // eslint-disable-next-line no-control-regex -- SGR colour codes are what we skip over
  const visible = line.replace(/\x1b\[[0-9;]*m/g, '');
  if (visible.length <= width) return line;
  return `${visible.slice(0, width - 1)}…`;
}

/** What the CLI shows of a run: attach it to the bus, and send the run's log lines through it. */
export interface Display {
  attach(bus: EventBus): void;
  /** The run's log sink: lines are printed above the progress line, which is redrawn after them. */
  readonly sink: LogSink;
  /** Prints a line (e.g. the banner) the same way. */
  line(text: string): void;
}

/**
 * Shows a run in the terminal: on a TTY one live progress line per epoch (bar, loss, metrics,
 * steps/s, ETA) that other output scrolls above, then one line per epoch; one plain line per epoch
 * otherwise (CI logs); one JSON line per event on stdout with `--json`; only findings with `--quiet`.
 * The bar is drawn here rather than with a progress library: a bar must survive lines printed while
 * it runs (findings, evaluations), which cli-progress' stop-and-forget bar did not.
 */
export function createDisplay(opts: DisplayOptions): Display {
  const c = createColors(colourEnabled(opts.out));
  const width = () => (opts.mode === 'tty' ? ((opts.out as NodeJS.WriteStream).columns ?? 100) : undefined);
  let live = ''; // the progress line currently drawn (tty only)
  let drawnAt = 0;
  const clear = () => {
    if (live) opts.out.write('\r\x1b[2K');
  };
  const redraw = () => {
    if (live) opts.out.write(fit(live, width()));
  };
  const println = (stream: NodeJS.WritableStream, text: string) => {
    clear();
    stream.write(
      `${text
        .split('\n')
        .map((l) => fit(l, width()))
        .join('\n')}\n`,
    );
    redraw();
  };
  const sink: LogSink = (level, source, message) => {
    if (level === 'debug' && !opts.verbose && !process.env['TRAINWATCH_DEBUG']) return;
    if (level === 'info' && opts.mode === 'quiet') return;
    const tag =
      level === 'info' || level === 'debug'
        ? c.dim(`[${source}]`)
        : `[${source}] ${level === 'warn' ? c.yellow('warn:') : c.red(`${level}:`)}`;
    println(opts.err, `${tag} ${message}`);
  };

  function attach(bus: EventBus): void {
    const on: EventBus['on'] = (event, fn) => bus.on(event, fn, undefined, 'cli');
    if (opts.mode === 'json') {
      // Passive: printing forward:end must not make the loop capture activations on every step.
      for (const event of EVENT_NAMES)
        bus.on(event, (p) => void opts.out.write(`${toJson(eventRecord(event, p as object))}\n`), undefined, 'cli', {
          passive: true,
        });
      return;
    }
    // Info findings are facts, not alarms: they wait for the summary unless --verbose.
    on('finding', (f) => (f.severity !== 'info' || opts.verbose ? println(opts.out, findingLine(f, c)) : undefined));
    if (opts.mode === 'quiet') return;
    let begin: RunBeginEvent | undefined;
    let epochStart = 0;
    let batches = 0;
    on('run:begin', (e) => void (begin = e));
    on('epoch:begin', () => {
      epochStart = performance.now();
      batches = 0;
    });
    on('batch:end', (e) => {
      batches++;
      if (opts.mode !== 'tty' || !begin) return;
      const now = performance.now();
      const done = e.batch + 1;
      // Redrawn at most 10 times a second, and at the epoch's last step.
      if (now - drawnAt < 100 && done < begin.stepsPerEpoch) return;
      drawnAt = now;
      const rate = done / Math.max(1e-9, (now - epochStart) / 1000);
      const total = begin.stepsPerEpoch;
      const filled = Math.round((24 * Math.min(done, total)) / Math.max(1, total));
      const eta = Math.max(0, (total - done) / rate);
      const acc = e.metrics['acc'];
      clear();
      live = `epoch ${e.epoch + 1}/${begin.epochs} [${c.cyan('█'.repeat(filled))}${'░'.repeat(24 - filled)}] ${done}/${total}  loss ${fmt(e.loss)}${acc === undefined ? '' : `  acc ${fmt(acc)}`}  ${rate.toFixed(1)} steps/s  ETA ${eta.toFixed(0)}s`;
      redraw();
    });
    on('epoch:end', (e) => {
      clear();
      live = '';
      const secs = e.epochMs / 1000;
      println(
        opts.out,
        `${c.bold(`epoch ${e.epoch + 1}/${begin?.epochs ?? '?'}`)}  ${metricsLine(e.train, e.val)}  ${c.dim(`${secs.toFixed(1)} s, ${(batches / secs).toPrecision(3)} steps/s`)}`,
      );
    });
    on('run:end', () => {
      clear();
      live = '';
    });
  }

  return { attach, sink, line: (text) => println(opts.out, text) };
}
