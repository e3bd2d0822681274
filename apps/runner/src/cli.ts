import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import {
  BackendError,
  ConfigError,
  countBySeverity,
  createLogger,
  disposeTask,
  errorMessage,
  isBatchSource,
  runTraining,
  selectBackend,
  stderrSink,
  tf,
  TrainwatchError,
  type LogSink,
  type RunResult,
} from '@trainwatch/core';
import { referenceBatch, referenceInput, writeReferenceInput } from '@trainwatch/reference-check';
import { readRun, writeReport, writeTensorboard } from '@trainwatch/report';
import { builtinTasks } from '@trainwatch/tasks';
import { discoverPlugins } from './discover';
import { doctor, verdictTable } from './doctor';
import { loadConfig } from './load-config';
import { loadPlugin } from './loader';
import { attachDisplay, findingLine } from './progress';
import { buildConfigJsonSchema, describeOptions } from './schema';

/** Exit codes: documented in the README; scripts rely on them. */
export const EXIT = { completed: 0, failed: 1, usage: 2, stopped: 3, interrupted: 130 } as const;

const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;

function positiveInt(option: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1)
      throw new InvalidArgumentError(`${option} must be a positive integer, got "${value}"`);
    return n;
  };
}

function integer(option: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${option} must be an integer, got "${value}"`);
    return n;
  };
}

function backendName(value: string): (typeof BACKENDS)[number] {
  if (!(BACKENDS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`--backend must be one of ${BACKENDS.join(', ')}, got "${value}"`);
  return value as (typeof BACKENDS)[number];
}

interface RunFlags {
  out?: string;
  backend?: (typeof BACKENDS)[number];
  seed?: number;
  maxSteps?: number;
  quiet?: boolean;
  json?: boolean;
  failFast?: boolean;
  tensorboard?: boolean;
}

interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Relative to the working directory when inside it, absolute otherwise. */
function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel === '' ? '.' : rel.startsWith('..') ? p : rel;
}

function printSummary(result: RunResult, io: Io, mode: string, outputs: string[]): void {
  const s = result.summary;
  const counts = countBySeverity(result.findings);
  const finals = Object.entries(s.final)
    .map(([k, v]) => `${k} ${Number.isFinite(v) ? v.toFixed(4) : String(v)}`)
    .join('  ');
  // Findings grouped by severity with their codes (and how often each fired).
  const bySeverity = (['error', 'warn', 'info'] as const)
    .map((sev) => {
      const codes = new Map<string, number>();
      for (const f of result.findings) if (f.severity === sev) codes.set(f.code, (codes.get(f.code) ?? 0) + 1);
      return codes.size ? `    ${sev}: ${[...codes].map(([c, n]) => (n > 1 ? `${c} x${n}` : c)).join(', ')}\n` : '';
    })
    .join('');
  const out = mode === 'json' ? io.stderr : io.stdout;
  out.write(
    `\n${s.status}: ${s.reason}\n` +
      `  ${s.steps} steps, ${s.epochs} epoch${s.epochs === 1 ? '' : 's'} in ${(s.wallMs / 1000).toFixed(1)} s on ${s.backend.name}${finals ? `\n  ${finals}` : ''}\n` +
      `  findings: ${counts.error} error, ${counts.warn} warn, ${counts.info} info\n${bySeverity}` +
      `  run directory: ${displayPath(s.runDir)}\n` +
      outputs.map((o) => `  ${o}\n`).join(''),
  );
}

/** report.html (and TensorBoard files) from the run directory; a failure here never loses the run's other outputs. */
function writeOutputs(runDir: string, o: { report: boolean; tensorboard: boolean }, io: Io): string[] {
  const lines: string[] = [];
  try {
    if (o.report) lines.push(`report: ${displayPath(writeReport(runDir))}`);
    if (o.tensorboard)
      lines.push(
        `tensorboard: ${displayPath(path.dirname(writeTensorboard(readRun(runDir))))} (tensorboard --logdir ${displayPath(runDir)})`,
      );
  } catch (e) {
    io.stderr.write(`trainwatch: could not write the report: ${e instanceof Error ? e.message : String(e)}\n`);
  }
  return lines;
}

async function runCommand(configFile: string, flags: RunFlags, io: Io): Promise<number> {
  const resolved = await loadConfig(configFile);
  const { config } = resolved;
  if (flags.backend) config.training.backend = flags.backend;
  if (flags.seed !== undefined) config.training.seed = flags.seed;
  if (flags.maxSteps !== undefined) config.training.maxSteps = flags.maxSteps;
  if (flags.failFast) config.training.failFast = true;
  const mode = flags.json ? 'json' : flags.quiet ? 'quiet' : (io.stdout as NodeJS.WriteStream).isTTY ? 'tty' : 'plain';
  const sink: LogSink = (level, source, message) => {
    if (level === 'debug' && !process.env['TRAINWATCH_DEBUG']) return;
    // --quiet: plugins' informational lines (evaluations, sample tables) are progress output too.
    if (level === 'info' && mode === 'quiet') return;
    stderrSink(level, source, message);
  };

  // First Ctrl-C: finish the step, flush, status "stopped". Second: leave at once.
  const abort = new AbortController();
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) {
      io.stderr.write('\ninterrupted again: exiting now\n');
      process.exit(EXIT.interrupted);
    }
    interrupted = true;
    io.stderr.write('\nstopping after this step (Ctrl-C again to exit at once)…\n');
    abort.abort('interrupted by the user (Ctrl-C)');
  };
  process.on('SIGINT', onSigint);
  try {
    const result = await runTraining({
      config,
      task: resolved.task,
      taskOptions: resolved.taskOptions,
      plugins: resolved.plugins,
      ...(flags.out ? { runDir: path.resolve(flags.out) } : {}),
      signal: abort.signal,
      logSink: sink,
      onBus: (bus) => {
        attachDisplay(bus, { mode, out: io.stdout });
        bus.on(
          'run:begin',
          (e) => {
            if (mode === 'json' || mode === 'quiet') return;
            const plugins = resolved.plugins.map((p) => p.plugin.name).join(', ') || 'none';
            io.stdout.write(
              `trainwatch: ${e.task} on ${e.backend}, ${e.trainSize} train / ${e.valSize} validation examples, plugins: ${plugins}\n`,
            );
          },
          undefined,
          'cli',
        );
      },
    });
    const outputs = writeOutputs(
      result.runDir,
      { report: config.output.report, tensorboard: flags.tensorboard === true || config.output.tensorboard },
      io,
    );
    printSummary(result, io, mode, outputs);
    if (result.status === 'completed') return EXIT.completed;
    if (result.status === 'failed') return EXIT.failed;
    return interrupted ? EXIT.interrupted : EXIT.stopped;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function reportCommand(runDir: string, flags: { tensorboard?: boolean }, io: Io): number {
  const dir = path.resolve(runDir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    io.stderr.write(`trainwatch report: ${runDir} is not a directory\n`);
    return EXIT.usage;
  }
  if (!['events.jsonl', 'findings.json', 'summary.json', 'config.json'].some((f) => fs.existsSync(path.join(dir, f)))) {
    io.stderr.write(
      `trainwatch report: ${runDir} does not look like a run directory (no events.jsonl, findings.json, summary.json or config.json)\n`,
    );
    return EXIT.usage;
  }
  const lines = writeOutputs(dir, { report: true, tensorboard: flags.tensorboard === true }, io);
  if (lines.length === 0) return EXIT.failed;
  io.stdout.write(lines.map((l) => `${l}\n`).join(''));
  return EXIT.completed;
}

async function doctorCommand(configFile: string, flags: { out?: string; quiet?: boolean }, io: Io): Promise<number> {
  const resolved = await loadConfig(configFile);
  const sink: LogSink = (level, source, message) => {
    if (level === 'debug' && !process.env['TRAINWATCH_DEBUG']) return;
    if (level === 'info' && flags.quiet) return;
    stderrSink(level, source, message);
  };
  io.stdout.write(
    `trainwatch doctor: ${resolved.task.name}: initial loss, gradient check, tiny-set overfit, input-independent baseline, simpler network${resolved.plugins.some((p) => p.plugin.name === 'reference-check') ? ', reference comparison' : ''}\n`,
  );
  const { result, verdicts } = await doctor(resolved, flags.out ? path.resolve(flags.out) : undefined, sink);
  const outputs = writeOutputs(result.runDir, { report: true, tensorboard: false }, io);
  io.stdout.write(`\n${verdictTable(verdicts)}\n`);
  for (const f of result.findings.filter((x) => x.severity !== 'info')) io.stdout.write(`${findingLine(f)}\n`);
  const errors = result.findings.filter((f) => f.severity === 'error').length;
  io.stdout.write(
    `\n${errors ? `${errors} error finding${errors === 1 ? '' : 's'}: fix these before training for long` : 'healthy: no error finding'}\n  run directory: ${displayPath(result.runDir)}\n${outputs.map((o) => `  ${o}\n`).join('')}`,
  );
  return errors ? EXIT.stopped : EXIT.completed;
}

async function exportCommand(configFile: string, flags: { out?: string; examples?: number }, io: Io): Promise<number> {
  const r = await loadConfig(configFile);
  const ref = r.plugins.find((p) => p.plugin.name === 'reference-check');
  const n = flags.examples ?? (ref?.options?.['examples'] as number | undefined) ?? 16;
  await selectBackend(r.config.training.backend);
  const inst = await r.task.create(r.taskOptions, {
    seed: r.config.training.seed,
    log: createLogger(r.task.name, stderrSink),
  });
  try {
    if (typeof inst.loss !== 'string')
      throw new ConfigError([
        {
          path: 'task.use',
          message: `export needs a task with a named loss (the reference must compute the same one); ${r.task.name} uses a function`,
        },
      ]);
    if (isBatchSource(inst.train))
      throw new ConfigError([
        {
          path: 'task.use',
          message: `export needs training examples in memory; ${r.task.name} produces its batches while training`,
        },
      ]);
    const batch = referenceBatch(inst.train, n);
    const dir = path.resolve(flags.out ?? 'reference');
    const file = writeReferenceInput(dir, referenceInput(inst.model, batch, inst.loss));
    tf.dispose([batch.x, batch.y]);
    const dump = path.join(dir, 'reference-dump.json');
    io.stdout.write(
      `${displayPath(file)}: ${r.task.name}, ${inst.model.layers.length} layers, the first ${batch.x.shape[0]} training examples (seed ${r.config.training.seed})\n` +
        `next: python3 tools/reference/torch_dump.py ${displayPath(file)} ${displayPath(dump)}\n` +
        `then add to the config: { "use": "reference-check", "options": { "reference": "dump", "file": "${displayPath(dump)}", "examples": ${n} } }\n`,
    );
    return EXIT.completed;
  } finally {
    disposeTask(inst);
  }
}

async function pluginsCommand(flags: { config?: string; json?: boolean }, io: Io): Promise<number> {
  const entries = discoverPlugins();
  const loaded = [];
  for (const e of entries) {
    try {
      loaded.push({ use: e.use, source: e.packageName, plugin: await loadPlugin(e.packageName, process.cwd()) });
    } catch (err) {
      io.stderr.write(`${e.packageName}: ${errorMessage(err)}\n`);
    }
  }
  if (flags.config) {
    const resolved = await loadConfig(flags.config);
    for (const p of resolved.plugins)
      if (!loaded.some((l) => l.plugin === p.plugin))
        loaded.push({ use: p.plugin.name, source: 'config', plugin: p.plugin });
  }
  if (flags.json) {
    io.stdout.write(
      `${JSON.stringify(
        loaded.map((l) => ({
          use: l.use,
          source: l.source,
          description: l.plugin.description,
          schema: l.plugin.schema,
        })),
        null,
        2,
      )}\n`,
    );
    return EXIT.completed;
  }
  if (loaded.length === 0)
    io.stdout.write(
      'No plugins installed. Local plugins load by path ("use": "./my-plugin.js"); see docs/writing-plugins.md.\n',
    );
  for (const l of loaded) {
    io.stdout.write(
      `${l.use}  (${l.source})${l.plugin.order ? ` order: ${l.plugin.order}` : ''}\n  ${l.plugin.description}\n`,
    );
    for (const line of describeOptions(l.plugin.schema)) io.stdout.write(`    ${line}\n`);
  }
  io.stdout.write(
    `\nTasks: ${Object.values(builtinTasks)
      .map((t) => t.name)
      .join(', ')}\n`,
  );
  return EXIT.completed;
}

async function schemaCommand(io: Io): Promise<number> {
  const plugins = [];
  for (const e of discoverPlugins()) plugins.push(await loadPlugin(e.packageName, process.cwd()));
  io.stdout.write(`${JSON.stringify(buildConfigJsonSchema(plugins, Object.values(builtinTasks)), null, 2)}\n`);
  return EXIT.completed;
}

/** Builds the `trainwatch` program; `main` runs it. Exported for tests. */
export function buildProgram(io: Io, setCode: (code: number) => void): Command {
  const program = new Command('trainwatch')
    .description('Train TensorFlow.js models with plugins that check gradients, activations and progress.')
    .version(require('../package.json').version as string)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  program
    .command('run')
    .description('train the task in a config file with its plugins')
    .argument('<config>', 'path to a JSON config')
    .option('--out <dir>', 'run directory (default: <output.dir>/<timestamp>-<task>)')
    .option('--backend <name>', `force a backend: ${BACKENDS.join(', ')}`, backendName)
    .option('--seed <n>', 'seed for batch order and initialisers', integer('--seed'))
    .option('--max-steps <n>', 'stop after n optimizer steps', positiveInt('--max-steps'))
    .option('--fail-fast', 'a plugin error fails the run')
    .option('--quiet', 'no progress output, only findings and the summary')
    .option('--json', 'one JSON line per event on stdout')
    .option('--tensorboard', 'also write TensorBoard event files (tensorboard/ in the run directory)')
    .action(async (config: string, flags: RunFlags) => setCode(await runCommand(config, flags, io)));
  program
    .command('doctor')
    .description(
      'preflight: initial loss, gradient check, tiny-set overfit, input-independent baseline, simpler network, reference comparison (when configured)',
    )
    .argument('<config>', 'path to a JSON config')
    .option('--out <dir>', 'run directory for the findings and the report')
    .option('--quiet', 'only the verdict table and findings')
    .action(async (config: string, flags: { out?: string; quiet?: boolean }) =>
      setCode(await doctorCommand(config, flags, io)),
    );
  program
    .command('export')
    .description(
      'write the model, its initial weights and the first training examples for a reference implementation (tools/reference/torch_dump.py)',
    )
    .argument('<config>', 'path to a JSON config')
    .option('--out <dir>', 'folder for reference-input.json (default ./reference)')
    .option(
      '--examples <n>',
      'training examples in the batch (default: reference-check options, else 16)',
      positiveInt('--examples'),
    )
    .action(async (config: string, flags: { out?: string; examples?: number }) =>
      setCode(await exportCommand(config, flags, io)),
    );
  program
    .command('report')
    .description('rebuild report.html from a run directory (works for crashed and interrupted runs)')
    .argument('<runDir>', 'a run directory')
    .option('--tensorboard', 'also write TensorBoard event files')
    .action(async (runDir: string, flags: { tensorboard?: boolean }) => setCode(reportCommand(runDir, flags, io)));
  program
    .command('validate')
    .description('check a config (schema, modules, plugin options) without training')
    .argument('<config>', 'path to a JSON config')
    .action(async (config: string) => {
      const r = await loadConfig(config);
      io.stdout.write(
        `${config}: OK (task ${r.task.name}, plugins: ${r.plugins.map((p) => p.plugin.name).join(', ') || 'none'})\n`,
      );
      setCode(EXIT.completed);
    });
  program
    .command('plugins')
    .description('list installed plugins with their options, defaults and descriptions')
    .option('--config <file>', 'also list the plugins a config loads (local files included)')
    .option('--json', 'machine-readable output')
    .action(async (flags: { config?: string; json?: boolean }) => setCode(await pluginsCommand(flags, io)));
  program
    .command('schema')
    .description('print a JSON Schema of the config (plugin options included) for editors ("$schema")')
    .action(async () => setCode(await schemaCommand(io)));
  return program;
}

/** Runs the CLI and resolves to the exit code (0 completed, 1 failed, 2 usage/config, 3 stopped, 130 Ctrl-C). */
export async function main(
  argv: string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let code: number = EXIT.completed;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.completed : EXIT.usage;
    if (e instanceof ConfigError) {
      io.stderr.write(`trainwatch: ${e.message}\nNothing was trained.\n`);
      return EXIT.usage;
    }
    if (e instanceof BackendError || (e instanceof TrainwatchError && e.code === 'run-dir-exists')) {
      io.stderr.write(`trainwatch: ${e.message}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`trainwatch: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.failed;
  }
}
