/** @trainwatch/runner: the `trainwatch` command line, and its pieces for programmatic use. */
export { main, buildProgram, EXIT } from './cli';
export { loadConfig, type ResolvedConfig } from './load-config';
export { loadPlugin, loadTask, LoadError, packageCandidates } from './loader';
export { discoverPlugins, type InstalledPlugin } from './discover';
export { buildConfigJsonSchema, describeOptions } from './schema';
export { attachDisplay, findingLine } from './progress';
