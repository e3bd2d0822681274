import * as fs from 'node:fs';
import * as path from 'node:path';
import { CAUSE_RULES, diagnose, type Finding } from '../src';

const f = (code: string, o: Partial<Finding> = {}): Finding => ({
  code,
  severity: 'warn',
  plugin: 'p',
  step: 0,
  epoch: 0,
  message: code,
  evidence: {},
  ...o,
});

test('one fault reads as one cause with its consequences folded under it', () => {
  const d = diagnose([
    f('dead-units', { step: 9, layer: 'hidden1' }),
    f('update-ratio-high', { step: 2, layer: 'hidden1' }),
    f('loss-diverged', { step: 1 }),
    f('constant-predictions', { step: 20 }),
    f('eval-stagnant', { step: 40 }),
  ]);
  expect(d.verdict).toBe('problems-found');
  expect(d.causes.map((c) => c.id)).toEqual(['learning-rate-too-high']);
  expect([...d.causes[0]!.explains].sort()).toEqual(['constant-predictions', 'dead-units', 'eval-stagnant']);
  expect(d.causes[0]!.step).toBe(1);
  expect(d.causes[0]!.layer).toBe('hidden1');
  expect(d.findings).toEqual({ loud: 5, folded: 3 });
});

test('a consequence alone names its own cause; it does not claim a root cause it cannot explain', () => {
  const d = diagnose([f('dead-units', { layer: 'hidden2' }), f('weights-not-updating')]);
  expect(d.causes.map((c) => c.id)).toEqual(['dead-units']);
  expect(d.headline).toContain('hidden2');
});

test('a healthy run says no problem found and what was checked; info findings make no cause', () => {
  const d = diagnose([f('eval-summary', { severity: 'info' })], ['gradient-guard', 'periodic-eval']);
  expect(d.verdict).toBe('no-problem-found');
  expect(d.headline).toBe('no problem found (checked by gradient-guard, periodic-eval)');
  expect(d.causes).toEqual([]);
});

test('a finding no rule knows stands as a cause of its own, after the known ones', () => {
  const d = diagnose([f('loss-spike', { severity: 'warn' }), f('unnormalized-input')]);
  expect(d.causes.map((c) => c.id)).toEqual(['unnormalised-input', 'loss-spike']);
});

test('the rules are well formed: unique ids, confidences in (0, 1], kebab-case codes', () => {
  const ids = CAUSE_RULES.map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const r of CAUSE_RULES) {
    for (const [code, c] of Object.entries(r.signs)) {
      expect(code).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(c).toBeGreaterThan(0);
      expect(c).toBeLessThanOrEqual(1);
    }
    expect(r.fix.length).toBeGreaterThan(10);
  }
});

test('docs/diagnosis.md lists every rule', () => {
  const doc = fs.readFileSync(path.join(__dirname, '../../../docs/diagnosis.md'), 'utf8');
  for (const r of CAUSE_RULES) expect(doc).toContain(`\`${r.id}\``);
});
