import { builtinTasks } from '../config/builtin-tasks';
import { buildConfigJsonSchema } from '../config/config-schema';
import { discoverPlugins } from '../config/discover';
import { loadPlugin } from '../config/loader';
import { EXIT } from '../display/output';
import type { RegisterCommand } from './command';

/** `trainwatch schema`: the config's JSON Schema with every installed plugin's options, for editors. */
export const registerSchema: RegisterCommand = (program, io, done) => {
  program
    .command('schema')
    .description('print a JSON Schema of the config (plugin options included) for editors ("$schema")')
    .action(async () => {
      const plugins = [];
      for (const e of discoverPlugins()) plugins.push(await loadPlugin(e.packageName, process.cwd()));
      io.stdout.write(`${JSON.stringify(buildConfigJsonSchema(plugins, Object.values(builtinTasks())), null, 2)}\n`);
      done(EXIT.completed);
    });
};
