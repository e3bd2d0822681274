/**
 * The one TensorFlow.js namespace trainwatch and its plugins share (`@tensorflow/tfjs`: core, layers,
 * gradients, chained ops). Plugins import `tf` from `@trainwatch/core` so every tensor lives in the
 * same engine. Which backend runs is chosen at run time by {@link selectBackend}.
 */
export * from '@tensorflow/tfjs';
