/**
 * @trainwatch/core/errors: the typed errors alone, without TensorFlow.js or the loop, for callers that
 * only need to tell failures apart (the CLI's `--help` path never loads the engine).
 */
export * from './util/errors';
