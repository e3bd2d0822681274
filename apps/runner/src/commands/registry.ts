import type { Command } from 'commander';
import { backendName, BACKENDS, failLevel, integer, positiveInt } from '../args';
import type * as Compare from '../actions/compare';
import type * as Doctor from '../actions/doctor';
import type * as Export from '../actions/export';
import type * as Plugins from '../actions/plugins';
import type * as Report from '../actions/report';
import type * as Run from '../actions/run';
import type * as Schema from '../actions/schema';
import type * as Serve from '../actions/serve';
import type * as Validate from '../actions/validate';
import type { Io } from '../display/exit';

/* eslint-disable @typescript-eslint/no-require-imports -- each command's code is loaded when it runs, not at startup */
const load = {
  run: () => require('../actions/run') as typeof Run,
  doctor: () => require('../actions/doctor') as typeof Doctor,
  export: () => require('../actions/export') as typeof Export,
  report: () => require('../actions/report') as typeof Report,
  serve: () => require('../actions/serve') as typeof Serve,
  compare: () => require('../actions/compare') as typeof Compare,
  validate: () => require('../actions/validate') as typeof Validate,
  plugins: () => require('../actions/plugins') as typeof Plugins,
  schema: () => require('../actions/schema') as typeof Schema,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * Every subcommand's name, arguments and options, and nothing else: what each command does lives
 * in `../actions` and is loaded when the command runs. `trainwatch --help`, `run --help` and a
 * typo then never load TensorFlow.js, the core or the report (~0.2 s of a 0.27 s `--help`).
 */
export function registerCommands(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('run')
    .description('train the task in a config file with its plugins')
    .argument('<config>', 'path to a JSON config')
    .option('--out <dir>', 'run directory (default: <output.dir>/<timestamp>-<task>)')
    .option('--backend <name>', `force a backend: ${BACKENDS.join(', ')}`, backendName)
    .option('--seed <n>', 'seed for batch order and initialisers', integer('--seed'))
    .option('--max-steps <n>', 'stop after n optimizer steps', positiveInt('--max-steps'))
    .option('--fail-fast', 'a plugin error fails the run')
    .option(
      '--fail-on <level>',
      'exit 4 when the diagnosis names a cause at this level or above: warn or error',
      failLevel,
    )
    .option('--quiet', 'no progress output, only findings and the summary')
    .option('--verbose', 'also plugins’ detail lines (e.g. every sample table, samples drawn as text)')
    .option('--json', 'one JSON line per event on stdout')
    .option('--tensorboard', 'also write TensorBoard event files (tensorboard/ in the run directory)')
    .action(async (config: string, flags: Run.RunFlags) => done(await load.run().runCommand(config, flags, io)));

  program
    .command('doctor')
    .description(
      'preflight: initial loss, gradient check, tiny-set overfit, input-independent baseline, simpler network, reference comparison (when configured)',
    )
    .argument('<config>', 'path to a JSON config')
    .option('--out <dir>', 'run directory for the findings and the report')
    .option('--quiet', 'only the verdict table and findings')
    .action(async (config: string, flags: { out?: string; quiet?: boolean }) =>
      done(await load.doctor().doctorCommand(config, flags, io)),
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
      done(await load.export().exportCommand(config, flags, io)),
    );

  program
    .command('report')
    .description('rebuild report.html from a run directory (works for crashed and interrupted runs)')
    .argument('<runDir>', 'a run directory')
    .option('--tensorboard', 'also write TensorBoard event files')
    .action((runDir: string, flags: { tensorboard?: boolean }) => done(load.report().reportCommand(runDir, flags, io)));

  program
    .command('serve')
    .description('a local page listing runs and following the open one live while it trains (127.0.0.1 only)')
    .argument('[dir]', 'a runs folder or one run directory', 'runs')
    .option('--port <n>', 'port on 127.0.0.1 (default 6060)', positiveInt('--port'))
    .action(async (dir: string, flags: { port?: number }) => done(await load.serve().serveCommand(dir, flags, io)));

  program
    .command('compare')
    .description('one page comparing runs: curves overlaid, config differences, findings side by side')
    .argument('<runs...>', 'two or more run directories')
    .option('--out <file>', 'the page to write (default compare.html)')
    .action((runs: string[], flags: { out?: string }) => done(load.compare().compareCommand(runs, flags, io)));

  program
    .command('validate')
    .description('check a config (schema, modules, plugin options, task and plugin setup) without training')
    .argument('<config>', 'path to a JSON config')
    .action(async (config: string) => done(await load.validate().validateCommand(config, io)));

  program
    .command('plugins')
    .description('list installed plugins with their options, defaults and descriptions')
    .option('--config <file>', 'also list the plugins a config loads (local files included)')
    .option('--json', 'machine-readable output')
    .action(async (flags: { config?: string; json?: boolean }) => done(await load.plugins().pluginsCommand(flags, io)));

  program
    .command('schema')
    .description('print a JSON Schema of the config (plugin options included) for editors ("$schema")')
    .action(async () => done(await load.schema().schemaCommand(io)));
}
