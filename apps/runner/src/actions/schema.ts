import { builtinTasks } from '../config/builtin-tasks';
import { buildConfigJsonSchema } from '../config/config-schema';
import { discoverPlugins } from '../config/discover';
import { loadPlugin } from '../config/loader';
import { EXIT, type Io } from '../display/output';

/** `trainwatch schema`: the config's JSON Schema with every installed plugin's options, for editors. */
export async function schemaCommand(io: Io): Promise<number> {
  const plugins = [];
  for (const e of discoverPlugins()) plugins.push(await loadPlugin(e.packageName, process.cwd()));
  io.stdout.write(`${JSON.stringify(buildConfigJsonSchema(plugins, Object.values(builtinTasks())), null, 2)}\n`);
  return EXIT.completed;
}
