import type { Logger } from '@trainwatch/core';
import { SampleTerminal } from '../src/terminal';
import type { SampleRecord } from '../src';

function logger() {
  const lines: { level: string; text: string }[] = [];
  const at = (level: string) => (text: string) => void lines.push({ level, text });
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { log, info: () => lines.filter((l) => l.level === 'info').map((l) => l.text), lines };
}

const digit = '....\n.##.\n....';
const rec = (step: number, id: number, prediction: string, label: string): SampleRecord => ({
  step,
  epoch: 0,
  id,
  input: digit,
  label,
  prediction,
  correct: prediction === label,
});

describe('the sample table in the terminal', () => {
  it('prints the table at the first sampling and at the end, one line when predictions change, nothing otherwise', () => {
    const { log, info, lines } = logger();
    const t = new SampleTerminal(log, 6);
    t.sampled(0, [rec(0, 1, '3', '7'), rec(0, 2, '3', '2')]);
    t.sampled(10, [rec(10, 1, '3', '7'), rec(10, 2, '3', '2')]);
    t.sampled(20, [rec(20, 1, '7', '7'), rec(20, 2, '3', '2')]);
    t.end();
    const shown = info();
    expect(shown).toHaveLength(3);
    expect(shown[0]).toMatch(/^samples @0: 0\/2 probes right\n {2}✗ #1 /);
    expect(shown[1]).toBe('samples @20: 1/2 probes right; changed: #1 3 → 7 ✓');
    expect(shown[2]).toMatch(/^samples @20: 1\/2 probes right\n/);
    // Digits drawn as text only at debug (--verbose).
    expect(shown.join('\n')).not.toContain('.##.');
    expect(lines.filter((l) => l.level === 'debug' && l.text.includes('.##.'))).toHaveLength(3);
  });

  it('show 0 prints nothing', () => {
    const { log, lines } = logger();
    const t = new SampleTerminal(log, 0);
    t.sampled(0, [rec(0, 1, '3', '7')]);
    t.end();
    expect(lines).toEqual([]);
  });
});
