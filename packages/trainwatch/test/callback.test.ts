import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { callback, tf } from '../src';
import { threeBlobs, userModel } from './fixtures';

const data = (n: number, seed: number) => threeBlobs(n, { spread: 1, noise: 0.3, seed });

describe('callback(): trainwatch inside your own model.fit', () => {
  it('runs what a callback can see, says once what it cannot, and writes a run directory', async () => {
    const train = data(192, 4);
    const val = data(60, 5);
    const model = userModel(true);
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tw-cb-')), 'run');
    const h = await model.fit(train.x, train.y, {
      epochs: 4,
      batchSize: 16,
      validationData: [val.x, val.y],
      verbose: 0,
      callbacks: [
        callback({
          plugins: ['gradient-guard', { use: 'activation-monitor', options: { every: 4 } }, 'periodic-eval'],
          validationData: [val.x, val.y],
          probe: [val.x, val.y],
          out,
          quiet: true,
        }),
      ],
    });
    expect(h.history['val_acc']!.at(-1)).toBeGreaterThan(0.9);
    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    expect(summary).toMatchObject({ status: 'completed', task: 'model-fit', steps: 48, epochs: 4 });
    expect(summary.final.val_acc).toBeCloseTo(h.history['val_acc']!.at(-1) as number, 5);
    const findings = JSON.parse(fs.readFileSync(path.join(out, 'findings.json'), 'utf8')) as {
      code: string;
      plugin: string;
      severity: string;
      suggestion?: string;
    }[];
    // gradient-guard needs gradients before the update: one info finding naming fit(), not silence.
    const blind = findings.filter((f) => f.code === 'not-observable');
    expect(blind).toEqual([
      expect.objectContaining({
        plugin: 'gradient-guard',
        severity: 'info',
        suggestion: expect.stringMatching(/fit\(\)/),
      }),
    ]);
    expect(findings.filter((f) => f.severity !== 'info')).toEqual([]);
    // Activation statistics came from the probe batch; periodic-eval scored the held-out data.
    expect(
      fs
        .readFileSync(path.join(out, 'activation-monitor', 'stats.jsonl'), 'utf8')
        .trim()
        .split('\n').length,
    ).toBeGreaterThan(5);
    expect(fs.existsSync(path.join(out, 'periodic-eval', 'evals.jsonl'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'report.html'))).toBe(true);
    // Yours: nothing disposed.
    expect([train.x, train.y, val.x, val.y].some((t) => t.isDisposed)).toBe(false);
    tf.dispose([train.x, train.y, val.x, val.y]);
    model.dispose();
  });
});
