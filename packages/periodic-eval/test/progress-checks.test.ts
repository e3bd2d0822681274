import type { FindingInput } from '@trainwatch/core';
import { ProgressChecks } from '../src/progress-checks';

const checks = (taskEvaluator = false) => {
  const found: FindingInput[] = [];
  return { c: new ProgressChecks({ classes: 10, taskEvaluator }, (f) => found.push(f)), found };
};
const codes = (fs: FindingInput[]) => fs.map((f) => f.code);

test('loss-diverged fires at the step of a huge jump against the initial loss, with no history needed', () => {
  const { c, found } = checks();
  c.batch(0, 2.3, 0.1);
  c.batch(1, 14.5, 0.1);
  expect(codes(found)).toEqual(['loss-diverged']);
  expect(found[0]!.step).toBe(1);
});

test('a healthy falling loss with noise raises nothing, at the end either', () => {
  const { c, found } = checks();
  for (let s = 0; s < 100; s++) c.batch(s, 2.3 * Math.exp(-s / 30) + 0.1 * Math.sin(s), Math.min(0.95, 0.1 + s / 100));
  c.evaluation({ step: 50, loss: 0.6, acc: 0.8, value: 0.6, improved: true, chance: 0.1 }, 2.3);
  c.evaluation({ step: 100, loss: 0.45, acc: 0.86, value: 0.45, improved: true, chance: 0.1 }, 2.3);
  c.end(100, 2.3);
  expect(found).toEqual([]);
});

test('still-improving: stopped with the held-out loss still above 60% of its start and falling', () => {
  const { c, found } = checks();
  for (let s = 0; s < 4; s++) c.batch(s, 2.3 - 0.03 * s, 0.15);
  c.evaluation({ step: 2, loss: 2.2, acc: 0.2, value: 2.2, improved: true, chance: 0.1 }, 2.3);
  c.evaluation({ step: 4, loss: 2.15, acc: 0.27, value: 2.15, improved: true, chance: 0.1 }, 2.3);
  c.end(4, 2.3);
  expect(codes(found)).toEqual(['still-improving']);
});

test('regularisation-too-strong: the training objective stays far above a held-out loss that does not come down', () => {
  const { c, found } = checks();
  for (let s = 0; s < 50; s++) c.batch(s, 3.5, 0.1);
  c.evaluation({ step: 25, loss: 2.3, acc: 0.1, value: 2.3, improved: true, chance: 0.1 }, 2.3);
  c.evaluation({ step: 50, loss: 2.31, acc: 0.1, value: 2.31, improved: false, chance: 0.1 }, 2.3);
  expect(codes(found)).toEqual(['regularisation-too-strong']);
});

test('labels-unlearnable and eval-disagrees-with-training', () => {
  const a = checks();
  for (let s = 0; s < 30; s++) a.c.batch(s, 2.1, 0.25);
  a.c.evaluation({ step: 15, loss: 2.35, acc: 0.11, value: 2.35, improved: false, chance: 0.1 }, 2.3);
  expect(a.found).toEqual([]);
  a.c.evaluation({ step: 30, loss: 2.4, acc: 0.08, value: 2.4, improved: false, chance: 0.1 }, 2.3);
  expect(codes(a.found)).toEqual(['labels-unlearnable']);
  const b = checks(true);
  for (let s = 0; s < 30; s++) b.c.batch(s, 0.5, 0.85);
  for (const step of [10, 20, 30]) b.c.evaluation({ step, value: 0.02, improved: step === 10 });
  expect(codes(b.found)).toEqual(['eval-disagrees-with-training']);
});
