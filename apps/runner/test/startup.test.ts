import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'apps/runner/dist/cli.js');

/** Runs the built CLI in a fresh process and says whether TensorFlow.js was loaded by the time it exited. */
function loadsTfjs(args: string[]): { code: number; tfjs: boolean; out: string } {
  const script = `
    const Module = require('module');
    const load = Module._load;
    let tfjs = false;
    Module._load = function (request, ...rest) {
      if (request.startsWith('@tensorflow/')) tfjs = true;
      return load.call(this, request, ...rest);
    };
    let out = '';
    const io = { stdout: { write: (s) => (out += s) }, stderr: { write: (s) => (out += s) } };
    require(${JSON.stringify(CLI)}).main(['node', 'trainwatch', ...${JSON.stringify(args)}], io)
      .then((code) => console.log(JSON.stringify({ code, tfjs, out })));`;
  const r = spawnSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as { code: number; tfjs: boolean; out: string };
}

describe('commands that train nothing start without TensorFlow.js', () => {
  it.each([[['--help']], [['run', '--help']], [['--version']], [['nosuchcommand']]])('trainwatch %j', (args) => {
    const r = loadsTfjs(args);
    expect(r.tfjs).toBe(false);
    expect(r.out.length).toBeGreaterThan(0);
  });

  it('a command that trains loads it (the check can see a load)', () => {
    const r = loadsTfjs(['validate', path.join(ROOT, 'examples/mnist.json')]);
    expect(r.tfjs).toBe(true);
  });
});
