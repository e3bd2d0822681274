import * as tf from './tf';
import { BackendError, errorMessage } from '../util/errors';
import { fillWasmKernelGaps, kernelGapReport, type KernelGapReport } from './wasm-kernels';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendChoice = 'auto' | BackendName;

/** What actually ran, and why the better ones did not. */
export interface BackendInfo {
  requested: BackendChoice;
  name: BackendName;
  /** Backends tried before this one and why each failed. */
  skipped: { name: BackendName; reason: string }[];
  /** wasm only: SIMD and thread count as reported by tfjs flags. */
  wasm?: { simd: boolean; threads: boolean };
  kernels?: KernelGapReport;
}

const ORDER: BackendName[] = ['tensorflow', 'wasm', 'cpu'];

async function tryBackend(name: BackendName): Promise<void> {
  if (name === 'tensorflow') {
    // tfjs-node is optional and cannot install everywhere; a present package without its native
    // addon (npm ci --ignore-scripts) throws here too.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional native package: loaded only when asked for, and its failure is caught
    require('@tensorflow/tfjs-node');
  } else if (name === 'wasm') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- registers the backend on first use, not at import
    require('@tensorflow/tfjs-backend-wasm');
  }
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`tf.setBackend('${name}') did not take effect`);
  await tf.ready();
}

/**
 * Picks and initialises the backend: `auto` tries tensorflow (tfjs-node), then wasm, then cpu;
 * a named backend must load or a {@link BackendError} says why. On wasm, missing gradient kernels
 * are filled (see `wasm-kernels.ts`). The cpu backend is always registered too, as wasm's bridge.
 */
export function selectBackend(choice: BackendChoice = 'auto'): Promise<BackendInfo> {
  // tfjs has one global backend: selections from runs started together (several runTraining calls
  // in one process) go one after another, or one's setBackend lands while another's initialises.
  const next = selecting.then(
    () => select(choice),
    () => select(choice),
  );
  selecting = next.catch(() => undefined);
  return next;
}

let selecting: Promise<unknown> = Promise.resolve();

async function select(choice: BackendChoice): Promise<BackendInfo> {
  const candidates = choice === 'auto' ? ORDER : [choice];
  const skipped: BackendInfo['skipped'] = [];
  quietCpuGreeting();
  for (const name of candidates) {
    try {
      await tryBackend(name);
    } catch (e) {
      skipped.push({ name, reason: firstLine(errorMessage(e)) });
      continue;
    }
    const info: BackendInfo = { requested: choice, name, skipped };
    if (name === 'wasm') {
      fillWasmKernelGaps();
      info.wasm = {
        simd: Boolean(tf.env().get('WASM_HAS_SIMD_SUPPORT')),
        threads: Boolean(tf.env().get('WASM_HAS_MULTITHREAD_SUPPORT')),
      };
      info.kernels = kernelGapReport();
    }
    return info;
  }
  const why = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
  throw new BackendError(
    choice === 'auto' ? `no tfjs backend could be loaded (${why})` : `backend "${choice}" could not be loaded: ${why}`,
  );
}

function firstLine(s: string): string {
  const line = s.split('\n')[0] ?? s;
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/**
 * The cpu backend greets Node users with "install tfjs-node" on first use. trainwatch already picked
 * the fastest backend that loads (and says which in the run summary), so the banner only misleads.
 */
function quietCpuGreeting(): void {
  const cpu = tf.engine().registryFactory['cpu'] ? tf.findBackend('cpu') : null;
  if (cpu && 'firstUse' in cpu) (cpu as unknown as { firstUse: boolean }).firstUse = false;
}
