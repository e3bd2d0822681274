import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { maskedCrc32c } from '@trainwatch/report';
import { cli, LOSS_SPIKE, readJson, ROOT, tmpDir, writeConfig } from './helpers';

const small = { use: 'mnist-mlp', options: { limit: 1000 } };

describe('trainwatch validate / run with an invalid config', () => {
  it('exits 2, lists every problem by path, and trains nothing', async () => {
    const out = tmpDir();
    const file = writeConfig({
      task: { use: 'mnist-mlp', options: { hiden: [32] } },
      training: { epochs: 'ten', learningRate: -1 },
      plugins: [
        { use: 'gradient-gaurd' },
        { use: './missing-plugin.js' },
        { use: LOSS_SPIKE, options: { factor: 0.5, windw: 3 } },
      ],
    });
    const r = await cli('run', file, '--out', path.join(out, 'run'));
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n').map((l) => l.trim());
    expect(lines).toEqual(
      expect.arrayContaining([
        'training.epochs: must be integer (got "ten")',
        'training.learningRate: must be >= 0',
        'task.options.hiden: unknown option "hiden" (did you mean "hidden"?)',
        expect.stringMatching(
          /^plugins\[0\]\.use: unknown plugin "gradient-gaurd" \(did you mean "gradient-guard"\?\); no installed package @trainwatch\/gradient-gaurd/,
        ),
        expect.stringMatching(
          /^plugins\[1\]\.use: cannot find "\.\/missing-plugin\.js" \(resolved to .*missing-plugin\.js\)/,
        ),
        'plugins[2].options.factor: must be > 1',
        'plugins[2].options.windw: unknown option "windw" (did you mean "window"?)',
      ]),
    );
    expect(r.stderr).toMatch(/invalid config \(7 problems\)/);
    expect(r.stderr).toMatch(/Nothing was trained/);
    expect(fs.existsSync(path.join(out, 'run'))).toBe(false);
  });

  it('points at the line and column of broken JSON', async () => {
    const r = await cli(
      'validate',
      writeConfig('{\n  "task": { "use": "mnist-mlp" },\n  "training": { epochs: 3 }\n}'),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/config\.json is not valid JSON at line 3, column \d+/);
  });

  it('rejects a missing file and bad flags with exit 2', async () => {
    expect((await cli('validate', '/nonexistent/config.json')).code).toBe(2);
    const file = writeConfig({ task: small });
    const r1 = await cli('run', file, '--max-steps', '0');
    expect(r1).toMatchObject({ code: 2 });
    expect(r1.stderr).toMatch(/--max-steps must be a positive integer, got "0"/);
    const r2 = await cli('run', file, '--backend', 'gpu');
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--backend must be one of auto, tensorflow, wasm, cpu/);
  });

  it('fails clearly when a forced backend cannot load', async () => {
    const r = await cli(
      'run',
      writeConfig({ task: small }),
      '--backend',
      'tensorflow',
      '--out',
      path.join(tmpDir(), 'r'),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/backend "tensorflow" could not be loaded/);
  });

  it('accepts a valid config', async () => {
    const r = await cli('validate', path.join(ROOT, 'examples/mnist.json'));
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout).toMatch(
      /OK \(task mnist-cnn, plugins: gradient-guard, activation-monitor, periodic-eval, qualitative-sampler, loss-spike\)/,
    );
  });
});

