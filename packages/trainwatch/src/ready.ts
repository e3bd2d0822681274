import { selectBackend, type BackendChoice, type BackendInfo } from '@trainwatch/core/runner';

/**
 * Chooses and initialises the backend (`auto`: tensorflow if tfjs-node loads, else wasm, else cpu)
 * before you make tensors, so they live where training runs and nothing has to be copied:
 * `await ready()` first thing in a script. Returns which backend it is and why.
 */
export async function ready(backend: BackendChoice = 'auto'): Promise<BackendInfo> {
  return selectBackend(backend);
}
