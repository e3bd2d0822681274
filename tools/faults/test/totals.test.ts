import { totals, type CaseScore } from '../src/score';

const row = (kind: CaseScore['kind'], wrong: string[] = []): CaseScore => ({
  name: `${kind}-${wrong.length}`,
  kind,
  expected: kind === 'fault' ? 'dead-relu' : 'healthy',
  detected: kind === 'fault',
  top1: kind === 'fault',
  localised: undefined,
  wrong,
  first: 'no problem found',
  reached: kind === 'healthy' ? true : undefined,
  metric: '',
});

describe('totals', () => {
  it('counts no wrong-code alarms when only healthy cases ran (npm run bench:faults -- healthy-rnn)', () => {
    const t = totals([row('healthy')]);
    expect(t.wrongPerFault).toBe(0);
    expect(t.wrongMax).toBe(0);
    expect(t.falseAlarmRuns).toBe(0);
  });

  it('averages wrong-code alarms over the faulty runs', () => {
    const t = totals([row('fault', ['a', 'b']), row('fault'), row('healthy', ['x'])]);
    expect(t.wrongPerFault).toBe(1);
    expect(t.wrongMax).toBe(2);
    expect(t.falseAlarmRuns).toBe(1);
  });
});
