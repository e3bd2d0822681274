import type { Command } from 'commander';
import type { Io } from '../display/output';

/** Adds one subcommand to the program; its action resolves to an exit code passed to `done`. */
export type RegisterCommand = (program: Command, io: Io, done: (code: number) => void) => void;
