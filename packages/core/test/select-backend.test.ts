import { tf } from '../src';
import { selectBackend } from '../src/backend/select-backend';

describe('selectBackend', () => {
  it('runs started together in one process all get the backend (selections go one after another)', async () => {
    await tf.setBackend('cpu');
    const infos = await Promise.all([selectBackend('wasm'), selectBackend('wasm'), selectBackend('wasm')]);
    expect(infos.map((i) => i.name)).toEqual(['wasm', 'wasm', 'wasm']);
    expect(tf.getBackend()).toBe('wasm');
  });
});
