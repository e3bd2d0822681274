import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileModelHandler, tf } from '@trainwatch/core';
import { builtinTasks } from '@trainwatch/tasks';
import { DEMO_TASKS } from '../src/config/builtin-tasks';
import { cli, readJson, tmpDir } from './helpers';

/** Iris-like blobs: 3 classes in 4 features, as a CSV with a header and an integer label column. */
function writeCsv(file: string, n: number, seed: number): void {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const rows = ['sepal_length,sepal_width,petal_length,petal_width,label'];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    rows.push([0, 1, 2, 3].map((f) => (c * (f + 1) * 0.8 + rand() * 0.5).toFixed(3)).join(',') + `,${c}`);
  }
  fs.writeFileSync(file, `${rows.join('\n')}\n`);
}

async function saveModel(dir: string, compiled: boolean): Promise<string> {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        units: 16,
        activation: 'relu',
        inputShape: [4],
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
      tf.layers.dense({
        units: 3,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
      }),
    ],
  });
  if (compiled) model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  // tfjs keeps the loss (the training config) only with includeOptimizer.
  await model.save(fileModelHandler(dir), { includeOptimizer: compiled });
  model.dispose();
  return path.join(dir, 'model.json');
}

describe('the model-files task: a saved model.json and a CSV, no task module', () => {
  it('trains with the loss from the saved training config (run), and the doctor checks it', async () => {
    const dir = tmpDir();
    await saveModel(path.join(dir, 'model'), true);
    writeCsv(path.join(dir, 'train.csv'), 240, 1);
    writeCsv(path.join(dir, 'val.csv'), 60, 2);
    const config = {
      task: {
        use: 'model-files',
        options: { model: './model/model.json', data: './train.csv', validation: './val.csv' },
      },
      training: { epochs: 8, batchSize: 16, learningRate: 0.01 },
      plugins: [{ use: 'gradient-guard' }],
    };
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
    const r = await cli('run', path.join(dir, 'config.json'), '--out', path.join(dir, 'run'), '--quiet');
    expect([
      r.code,
      r.stderr,
      fs.existsSync(path.join(dir, 'run', 'summary.json'))
        ? readJson(path.join(dir, 'run', 'summary.json')).reason
        : r.stdout,
    ]).toEqual([0, '', '8 epochs done']);
    const summary = readJson(path.join(dir, 'run', 'summary.json'));
    expect(summary.task).toBe('model-files');
    expect(summary.final.val_acc).toBeGreaterThan(0.9);
    expect(fs.existsSync(path.join(dir, 'run', 'report.html'))).toBe(true);
    const d = await cli('doctor', path.join(dir, 'config.json'), '--out', path.join(dir, 'doctor'), '--quiet');
    expect(d.stdout).toMatch(/initial loss\s+ok/);
    expect(d.stdout).toMatch(/gradient check\s+ok/);
  });

  it('names the option to set when the saved model has no loss, and the column when the CSV lacks it', async () => {
    const dir = tmpDir();
    await saveModel(path.join(dir, 'model'), false);
    writeCsv(path.join(dir, 'train.csv'), 30, 1);
    const write = (options: Record<string, unknown>) => {
      const file = path.join(dir, `c${Object.keys(options).length}.json`);
      fs.writeFileSync(file, JSON.stringify({ task: { use: 'model-files', options }, training: { epochs: 1 } }));
      return file;
    };
    const base = { model: './model/model.json', data: './train.csv' };
    const noLoss = await cli('run', write(base), '--out', path.join(dir, 'r1'), '--quiet');
    expect(noLoss.code).toBe(1);
    expect(readJson(path.join(dir, 'r1', 'summary.json')).reason).toMatch(
      /task\.options\.loss: model\.json has no training config .* set "loss"/,
    );
    const noColumn = await cli(
      'run',
      write({ ...base, loss: 'categoricalCrossentropy', label: 'species' }),
      '--out',
      path.join(dir, 'r2'),
      '--quiet',
    );
    expect(readJson(path.join(dir, 'r2', 'summary.json')).reason).toMatch(
      /train\.csv: no "species" column \(columns: sepal_length/,
    );
    expect(noColumn.code).toBe(1);
  });

  it('reads JSON lines (x arrays, y class indices) and names a bad line', async () => {
    const dir = tmpDir();
    await saveModel(path.join(dir, 'model'), false);
    const lines = Array.from({ length: 90 }, (_, i) => JSON.stringify({ x: [i % 3, 1, 0.5, (i % 3) * 2], y: i % 3 }));
    fs.writeFileSync(path.join(dir, 'train.jsonl'), `${lines.join('\n')}\n`);
    fs.writeFileSync(path.join(dir, 'bad.jsonl'), `${lines[0]}\n{"x": [1, 2, "three", 4], "y": 0}\n`);
    const config = (data: string) => {
      const file = path.join(dir, `${data}.json`);
      const options = { model: './model/model.json', data: `./${data}`, loss: 'categoricalCrossentropy' };
      fs.writeFileSync(
        file,
        JSON.stringify({ task: { use: 'model-files', options }, training: { epochs: 2, batchSize: 10 } }),
      );
      return file;
    };
    const ok = await cli('run', config('train.jsonl'), '--out', path.join(dir, 'ok'), '--quiet');
    expect(ok.code).toBe(0);
    expect(readJson(path.join(dir, 'ok', 'summary.json')).steps).toBe(18);
    await cli('run', config('bad.jsonl'), '--out', path.join(dir, 'bad'), '--quiet');
    expect(readJson(path.join(dir, 'bad', 'summary.json')).reason).toMatch(
      /bad\.jsonl: line 2, x\[2\]: "three" is not a number/,
    );
  });

  it('the runner knows the demo task names the tasks package has', () => {
    expect([...DEMO_TASKS].sort()).toEqual(Object.keys(builtinTasks).sort());
  });
});