describe('trainwatch run with plugins', () => {
  it('loads the example plugin by path; its finding lands in findings.json', async () => {
    const out = path.join(tmpDir(), 'run');
    const file = writeConfig({ task: small, training: { epochs: 1 }, plugins: [{ use: LOSS_SPIKE }] });
    const r = await cli('run', file, '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/epoch 1\/1 {2}loss [\d.]+ {2}acc [\d.]+ {2}val_loss [\d.]+ {2}val_acc [\d.]+/);
    expect(r.stdout).toMatch(/completed: 1 epoch done/);
    const findings = readJson(path.join(out, 'findings.json'));
    expect(findings).toEqual([
      expect.objectContaining({
        code: 'loss-spike-summary',
        plugin: 'loss-spike',
        severity: 'info',
        message: 'no loss spikes in 13 steps',
      }),
    ]);
    expect(readJson(path.join(out, 'config.json')).plugins[0].options).toEqual({ factor: 3, window: 20, warmup: 20 });
  });

  it('the example loss-spike detector fires on a run with a learning-rate bug, and stays quiet without it', async () => {
    // A custom task loaded by path whose learning-rate schedule multiplies instead of divides at one step.
    const task = `const { defineTask, tf, Type } = require('@trainwatch/core');
const { loadMnist } = require('@trainwatch/tasks');
// A learning-rate schedule with a bug: at one step it multiplies instead of divides.
class BuggySgd extends tf.SGDOptimizer {
  constructor(lr, bugAt) { super(lr); this.base = lr; this.bugAt = bugAt; this.t = 0; }
  applyGradients(grads) {
    this.setLearningRate(this.t === this.bugAt ? this.base * 100 : this.base);
    this.t++;
    return super.applyGradients(grads);
  }
}
module.exports = defineTask({
  name: 'mnist-lr-bug',
  schema: Type.Object({ bugAtStep: Type.Integer({ default: -1 }) }),
  create(options, ctx) {
    const data = loadMnist({ validationFraction: 0.2, limit: 1000, shape: 'flat' });
    const model = tf.sequential({ layers: [
      tf.layers.dense({ units: 32, activation: 'relu', inputShape: [784], kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed }) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: ctx.seed + 1 }) }),
    ] });
    return { model, loss: 'categoricalCrossentropy', metrics: ['accuracy'], optimizer: new BuggySgd(0.1, options.bugAtStep), train: data.train, validation: data.validation };
  },
});
`;
    const runWith = async (bugAtStep: number) => {
      const out = path.join(tmpDir(), 'run');
      const file = writeConfig(
        {
          task: { use: './lr-bug.js', options: { bugAtStep } },
          training: { epochs: 4 },
          plugins: [{ use: LOSS_SPIKE }],
        },
        { 'lr-bug.js': task },
      );
      const r = await cli('run', file, '--out', out, '--quiet');
      expect(r.code).toBe(0);
      return { r, out, findings: readJson(path.join(out, 'findings.json')) as { code: string; step: number }[] };
    };
    const faulty = await runWith(30);
    expect(faulty.findings.find((f) => f.code === 'loss-spike')).toMatchObject({ step: 31 });
    // The chart the plugin declared is in the report, with a marker at the spike it reported.
    const html = fs.readFileSync(path.join(faulty.out, 'report.html'), 'utf8');
    const data = JSON.parse(/<script type="application\/json" id="chart-data">(.*?)<\/script>/s.exec(html)![1]!) as {
      lines: {
        id: string;
        section?: string;
        series: { label: string }[];
        markers?: { step: number; code: string }[];
      }[];
    };
    const chart = data.lines.find((l) => l.id === 'loss-spike-loss')!;
    expect(chart.section).toBe('loss-spike');
    expect(chart.series.map((s) => s.label)).toEqual(['loss', 'running mean']);
    expect(chart.markers).toEqual([expect.objectContaining({ step: 31, code: 'loss-spike' })]);
    expect(html).toContain('<div class="chart" id="loss-spike-loss"></div>');
    expect(faulty.r.stdout).toMatch(/! warn loss-spike \[loss-spike\] step 31: loss jumped/);
    const healthy = await runWith(-1);
    expect(healthy.findings.map((f) => f.code)).toEqual(['loss-spike-summary']);
  });

  it('keeps running when a plugin throws, and names the plugin', async () => {
    const out = path.join(tmpDir(), 'run');
    const plugin = `const { definePlugin } = require('@trainwatch/core');
module.exports = definePlugin({ name: 'thrower', setup(ctx) { ctx.bus.on('batch:end', (e) => { if (e.step === 2) throw new Error('oops'); }); } });`;
    const file = writeConfig(
      { task: small, training: { epochs: 1 }, plugins: [{ use: './thrower.js' }] },
      { 'thrower.js': plugin },
    );
    const r = await cli('run', file, '--out', out, '--quiet');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✖ error plugin-error \[thrower\] step 2: plugin "thrower" failed in batch:end: oops/);
    expect(readJson(path.join(out, 'summary.json'))).toMatchObject({ status: 'completed', steps: 13 });
  });

  it('exits 3 when a plugin stops the run, and 1 when it fails with --fail-fast', async () => {
    const stopper = `const { definePlugin } = require('@trainwatch/core');
module.exports = definePlugin({ name: 'stopper', setup(ctx) { ctx.bus.on('batch:end', (e) => { if (e.step === 1) ctx.requestStop('seen enough'); }); } });`;
    const r = await cli(
      'run',
      writeConfig({ task: small, plugins: [{ use: './stopper.js' }] }, { 'stopper.js': stopper }),
      '--out',
      path.join(tmpDir(), 'r'),
      '--quiet',
    );
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/stopped: stopper: seen enough/);
    const thrower = `module.exports = require('@trainwatch/core').definePlugin({ name: 't', setup(ctx) { ctx.bus.on('batch:end', () => { throw new Error('x'); }); } });`;
    const r2 = await cli(
      'run',
      writeConfig({ task: small, plugins: [{ use: './t.js' }] }, { 't.js': thrower }),
      '--out',
      path.join(tmpDir(), 'r'),
      '--quiet',
      '--fail-fast',
    );
    expect(r2.code).toBe(1);
  });

  it('--json prints one JSON object per event on stdout', async () => {
    const r = await cli(
      'run',
      writeConfig({ task: small }),
      '--out',
      path.join(tmpDir(), 'r'),
      '--json',
      '--max-steps',
      '3',
    );
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).event);
    expect(events[0]).toBe('run:begin');
    expect(events.filter((e: string) => e === 'batch:end')).toHaveLength(3);
    expect(events.at(-1)).toBe('run:end');
  });
});

