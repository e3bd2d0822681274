import { serveRuns } from '@trainwatch/report';
import { EXIT, type Io } from '../display/output';

/**
 * `trainwatch serve [dir]`: a local, read-only page for a runs folder or one run (127.0.0.1 only),
 * updating the open run while it trains. Runs until Ctrl-C (or `signal`).
 */
export async function serveCommand(
  dir: string,
  flags: { port?: number },
  io: Io,
  signal?: AbortSignal,
): Promise<number> {
  let server;
  try {
    server = await serveRuns(dir, { port: flags.port ?? 6060 });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why =
      err.code === 'EADDRINUSE' ? `port ${flags.port ?? 6060} is taken (choose another with --port)` : err.message;
    io.stderr.write(`trainwatch serve: ${why}\n`);
    return EXIT.usage;
  }
  io.stdout.write(`trainwatch serve: ${dir} at ${server.url} (local only, read-only; Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    if (signal) signal.addEventListener('abort', stop, { once: true });
    else {
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }
  });
  await server.close();
  return EXIT.completed;
}
