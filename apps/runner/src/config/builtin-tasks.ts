import type { Task } from '@trainwatch/core';
import { modelFiles } from '../tasks/model-files';

/**
 * The demo tasks' names. They live in `@trainwatch/tasks` (real MNIST and CMUdict data, ~65 MB),
 * which `trainwatch` does not install; naming one without it gets an install hint. A test checks
 * this list against the package.
 */
export const DEMO_TASKS = ['mnist-mlp', 'mnist-cnn', 'catch', 'cmudict-g2p'] as const;

let demo: Record<string, Task> | null | undefined;

/** The demo tasks when `@trainwatch/tasks` is installed, else undefined. */
export function demoTasks(): Record<string, Task> | undefined {
  if (demo === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional package, loaded on first use
      demo = (require('@trainwatch/tasks') as { builtinTasks: Record<string, Task> }).builtinTasks;
    } catch (e) {
      if ((e as { code?: string }).code !== 'MODULE_NOT_FOUND') throw e;
      demo = null;
    }
  }
  return demo ?? undefined;
}

/** Tasks a config names without a path or package: the runner's own, then the demo tasks. */
export function builtinTasks(): Record<string, Task> {
  return { 'model-files': modelFiles as Task, ...demoTasks() };
}

/** Why a demo task name did not resolve, with the fix. */
export function demoTaskHint(name: string): string | undefined {
  if (!(DEMO_TASKS as readonly string[]).includes(name) || demoTasks()) return undefined;
  return `"${name}" is a demo task from @trainwatch/tasks, which is not installed: npm i -D @trainwatch/tasks`;
}
