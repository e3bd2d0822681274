import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ConfigError,
  validateOptions,
  type ConfigIssue,
  type JsonSchema,
  type PluginUse,
  type Task,
  type TrainwatchConfig,
} from '@trainwatch/core';
import { validateConfig } from '@trainwatch/core/runner';
import { discoverPlugins } from './discover';
import { LoadError, loadPlugin, loadTask } from './loader';

/**
 * Options a plugin or task marks with `"x-path": true` in its schema are file paths: relative ones are
 * resolved against the config file's folder, like `use` paths, so a config works from any directory.
 */
export function resolvePaths(schema: JsonSchema, options: Record<string, unknown>, baseDir: string): void {
  const props = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
  for (const [k, p] of Object.entries(props)) {
    const v = options[k];
    if (p['x-path'] === true && typeof v === 'string' && !path.isAbsolute(v)) options[k] = path.resolve(baseDir, v);
    else if (p['type'] === 'object' && v && typeof v === 'object' && !Array.isArray(v))
      resolvePaths(p, v as Record<string, unknown>, baseDir);
  }
}

/** A config ready to run: validated, defaults applied, task and plugins loaded. */
export interface ResolvedConfig {
  file: string;
  config: TrainwatchConfig;
  task: Task<unknown>;
  taskOptions: Record<string, unknown>;
  /** Enabled plugins, config order, with the config entry's order override. */
  plugins: PluginUse[];
  /** Each enabled plugin's index in the config's `plugins` (for problems named by path). */
  pluginIndex: number[];
}

function parseJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError([
      { path: '', message: `cannot read config file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` },
    ]);
  }
  // A byte-order mark (Windows editors write one) is not part of the JSON.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    let where = '';
    if (pos) {
      const before = text.slice(0, Number(pos[1]));
      where = ` at line ${before.split('\n').length}, column ${before.length - before.lastIndexOf('\n')}`;
    }
    throw new ConfigError([{ path: '', message: `${path.basename(file)} is not valid JSON${where}: ${msg}` }]);
  }
}

/**
 * Reads and checks a config file completely before anything trains: the top level against the
 * config schema, then each task and plugin module (paths relative to the config file) and its
 * options against its own schema. Every problem is collected; a {@link ConfigError} lists them all.
 */
export async function loadConfig(file: string): Promise<ResolvedConfig> {
  const abs = path.resolve(file);
  const raw = parseJson(abs);
  const { config, issues } = validateConfig(raw);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(issues);
  const baseDir = path.dirname(abs);
  const known = discoverPlugins(baseDir).map((p) => p.use);
  const all: ConfigIssue[] = [...issues];
  const bad = (p: string) => all.some((i) => i.path === p || i.path.startsWith(`${p}.`) || i.path.startsWith(`${p}[`));

  let task: Task<unknown> | undefined;
  let taskOptions: Record<string, unknown> = {};
  if (typeof config.task?.use === 'string' && !bad('task.use')) {
    try {
      task = await loadTask(config.task.use, baseDir);
      const v = validateOptions(task.schema, config.task.options, 'task.options');
      resolvePaths(task.schema, v.options, baseDir);
      taskOptions = v.options;
      if (config.task.options === undefined) config.task.options = v.options;
      // Options the config schema already refused (not an object) are not said twice.
      if (!bad('task.options')) all.push(...v.issues);
    } catch (e) {
      if (!(e instanceof LoadError)) throw e;
      all.push({ path: 'task.use', message: e.message });
    }
  }

  const plugins: PluginUse[] = [];
  const pluginIndex: number[] = [];
  const entries = Array.isArray(config.plugins) ? config.plugins : [];
  for (const [i, entry] of entries.entries()) {
    const at = `plugins[${i}]`;
    if (typeof entry?.use !== 'string' || bad(`${at}.use`)) continue;
    try {
      const plugin = await loadPlugin(entry.use, baseDir, known);
      const v = validateOptions(plugin.schema, entry.options, `${at}.options`);
      resolvePaths(plugin.schema, v.options, baseDir);
      if (entry.options === undefined) entry.options = v.options;
      if (!bad(`${at}.options`)) all.push(...v.issues);
      if (entry.enabled !== false) {
        plugins.push({ plugin, options: v.options, order: entry.order });
        pluginIndex.push(i);
      }
    } catch (e) {
      if (!(e instanceof LoadError)) throw e;
      all.push({ path: `${at}.use`, message: e.message });
    }
  }
  if (all.length > 0 || !task) throw new ConfigError(all);
  return { file: abs, config, task, taskOptions, plugins, pluginIndex };
}
