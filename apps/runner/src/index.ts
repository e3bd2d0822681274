/** @trainwatch/runner: the `trainwatch` command line, and its pieces for programmatic use. */
export { main, buildProgram, runCli } from './cli';
export { EXIT, cliLogSink, writeOutputs, type Io } from './display/output';
export { loadConfig, type ResolvedConfig } from './config/load-config';
export { loadPlugin, loadTask, LoadError, packageCandidates } from './config/loader';
export { discoverPlugins, type InstalledPlugin } from './config/discover';
export { buildConfigJsonSchema, describeOptions } from './config/config-schema';
export { createDisplay, colourEnabled, findingLine, type Display } from './display/progress';
