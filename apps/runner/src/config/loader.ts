import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorMessage, isPlugin, isTask, type Plugin, type Task } from '@trainwatch/core';
import { didYouMean, within } from '@trainwatch/core/runner';
import { builtinTasks, demoTaskHint } from './builtin-tasks';

/** A module that could not be loaded; `message` is the part after the config path. */
export class LoadError extends Error {}

export const isPathSpec = (spec: string): boolean => spec.startsWith('.') || path.isAbsolute(spec);

/** Package names tried for `"use": name`, in order (as ESLint does for its plugins). */
export function packageCandidates(kind: 'plugin' | 'task', spec: string): string[] {
  if (spec.startsWith('@') || spec.includes('/')) return [spec];
  return kind === 'plugin'
    ? [`@trainwatch/${spec}`, `trainwatch-plugin-${spec}`, spec]
    : [`trainwatch-task-${spec}`, spec];
}

/** How long a plugin or task module may take to load (`TRAINWATCH_LOAD_TIMEOUT_MS`, default 60 s). */
const LOAD_TIMEOUT_MS = () => Number(process.env['TRAINWATCH_LOAD_TIMEOUT_MS'] ?? 60_000);

/**
 * Loads a user's module with two guards: a `process.exit` while it loads becomes a load error
 * (instead of a CLI that exits 0 having printed nothing), and a load that never finishes (a
 * top-level await that never settles) fails after a bounded time, naming the module.
 */
async function guarded(spec: string, load: () => Promise<unknown>): Promise<unknown> {
  const exit = process.exit;
  process.exit = ((code?: number) => {
    throw new LoadError(`"${spec}" called process.exit(${code ?? ''}) while loading`);
  }) as typeof process.exit;
  const ms = LOAD_TIMEOUT_MS();
  const hung = () =>
    new LoadError(`"${spec}" did not finish loading within ${ms / 1000} s (a top-level await that never settles?)`);
  try {
    return await within(load(), ms, hung);
  } finally {
    process.exit = exit;
  }
}

async function importFile(file: string): Promise<unknown> {
  return guarded(path.basename(file), () => importUnguarded(file));
}

async function importUnguarded(file: string): Promise<unknown> {
  if (file.endsWith('.mjs')) return import(pathToFileURL(file).href);
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a user's CommonJS plugin or task file, by path
    return require(file);
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_REQUIRE_ESM') return import(pathToFileURL(file).href);
    throw e;
  }
}

function resolveFile(spec: string, baseDir: string): string {
  const abs = path.resolve(baseDir, spec);
  for (const candidate of [abs, `${abs}.js`, `${abs}.cjs`, `${abs}.mjs`, path.join(abs, 'index.js')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
      if (/\.(c|m)?tsx?$/.test(candidate)) {
        throw new LoadError(`cannot load "${spec}": TypeScript files are not loaded directly; compile it to .js first`);
      }
      return candidate;
    }
  }
  throw new LoadError(`cannot find "${spec}" (resolved to ${abs})`);
}

async function loadPackage(
  kind: 'plugin' | 'task',
  spec: string,
  baseDir: string,
  known: readonly string[],
): Promise<unknown> {
  for (const name of packageCandidates(kind, spec)) {
    let resolved: string;
    try {
      resolved = require.resolve(name, { paths: [baseDir, process.cwd(), __dirname] });
    } catch {
      continue;
    }
    return importFile(resolved);
  }
  const hint = didYouMean(spec, known);
  const tried = packageCandidates(kind, spec).join(', ');
  throw new LoadError(
    `unknown ${kind} "${spec}"${hint ? ` (did you mean "${hint}"?)` : ''}; no installed package ${tried}` +
      (known.length > 0 ? `; available: ${known.join(', ')}` : '') +
      '; a local file must start with ./ or ../',
  );
}

function pick(mod: unknown, accept: (v: unknown) => boolean): unknown {
  const m = mod as Record<string, unknown> | null;
  for (const v of [
    m?.['default'],
    m?.['plugin'],
    m?.['task'],
    m,
    (m?.['default'] as Record<string, unknown> | undefined)?.['default'],
  ]) {
    if (accept(v)) return v;
  }
  return undefined;
}

async function loadAny(
  kind: 'plugin' | 'task',
  spec: string,
  baseDir: string,
  known: readonly string[],
): Promise<unknown> {
  try {
    return isPathSpec(spec)
      ? await importFile(resolveFile(spec, baseDir))
      : await loadPackage(kind, spec, baseDir, known);
  } catch (e) {
    if (e instanceof LoadError) throw e;
    throw new LoadError(`"${spec}" failed to load: ${errorMessage(e).split('\n')[0]}`);
  }
}

/** Loads a plugin from a name, an npm package or a path relative to `baseDir`. */
export async function loadPlugin(
  spec: string,
  baseDir: string,
  known: readonly string[] = [],
): Promise<Plugin<unknown>> {
  const mod = await loadAny('plugin', spec, baseDir, known);
  const plugin = pick(mod, isPlugin);
  if (!plugin)
    throw new LoadError(
      `"${spec}" does not export a plugin (export default definePlugin({...}) or module.exports = definePlugin({...}))`,
    );
  return plugin as Plugin<unknown>;
}

/** Loads a task: a built-in name, an npm package or a path relative to `baseDir`. */
export async function loadTask(spec: string, baseDir: string): Promise<Task<unknown>> {
  const builtins = builtinTasks();
  const builtin = builtins[spec];
  if (builtin) return builtin as Task<unknown>;
  const hint = demoTaskHint(spec);
  if (hint) throw new LoadError(hint);
  const mod = await loadAny('task', spec, baseDir, Object.keys(builtins));
  const task = pick(mod, isTask);
  if (!task) throw new LoadError(`"${spec}" does not export a task (export default defineTask({...}))`);
  return task as Task<unknown>;
}
