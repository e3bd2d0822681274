import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tf } from '@trainwatch/core';
import { ALL_CASES, formatTable, runCase, scoreCase, totals, type CaseScore } from '../src';

// The whole fault benchmark in one process (about 2 minutes): the fast subset (8 faults, 3 healthy
// runs; `npm run bench:faults -- --fast`) case by case, every case against the acceptance bar.
const FAST = ALL_CASES.filter((c) => c.fast);
const rows: CaseScore[] = [];
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'trainwatch-faults-test-'));

const tensors: number[] = [];

beforeAll(async () => {
  for (const c of ALL_CASES) {
    rows.push(scoreCase(await runCase(c, root)));
    tensors.push(tf.memory().numTensors);
  }
  process.stdout.write(`${formatTable(rows)}\n`);
}, 600_000);
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

test('the fast subset spans faults and healthy runs', () => {
  expect(FAST.filter((c) => c.expected).length).toBeGreaterThanOrEqual(6);
  expect(FAST.filter((c) => !c.expected).length).toBeGreaterThanOrEqual(3);
});

test.each(ALL_CASES.filter((c) => !c.expected && !c.fast).map((c) => c.name))('%s: quiet', (name) => {
  expect({ name, alarms: rows.find((x) => x.name === name)!.wrong }).toEqual({ name, alarms: [] });
});

test.each(FAST.filter((c) => c.expected).map((c) => c.name))(
  '%s: detected, and its root cause ranked first',
  (name) => {
    const r = rows.find((x) => x.name === name)!;
    expect({ name, detected: r.detected, first: r.first }).toEqual({
      name,
      detected: true,
      first: r.expected.split(' @')[0],
    });
    if (r.localised !== undefined) expect(r.localised).toBe(true);
    expect(r.wrong.length).toBeLessThanOrEqual(1);
  },
);

test.each(FAST.filter((c) => !c.expected).map((c) => c.name))('%s: trains and draws no warning', (name) => {
  const r = rows.find((x) => x.name === name)!;
  expect({ name, reached: r.reached, alarms: r.wrong, first: r.first }).toEqual({
    name,
    reached: true,
    alarms: [],
    first: 'no problem found',
  });
});

test('totals meet the acceptance bar on every case', () => {
  expect(rows.length).toBe(ALL_CASES.length);
  const t = totals(rows);
  expect(t.recall).toBeGreaterThanOrEqual(0.95);
  expect(t.top1).toBeGreaterThanOrEqual(0.85);
  expect(t.falseAlarmRuns).toBe(0);
  expect(t.wrongMax).toBeLessThanOrEqual(1);
});

test('runs leave no tensors behind', () => {
  // Every case ran in this process: what its task made was the run's and was disposed after it.
  expect(tensors.slice(1)).toEqual(tensors.slice(1).map(() => tensors[1]));
});
