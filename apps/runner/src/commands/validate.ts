import { loadConfig } from '../config/load-config';
import { EXIT } from '../display/output';
import type { RegisterCommand } from './command';

/** `trainwatch validate <config>`: everything a run checks (schema, modules, plugin options), nothing trained. */
export const registerValidate: RegisterCommand = (program, io, done) => {
  program
    .command('validate')
    .description('check a config (schema, modules, plugin options) without training')
    .argument('<config>', 'path to a JSON config')
    .action(async (config: string) => {
      const r = await loadConfig(config);
      const plugins = r.plugins.map((p) => p.plugin.name).join(', ') || 'none';
      io.stdout.write(`${config}: OK (task ${r.task.name}, plugins: ${plugins})\n`);
      done(EXIT.completed);
    });
};
