import { definePlugin, FindingGate, type FindingInput } from '../src';
import { runWith } from '../src/testing';
import { blobs } from './helpers';

const dead = (share: number, layer = 'dense_1'): FindingInput => ({
  code: 'dead-units',
  severity: 'warn',
  layer,
  message: `${share} dead`,
  evidence: { share },
});

describe('FindingGate (report once, again only when clearly worse)', () => {
  it('admits a problem once per code and layer', () => {
    const g = new FindingGate();
    expect(g.admit(dead(0.5))).toMatchObject({ message: '0.5 dead' });
    expect(g.admit(dead(0.5))).toBeUndefined();
    expect(g.admit(dead(0.9))).toBeUndefined(); // no measure given: once only
    expect(g.admit(dead(0.5, 'dense_2'))).toBeDefined(); // another layer is another problem
    expect(g.has('dead-units|dense_1')).toBe(true);
  });

  it('admits a repeat marked "worse:" once the measure grows by worseBy or reaches worstAt', () => {
    const g = new FindingGate();
    const o = (share: number) => ({ measure: share, worseBy: 0.2, worstAt: 1 });
    expect(g.admit(dead(0.5), o(0.5))).toBeDefined();
    expect(g.admit(dead(0.6), o(0.6))).toBeUndefined();
    const worse = g.admit(dead(0.7), o(0.7));
    expect(worse).toMatchObject({ message: 'worse: 0.7 dead', evidence: { share: 0.7, previous: 0.5 } });
    expect(g.admit(dead(0.8), o(0.8))).toBeUndefined(); // compared with the last report (0.7), not the first
    expect(g.admit(dead(1), o(1))).toMatchObject({ evidence: { previous: 0.7 } }); // reaches worstAt
    expect(g.admit(dead(1), o(1))).toBeUndefined();
  });

  it('is offered to plugins as ctx.reportOnce, keyed per plugin', async () => {
    const plugin = definePlugin({
      name: 'nag',
      setup(ctx) {
        ctx.bus.on('batch:end', (e) => {
          ctx.reportOnce({ code: 'always', severity: 'warn', message: `step ${e.step}` });
          ctx.reportOnce(
            { code: 'growing', severity: 'info', message: `step ${e.step}` },
            { measure: e.step, worseBy: 3 },
          );
        });
      },
    });
    const r = await runWith({
      task: blobs,
      taskOptions: { n: 64 },
      training: { epochs: 1, batchSize: 8 },
      plugins: [{ plugin }],
    });
    expect(r.findings.filter((f) => f.code === 'always').map((f) => f.step)).toEqual([0]);
    expect(r.findings.filter((f) => f.code === 'growing').map((f) => f.evidence['previous'] ?? null)).toEqual([
      null,
      0,
      3,
    ]);
  });
});
