import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import { BackendError, ConfigError, TrainwatchError } from '@trainwatch/core/errors';
import { registerCommands } from './commands/registry';
import { EXIT, type Io } from './display/exit';

function ownVersion(): string {
  const file = path.join(__dirname, '..', 'package.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
}

/** Builds the `trainwatch` program; `main` runs it. Exported for tests. */
export function buildProgram(io: Io, setCode: (code: number) => void): Command {
  const program = new Command('trainwatch')
    .description('Train TensorFlow.js models with plugins that check gradients, activations and progress.')
    .version(ownVersion())
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  registerCommands(program, io, setCode);
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
    if (e instanceof BackendError || (e instanceof TrainwatchError && e.code.startsWith('run-dir-'))) {
      io.stderr.write(`trainwatch: ${e.message}\n`);
      return EXIT.usage;
    }
    io.stderr.write(`trainwatch: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT.failed;
  }
}

/**
 * The `trainwatch` command: runs `main`, then ends the process with its code once stdout and stderr
 * are flushed, even if a plugin left a timer or a socket open (the command is over when it says so).
 */
export function runCli(argv: string[] = process.argv): void {
  void main(argv).then((code) => {
    process.exitCode = code;
    let pending = 2;
    const done = () => {
      if (--pending === 0) process.exit(code);
    };
    process.stdout.write('', done);
    process.stderr.write('', done);
  });
}
