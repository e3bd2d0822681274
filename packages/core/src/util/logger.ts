/** How loud a log line is; `debug` lines show only with TRAINWATCH_DEBUG. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A logger named after its source (a plugin, the task, the core). */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Where log lines go; the CLI prints them, tests collect them. */
export type LogSink = (level: LogLevel, source: string, message: string) => void;

/** Default sink: stderr, so stdout stays clean for `--json`. */
export const stderrSink: LogSink = (level, source, message) => {
  process.stderr.write(`[${source}] ${level === 'info' ? '' : `${level}: `}${message}\n`);
};

export function createLogger(source: string, sink: LogSink): Logger {
  return {
    debug: (m) => sink('debug', source, m),
    info: (m) => sink('info', source, m),
    warn: (m) => sink('warn', source, m),
    error: (m) => sink('error', source, m),
  };
}
