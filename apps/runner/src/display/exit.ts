// What every command needs before it loads anything heavy: the exit codes and where output goes.

/** Exit codes: documented in the README; scripts rely on them. */
export const EXIT = {
  completed: 0,
  failed: 1,
  usage: 2,
  stopped: 3,
  /** Completed, but the diagnosis names a cause at or above `--fail-on`. */
  findings: 4,
  interrupted: 130,
  terminated: 143,
} as const;

/** Where a command writes: the process's streams, or a test's. */
export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}
