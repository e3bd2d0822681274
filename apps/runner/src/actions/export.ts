import * as path from 'node:path';
import { createLogger, disposeTask, selectBackend, stderrSink } from '@trainwatch/core/runner';
import { exportReference } from '@trainwatch/reference-check';
import { loadConfig } from '../config/load-config';
import { displayPath, EXIT, type Io } from '../display/output';

/** `trainwatch export <config>`: the model, its initial weights and a batch for a reference implementation. */
export async function exportCommand(configFile: string, flags: { out?: string; examples?: number }, io: Io) {
  const r = await loadConfig(configFile);
  const ref = r.plugins.find((p) => p.plugin.name === 'reference-check');
  const n = flags.examples ?? (ref?.options?.['examples'] as number | undefined) ?? 16;
  await selectBackend(r.config.training.backend);
  const log = createLogger(r.task.name, stderrSink);
  const inst = await r.task.create(r.taskOptions, { seed: r.config.training.seed, log });
  try {
    const dir = path.resolve(flags.out ?? 'reference');
    const { file, examples } = exportReference(r.task.name, inst, { dir, examples: n });
    const dump = path.join(dir, 'reference-dump.json');
    io.stdout.write(
      `${displayPath(file)}: ${r.task.name}, ${inst.model.layers.length} layers, the first ${examples} training examples (seed ${r.config.training.seed})\n` +
        `next: python3 tools/reference/torch_dump.py ${displayPath(file)} ${displayPath(dump)}\n` +
        `then add to the config: { "use": "reference-check", "options": { "reference": "dump", "file": "${displayPath(dump)}", "examples": ${n} } }\n`,
    );
    return EXIT.completed;
  } finally {
    disposeTask(inst);
  }
}
