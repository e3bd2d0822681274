import { layerStats } from '../src/layer-stats';

const f = (...xs: number[]) => Float32Array.from(xs);

test('the update ratio divides by the weights before the update', () => {
  const [s] = layerStats([{ layer: 'dense', vars: [0, 1] }], {
    step: 0,
    loss: 1,
    gradSq: f(1, 0),
    weightSq: f(4, 0),
    updateSq: f(0.0004, 0),
    prevWeightSq: f(4, 0),
  });
  expect(s!.update).toBeCloseTo(0.01, 6);
});

test('no update ratio for a layer whose weights were about zero (a zero init gives 1e9 otherwise)', () => {
  const [s] = layerStats([{ layer: 'hidden1', vars: [0, 1] }], {
    step: 0,
    loss: 1,
    gradSq: f(1, 1),
    weightSq: f(1e-4, 0),
    updateSq: f(1e-4, 0),
    prevWeightSq: f(0, 0),
  });
  expect(s!.update).toBeUndefined();
});