describe('trainwatch schema / plugins', () => {
  it('prints a JSON Schema that accepts the example config and rejects a typo', async () => {
    const r = await cli('schema');
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout);
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate(readJson(path.join(ROOT, 'examples/mnist.json')))).toBe(true);
    expect(validate({ task: { use: 'mnist-mlp', options: { hiden: [3] } } })).toBe(false);
    expect(schema.properties.task.properties.use.anyOf[0].enum).toEqual(
      expect.arrayContaining(['mnist-mlp', 'mnist-cnn']),
    );
    // Installed plugins' options are in it too.
    expect(
      validate({
        task: { use: 'mnist-mlp' },
        plugins: [{ use: 'gradient-guard', options: { exploding: { factor: 20 } } }],
      }),
    ).toBe(true);
    expect(
      validate({
        task: { use: 'mnist-mlp' },
        plugins: [{ use: 'gradient-guard', options: { exploding: { facter: 20 } } }],
      }),
    ).toBe(false);
  });

  it('lists plugins a config loads with their options and defaults', async () => {
    const r = await cli('plugins', '--config', path.join(ROOT, 'examples/mnist.json'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/loss-spike {2}\(config\)/);
    expect(r.stdout).toMatch(/gradient-guard {2}\(@trainwatch\/gradient-guard\)/);
    expect(r.stdout).toMatch(/factor: number = 3 {2}A spike is a loss above factor x the running mean\./);
    expect(r.stdout).toMatch(/Tasks: model-files, mnist-mlp, mnist-cnn/);
  });
});

