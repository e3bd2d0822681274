import { EvalHistory, type EvalPoint } from '../src/history';

const opts = { patience: 3, minDelta: 0 };

/** Feeds one evaluation per value and returns the first finding with `code`, if any fired. */
function first(code: string, values: number[], mode: 'min' | 'max', target?: number, signature?: string) {
  const h = new EvalHistory(opts, mode === 'max' ? 'acc' : 'loss', mode, target);
  const found = values.flatMap((value, i) => {
    const p: EvalPoint = { step: i * 100, value, evalLoss: undefined, trainLoss: undefined, signature };
    return h.add(p).findings.filter((f) => f.code === code);
  });
  return found[0];
}
const stagnant = (values: number[], mode: 'min' | 'max', target?: number) =>
  first('eval-stagnant', values, mode, target);

describe('eval-stagnant', () => {
  it('warns when the metric never left its start (frozen weights: accuracy at chance)', () => {
    const f = stagnant([0.1, 0.1, 0.11, 0.1, 0.1, 0.105], 'max');
    expect(f?.severity).toBe('warn');
    expect(f?.message).toMatch(/barely moved from its start \(0\.1000/);
  });

  it('warns on a loss that stays near its start', () => {
    expect(stagnant([2.3, 2.2, 2.25, 2.21, 2.22], 'min')?.severity).toBe('warn');
  });

  it('is only info on a healthy run that converged (accuracy 0.1 -> 0.95, then flat within noise)', () => {
    const f = stagnant([0.1, 0.9, 0.95, 0.949, 0.948, 0.95], 'max');
    expect(f?.severity).toBe('info');
    expect(f?.message).toMatch(/plateaued: 0\.1000 at the start, best 0\.9500 at step 200/);
    expect(f?.suggestion).toMatch(/stop early/);
  });

  it('is only info on a converged loss', () => {
    expect(stagnant([2.3, 0.3, 0.25, 0.26, 0.255, 0.26], 'min')?.severity).toBe('info');
  });

  it('says nothing once the task’s best value is reached', () => {
    expect(stagnant([0, 1, 1, 1, 1, 1], 'max', 1)).toBeUndefined();
  });
});

describe('constant-behaviour', () => {
  it('fires when the predictions never change and the metric never left its start', () => {
    expect(first('constant-behaviour', [0.1, 0.1, 0.1, 0.1, 0.1], 'max', undefined, '7,7,7')?.severity).toBe('warn');
  });

  it('stays quiet when the same predictions come from a model that converged (accuracy 0.1 -> 0.95)', () => {
    expect(first('constant-behaviour', [0.1, 0.95, 0.95, 0.95, 0.95, 0.95], 'max', undefined, '1,2,3')).toBeUndefined();
  });
});
