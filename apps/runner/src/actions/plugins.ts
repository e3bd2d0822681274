import { errorMessage, type Plugin } from '@trainwatch/core';
import { builtinTasks, DEMO_TASKS, demoTasks } from '../config/builtin-tasks';
import { describeOptions } from '../config/config-schema';
import { discoverPlugins } from '../config/discover';
import { loadConfig } from '../config/load-config';
import { loadPlugin } from '../config/loader';
import { EXIT, type Io } from '../display/output';

/** `trainwatch plugins`: installed plugins (and a config's local ones) with their options and defaults. */
export async function pluginsCommand(flags: { config?: string; json?: boolean }, io: Io): Promise<number> {
  const loaded: { use: string; source: string; plugin: Plugin }[] = [];
  for (const e of discoverPlugins()) {
    try {
      loaded.push({ use: e.use, source: e.packageName, plugin: await loadPlugin(e.packageName, process.cwd()) });
    } catch (err) {
      io.stderr.write(`${e.packageName}: ${errorMessage(err)}\n`);
    }
  }
  if (flags.config) {
    const resolved = await loadConfig(flags.config);
    for (const p of resolved.plugins)
      if (!loaded.some((l) => l.plugin === p.plugin))
        loaded.push({ use: p.plugin.name, source: 'config', plugin: p.plugin });
  }
  if (flags.json) {
    const rows = loaded.map((l) => ({
      use: l.use,
      source: l.source,
      description: l.plugin.description,
      schema: l.plugin.schema,
    }));
    io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return EXIT.completed;
  }
  if (loaded.length === 0)
    io.stdout.write(
      'No plugins installed. Local plugins load by path ("use": "./my-plugin.js"); see docs/writing-plugins.md.\n',
    );
  for (const l of loaded) {
    io.stdout.write(
      `${l.use}  (${l.source})${l.plugin.order ? ` order: ${l.plugin.order}` : ''}\n  ${l.plugin.description}\n`,
    );
    for (const line of describeOptions(l.plugin.schema)) io.stdout.write(`    ${line}\n`);
  }
  const tasks = Object.values(builtinTasks()).map((t) => t.name);
  const more = demoTasks() ? '' : ` (demo tasks ${DEMO_TASKS.join(', ')}: npm i -D @trainwatch/tasks)`;
  io.stdout.write(`\nTasks: ${tasks.join(', ')}${more}\n`);
  return EXIT.completed;
}
