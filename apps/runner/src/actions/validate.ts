import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, type ConfigIssue } from '@trainwatch/core';
import { runTraining } from '@trainwatch/core/runner';
import { loadConfig, type ResolvedConfig } from '../config/load-config';
import { EXIT, type Io } from '../display/output';

/**
 * Sets the task and every plugin up in a throwaway folder and disposes them, training nothing: a
 * plugin that listens to an unknown event, or whose setup throws, and a task whose data does not
 * fit its model are found here, not an hour into a run.
 */
async function drySetup(r: ResolvedConfig): Promise<ConfigIssue[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trainwatch-validate-'));
  try {
    const result = await runTraining({
      config: structuredClone(r.config),
      task: r.task,
      taskOptions: r.taskOptions,
      plugins: r.plugins,
      runDir: path.join(dir, 'run'),
      logSink: () => {},
      dryRun: true,
    });
    const issues: ConfigIssue[] = result.findings
      .filter((f) => f.code === 'plugin-error')
      .map((f) => ({
        path: `plugins[${r.pluginIndex[r.plugins.findIndex((p) => p.plugin.name === f.plugin)] ?? '?'}]`,
        message: f.message,
      }));
    if (result.status === 'failed' && issues.length === 0)
      issues.push({ path: 'task.use', message: `the task cannot be set up: ${result.reason}` });
    return issues;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `trainwatch validate <config>`: everything a run checks (schema, modules, options, setup), nothing trained. */

/** `trainwatch validate <config>`: the config checked and its task and plugins set up, nothing trained. */
export async function validateCommand(config: string, io: Io): Promise<number> {
  const r = await loadConfig(config);
  const issues = await drySetup(r);
  if (issues.length > 0) throw new ConfigError(issues);
  const plugins = r.plugins.map((p) => p.plugin.name).join(', ') || 'none';
  io.stdout.write(`${config}: OK (task ${r.task.name}, plugins: ${plugins})\n`);
  return EXIT.completed;
}
