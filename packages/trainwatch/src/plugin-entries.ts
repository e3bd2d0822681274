import {
  isPlugin,
  validateOptions,
  type ConfigIssue,
  type Plugin,
  type PluginEntry,
  type PluginUse,
} from '@trainwatch/core';
import { discoverPlugins, loadPlugin, LoadError } from '@trainwatch/runner';

/**
 * One entry of `plugins` in code: exactly what a JSON config accepts (`"gradient-guard"` as
 * `{ use: "gradient-guard" }`, `{ use, options, enabled, order }`), plus a plugin object itself or
 * `{ plugin, options }`.
 */
export type PluginSpec = string | PluginEntry | Plugin | { plugin: Plugin; options?: Record<string, unknown> };

/**
 * Loads and validates plugin entries as a config's are: names resolve like `"use"` (relative paths
 * against `baseDir`), options are checked against each plugin's schema. Problems are collected
 * with paths under `at` (`options.plugins[1].options.every: ...`), never thrown one by one.
 */
export async function resolvePlugins(
  specs: readonly PluginSpec[],
  baseDir: string,
  at: string,
): Promise<{ plugins: PluginUse[]; issues: ConfigIssue[] }> {
  const plugins: PluginUse[] = [];
  const issues: ConfigIssue[] = [];
  const known = discoverPlugins(baseDir).map((p) => p.use);
  for (const [i, spec] of specs.entries()) {
    const here = `${at}[${i}]`;
    let plugin: Plugin | undefined;
    let entry: Partial<PluginEntry> & { options?: Record<string, unknown> } = {};
    if (typeof spec === 'string') entry = { use: spec };
    else if (isPlugin(spec)) plugin = spec;
    else if (spec && typeof spec === 'object' && 'plugin' in spec && isPlugin(spec.plugin)) {
      plugin = spec.plugin;
      entry = { ...(spec.options ? { options: spec.options } : {}) };
    } else if (spec && typeof spec === 'object' && typeof (spec as PluginEntry).use === 'string')
      entry = spec as PluginEntry;
    else {
      issues.push({
        path: here,
        message: 'must be a plugin name, { use, options }, or a plugin object (definePlugin)',
      });
      continue;
    }
    if (!plugin) {
      try {
        plugin = await loadPlugin(entry.use!, baseDir, known);
      } catch (e) {
        if (!(e instanceof LoadError)) throw e;
        issues.push({ path: `${here}.use`, message: e.message });
        continue;
      }
    }
    const v = validateOptions(plugin.schema, entry.options, `${here}.options`);
    issues.push(...v.issues);
    if (entry.enabled !== false) plugins.push({ plugin, options: v.options, order: entry.order });
  }
  return { plugins, issues };
}
