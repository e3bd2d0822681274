import * as tf from './tf';
import type { KernelBackend, KernelConfig, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from './tf';

/**
 * Kernels tfjs-backend-wasm 4.22 lacks, filled so training works on it:
 * - `Conv2DBackpropFilter` is computed by wasm's own forward Conv2D (fast, see below);
 * - the other gaps run on the cpu backend (inputs copied there and back), counted so the cost is
 *   visible in the run summary rather than silent.
 * Complex-number, string and canvas kernels have no path and stay missing.
 */
const NO_BRIDGE = new Set(['Complex', 'ComplexAbs', 'FFT', 'IFFT', 'Imag', 'Real', 'Draw', 'StaticRegexReplace']);

/** What the filling did, for `summary.json` and the terminal. */
export interface KernelGapReport {
  /** Kernels implemented natively on top of other wasm kernels. */
  filled: string[];
  /** Kernels that run on the cpu backend, with how many times each ran. */
  bridged: Record<string, number>;
  /** Kernels the cpu backend has but wasm still does not (they fail if used). */
  missing: string[];
}

const report: KernelGapReport = { filled: [], bridged: {}, missing: [] };
let installed = false;

type Kernel = (args: {
  inputs: NamedTensorInfoMap;
  backend: KernelBackend;
  attrs?: NamedAttrMap;
}) => TensorInfo | TensorInfo[];

function kernel(name: string): Kernel {
  return tf.getKernel(name, 'wasm').kernelFunc as unknown as Kernel;
}

/**
 * dW[i,j,c,o] = sum over b,p,q of xpad[b, p*s+i, q*s+j, c] * dy[b,p,q,o]. Seen as a convolution of
 * xpad transposed to [c, H, W, b] with dy transposed to [p, q, b, o] (dilation = stride), it runs on
 * wasm's XNNPACK conv: about 12 ms instead of about 7 s for the cpu kernel on x[64,26,26,8], dy[64,24,24,16]
 * (`npm run bench:conv --workspace @trainwatch/bench`).
 */
function conv2dBackpropFilter(args: {
  inputs: NamedTensorInfoMap;
  backend: KernelBackend;
  attrs?: NamedAttrMap;
}): TensorInfo {
  const { backend } = args;
  const x = args.inputs['x']!;
  const dy = args.inputs['dy']!;
  const attrs = args.attrs as unknown as {
    strides: number | [number, number];
    pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  if (attrs.dataFormat === 'NCHW') {
    throw new Error('Conv2DBackpropFilter on wasm: NCHW is not supported (wasm convolutions are NHWC)');
  }
  const [fh, fw, ci, co] = attrs.filterShape;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { top, bottom, left, right } = info.padInfo;
  const temps: TensorInfo[] = [];
  const keep = (t: TensorInfo | TensorInfo[]): TensorInfo => {
    const one = Array.isArray(t) ? t[0]! : t;
    temps.push(one);
    return one;
  };
  try {
    let xp = x;
    if (top + bottom + left + right > 0) {
      const paddings = [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ];
      xp = keep(kernel('PadV2')({ inputs: { x }, backend, attrs: { paddings, constantValue: 0 } }));
    }
    const xT = keep(kernel('Transpose')({ inputs: { x: xp }, backend, attrs: { perm: [3, 1, 2, 0] } }));
    const dyT = keep(kernel('Transpose')({ inputs: { x: dy }, backend, attrs: { perm: [1, 2, 0, 3] } }));
    const conv = keep(
      kernel('Conv2D')({
        inputs: { x: xT, filter: dyT },
        backend,
        attrs: {
          strides: [1, 1],
          pad: 'valid',
          dataFormat: 'NHWC',
          dilations: [info.strideHeight, info.strideWidth],
          dimRoundingMode: null,
        } as unknown as NamedAttrMap,
      }),
    );
    // The conv covers every offset the padded input allows; the filter needs the first fh x fw.
    const cut = keep(
      kernel('Slice')({ inputs: { x: conv }, backend, attrs: { begin: [0, 0, 0, 0], size: [ci, fh, fw, co] } }),
    );
    const out = kernel('Transpose')({ inputs: { x: cut }, backend, attrs: { perm: [1, 2, 0, 3] } });
    return Array.isArray(out) ? out[0]! : out;
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/** Runs a cpu kernel for the wasm backend: copy inputs to cpu, run, copy outputs back. */
function bridge(name: string): KernelConfig {
  const cpuKernel = tf.getKernel(name, 'cpu');
  return {
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: (({
      inputs,
      backend,
      attrs,
    }: {
      inputs: NamedTensorInfoMap;
      backend: KernelBackend;
      attrs?: NamedAttrMap;
    }) => {
      const cpu = tf.engine().findBackend('cpu');
      if (cpu === null) throw new Error(`${name} on wasm needs the cpu backend, which is not registered`);
      report.bridged[name] = (report.bridged[name] ?? 0) + 1;
      const made: TensorInfo[] = [];
      const cpuInputs: NamedTensorInfoMap = {};
      for (const [k, t] of Object.entries(inputs)) {
        if (t === undefined) continue;
        const moved = {
          dataId: cpu.write(backend.readSync(t.dataId), t.shape, t.dtype),
          shape: t.shape,
          dtype: t.dtype,
        };
        made.push(moved);
        cpuInputs[k] = moved;
      }
      try {
        const out = (cpuKernel.kernelFunc as unknown as Kernel)({
          inputs: cpuInputs,
          backend: cpu,
          ...(attrs ? { attrs } : {}),
        });
        const outs = Array.isArray(out) ? out : [out];
        const back = outs.map((o) => {
          made.push(o);
          return { dataId: backend.write(cpu.readSync(o.dataId), o.shape, o.dtype), shape: o.shape, dtype: o.dtype };
        });
        return Array.isArray(out) ? back : back[0]!;
      } finally {
        for (const t of made) cpu.disposeData(t.dataId);
      }
    }) as unknown as KernelConfig['kernelFunc'],
  };
}

/** Fills wasm's kernel gaps once per process (tfjs kernel registries are global). */
export function fillWasmKernelGaps(): KernelGapReport {
  if (installed) return report;
  installed = true;
  const have = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  if (!have.has('Conv2DBackpropFilter')) {
    tf.registerKernel({
      kernelName: 'Conv2DBackpropFilter',
      backendName: 'wasm',
      kernelFunc: conv2dBackpropFilter as unknown as KernelConfig['kernelFunc'],
    });
    report.filled.push('Conv2DBackpropFilter');
    have.add('Conv2DBackpropFilter');
  }
  for (const k of tf.getKernelsForBackend('cpu')) {
    if (have.has(k.kernelName)) continue;
    if (NO_BRIDGE.has(k.kernelName)) {
      report.missing.push(k.kernelName);
      continue;
    }
    tf.registerKernel(bridge(k.kernelName));
    report.bridged[k.kernelName] = 0;
  }
  return report;
}

/** The current gap report (bridged call counts grow as the run uses them). */
export function kernelGapReport(): KernelGapReport {
  return { filled: [...report.filled], bridged: { ...report.bridged }, missing: [...report.missing] };
}
