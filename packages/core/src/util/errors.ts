/** Stable error codes; users and tools match on these, never on messages. */
export type ErrorCode =
  | 'invalid-config'
  | 'invalid-filter'
  | 'unknown-event'
  | 'plugin-error'
  | 'plugin-load'
  | 'task-error'
  | 'backend-unavailable'
  | 'kernel-missing'
  | 'data-error'
  | 'sync-listener'
  | 'io-error'
  | 'run-dir-exists'
  | 'run-dir-not-empty'
  | 'run-dir-invalid';

/** Base class of every error trainwatch throws on purpose. */
export class TrainwatchError extends Error {
  override readonly name: string = 'TrainwatchError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * A task or model that cannot train, said as a finding too: the run fails with this message and
 * `findings.json` (and so the diagnosis and the doctor) holds it as an `error` finding with `finding` as code.
 */
export class TaskProblem extends TrainwatchError {
  override readonly name = 'TaskProblem';
  constructor(
    /** The finding code (kebab-case), e.g. `no-trainable-weights`. */
    readonly finding: string,
    message: string,
    /** The layer it is about, when there is one. */
    readonly layer?: string,
  ) {
    super('task-error', message);
  }
}

/** One problem in a config, addressed by its JSON path (e.g. `plugins[0].options.maxNorm`). */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** An invalid config: carries every issue found, not only the first. */
export class ConfigError extends TrainwatchError {
  override readonly name = 'ConfigError';
  constructor(readonly issues: readonly ConfigIssue[]) {
    super('invalid-config', ConfigError.format(issues));
  }
  static format(issues: readonly ConfigIssue[]): string {
    const lines = issues.map((i) => `  ${i.path ? `${i.path}: ` : ''}${i.message}`);
    return `invalid config (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines.join('\n')}`;
  }
}

/** An exception raised inside a plugin, named by plugin and by the event (or phase) it was handling. */
export class PluginError extends TrainwatchError {
  override readonly name = 'PluginError';
  constructor(
    readonly plugin: string,
    readonly event: string,
    cause: unknown,
  ) {
    super('plugin-error', `plugin "${plugin}" failed in ${event}: ${errorMessage(cause)}`, { cause });
  }
}

/** A backend that was asked for explicitly and could not be loaded. */
export class BackendError extends TrainwatchError {
  override readonly name = 'BackendError';
  constructor(message: string, options?: { cause?: unknown }) {
    super('backend-unavailable', message, options);
  }
}

/** The message of anything thrown, including non-Error values. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  // A thrown BigInt, Symbol or object with a cycle must still give a message, never a second error.
  try {
    const json = JSON.stringify(e);
    if (json !== undefined) return json;
  } catch {
    // not JSON: fall through
  }
  try {
    return String(e);
  } catch {
    return Object.prototype.toString.call(e);
  }
}
