import * as path from 'node:path';
import { runTraining } from '@trainwatch/core/runner';
import type { BackendFlag } from '../args';
import { loadConfig } from '../config/load-config';
import { TensorboardLive } from '@trainwatch/report';
import { displayPath, EXIT, failsOn, printSummary, writeOutputs, type Io, type OutputMode } from '../display/output';
import { createDisplay } from '../display/progress';

export interface RunFlags {
  out?: string;
  backend?: BackendFlag;
  seed?: number;
  maxSteps?: number;
  quiet?: boolean;
  json?: boolean;
  failFast?: boolean;
  failOn?: 'warn' | 'error';
  tensorboard?: boolean;
  verbose?: boolean;
}

/** `trainwatch run <config>`: trains the task with its plugins, then writes the report and prints the summary. */
export async function runCommand(configFile: string, flags: RunFlags, io: Io): Promise<number> {
  const resolved = await loadConfig(configFile);
  const { config } = resolved;
  if (flags.backend) config.training.backend = flags.backend;
  if (flags.seed !== undefined) config.training.seed = flags.seed;
  if (flags.maxSteps !== undefined) config.training.maxSteps = flags.maxSteps;
  if (flags.failFast) config.training.failFast = true;
  const isTty = (io.stdout as NodeJS.WriteStream).isTTY;
  const mode: OutputMode = flags.json ? 'json' : flags.quiet ? 'quiet' : isTty ? 'tty' : 'plain';
  const display = createDisplay({ mode, out: io.stdout, err: io.stderr, verbose: flags.verbose === true });

  // First Ctrl-C or SIGTERM (timeout, CI runners, docker stop, systemd): finish the step, write
  // every output, status "stopped". A second signal of either kind: leave at once.
  const abort = new AbortController();
  let stoppedBy: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGINT' ? EXIT.interrupted : EXIT.terminated;
    if (stoppedBy) {
      io.stderr.write(`\n${signal} again: exiting now\n`);
      process.exit(code);
    }
    stoppedBy = signal;
    io.stderr.write(`\n${signal}: stopping after this step (again to exit at once)…\n`);
    abort.abort(signal === 'SIGINT' ? 'interrupted by the user (Ctrl-C)' : `terminated (${signal})`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  // When whatever started us goes away (an npx wrapper killed, a closed terminal), we are
  // reparented: stop like SIGTERM instead of training on as an orphan.
  const parent = process.ppid;
  const orphanWatch = setInterval(() => {
    if (process.ppid !== parent && !stoppedBy) onSignal('SIGTERM');
  }, 1000);
  orphanWatch.unref();
  const tensorboard = flags.tensorboard === true || config.output.tensorboard;
  let live: ReturnType<typeof liveTensorboard> | undefined;
  try {
    const result = await runTraining({
      config,
      task: resolved.task,
      taskOptions: resolved.taskOptions,
      plugins: resolved.plugins,
      ...(flags.out ? { runDir: path.resolve(flags.out) } : {}),
      signal: abort.signal,
      logSink: display.sink,
      onBus: (bus, runDir) => {
        display.attach(bus);
        if (tensorboard) live = liveTensorboard(runDir, io);
        const banner = (e: { task: string; backend: string; trainSize: number; valSize: number }) => {
          if (mode === 'json' || mode === 'quiet') return;
          const plugins = resolved.plugins.map((p) => p.plugin.name).join(', ') || 'none';
          display.line(
            `trainwatch: ${e.task} on ${e.backend} · ${e.trainSize} train / ${e.valSize} validation examples`,
          );
          display.line(`  plugins: ${plugins}`);
        };
        bus.on('run:begin', banner, undefined, 'cli');
      },
    });
    const outputs = writeOutputs(result.runDir, { report: config.output.report, tensorboard: false }, io);
    const tb = live?.close();
    if (tb) outputs.push(tb);
    printSummary(result, io, mode, outputs);
    if (result.status === 'completed') return failsOn(result.diagnosis, flags.failOn) ? EXIT.findings : EXIT.completed;
    if (result.status === 'failed') return EXIT.failed;
    if (stoppedBy) return stoppedBy === 'SIGINT' ? EXIT.interrupted : EXIT.terminated;
    return EXIT.stopped;
  } finally {
    live?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    clearInterval(orphanWatch);
  }
}

/**
 * TensorBoard's event file appended every 3 s while the run goes (`tensorboard --logdir runs` shows
 * it mid-way), and once more at the end. A write that fails is said once; the run goes on.
 */
function liveTensorboard(runDir: string, io: Io): { close(): string | undefined } {
  const live = new TensorboardLive(runDir);
  let failed = false;
  const flush = (final: boolean) => {
    if (failed) return;
    try {
      live.flush(final);
    } catch (e) {
      failed = true;
      io.stderr.write(`trainwatch: could not write TensorBoard files: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  };
  const timer = setInterval(() => flush(false), 3000);
  timer.unref();
  let closed = false;
  return {
    close() {
      if (closed) return undefined;
      closed = true;
      clearInterval(timer);
      flush(true);
      const dir = path.dirname(live.file);
      return failed ? undefined : `tensorboard: ${displayPath(dir)} (tensorboard --logdir ${displayPath(runDir)})`;
    },
  };
}