describe('--tensorboard', () => {
  it('writes TensorBoard event files: TFRecords whose masked CRC32C check out, starting with the file version', async () => {
    const file = writeConfig({ task: small, training: { epochs: 1 } });
    const out = path.join(tmpDir(), 'run');
    const r = await cli('run', file, '--out', out, '--quiet', '--tensorboard');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/tensorboard: .*tensorboard/);
    const dir = path.join(out, 'tensorboard');
    const [name] = fs.readdirSync(dir);
    const buf = fs.readFileSync(path.join(dir, name!));
    let off = 0;
    let records = 0;
    while (off < buf.length) {
      const len = Number(buf.readBigUInt64LE(off));
      expect(buf.readUInt32LE(off + 8)).toBe(maskedCrc32c(buf.subarray(off, off + 8)));
      expect(buf.readUInt32LE(off + 12 + len)).toBe(maskedCrc32c(buf.subarray(off + 12, off + 12 + len)));
      if (records === 0) expect(buf.subarray(off + 12, off + 12 + len).toString('latin1')).toContain('brain.Event:2');
      off += 16 + len;
      records++;
    }
    // The version record plus, per step, the loss and the accuracy.
    expect(records).toBeGreaterThan(1 + 2 * 13);
  }, 60_000);

  it('the event file grows while the run goes (appended every few seconds), not only at the end', async () => {
    // A plugin that, at step 5, waits past one flush and notes the event file's size mid-run.
    const peek = `const fs = require('node:fs'); const path = require('node:path');
      module.exports = require(${JSON.stringify(path.join(ROOT, 'packages/core'))}).definePlugin({ name: 'peek',
        setup(ctx) { ctx.bus.on('batch:end', async (e) => {
          if (e.step !== 5) return;
          await new Promise((r) => setTimeout(r, 3500));
          const dir = path.join(ctx.artifacts.dir, 'tensorboard');
          const size = fs.existsSync(dir) ? fs.readdirSync(dir).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0) : 0;
          ctx.artifacts.writeJson('peek/size.json', { size });
        }); } });`;
    const file = writeConfig(
      { task: small, training: { epochs: 1 }, plugins: [{ use: './peek.js' }] },
      { 'peek.js': peek },
    );
    const out = path.join(tmpDir(), 'run');
    const r = await cli('run', file, '--out', out, '--quiet', '--tensorboard');
    expect(r.code).toBe(0);
    const mid = readJson(path.join(out, 'peek', 'size.json')).size as number;
    const [name] = fs.readdirSync(path.join(out, 'tensorboard'));
    const end = fs.statSync(path.join(out, 'tensorboard', name!)).size;
    expect(mid).toBeGreaterThan(100);
    expect(end).toBeGreaterThan(mid);
  }, 60_000);
});

describe('file options', () => {
  it('a plugin option marked x-path is resolved against the config file, not the working directory', async () => {
    const ref = `exports.build = (tf, { inputShape }) => {
      const m = tf.sequential();
      m.add(tf.layers.dense({ units: 16, activation: 'relu', inputShape, name: 'hidden1' }));
      m.add(tf.layers.dense({ units: 10, activation: 'softmax', name: 'output' }));
      return m;
    };`;
    const file = writeConfig(
      {
        task: { use: 'mnist-mlp', options: { limit: 300, hidden: [16] } },
        training: { epochs: 1, maxSteps: 1 },
        plugins: [{ use: 'reference-check', options: { reference: 'model', module: './ref.js' } }],
      },
      { 'ref.js': ref },
    );
    expect(path.dirname(file)).not.toBe(process.cwd());
    const out = path.join(tmpDir(), 'run');
    const r = await cli('run', file, '--out', out, '--quiet');
    expect(r.code).toBe(0);
    const findings = readJson(path.join(out, 'findings.json')) as { code: string }[];
    expect(findings.map((f) => f.code)).toContain('reference-check-passed');
    // config.json records the config as run: the resolved path.
    expect(readJson(path.join(out, 'config.json')).plugins[0].options.module).toBe(
      path.join(path.dirname(file), 'ref.js'),
    );
  }, 60_000);
});

describe('compare and serve', () => {
  it('compare writes one page for two runs; fewer than two, or a folder that is not a run, is exit 2', async () => {
    const file = writeConfig({ task: small, training: { epochs: 1 } });
    const a = path.join(tmpDir(), 'a');
    const b = path.join(tmpDir(), 'b');
    expect((await cli('run', file, '--out', a, '--quiet')).code).toBe(0);
    expect((await cli('run', file, '--out', b, '--quiet', '--seed', '7')).code).toBe(0);
    const out = path.join(tmpDir(), 'cmp.html');
    const r = await cli('compare', a, b, '--out', out);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/comparison: .*cmp\.html/);
    const html = fs.readFileSync(out, 'utf8');
    expect(html).toMatch(/trainwatch compare: a vs b/);
    expect(html).toMatch(/<code>training\.seed<\/code><\/th><td>42<\/td><td>7<\/td>/);
    expect((await cli('compare', a)).code).toBe(2);
    const notRun = await cli('compare', a, tmpDir());
    expect(notRun.code).toBe(2);
    expect(notRun.stderr).toMatch(/is not a run directory/);
  }, 60_000);

  it('serve on a path that is not a folder says so, exit 2', async () => {
    const r = await cli('serve', path.join(tmpDir(), 'missing'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/trainwatch serve: .*missing is not a folder/);
  });
});
