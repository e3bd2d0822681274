import * as fs from 'node:fs';
import * as path from 'node:path';
import { tf, type ArtifactWriter } from '@trainwatch/core';

export type SnapshotRole = 'input' | 'label' | 'weight' | 'grad';

interface Entry {
  role: SnapshotRole;
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  offset: number;
  length: number;
}

/** What `snapshot.json` describes; the values are in `tensors.bin` (little-endian, float32 or int32). */
export interface SnapshotManifest {
  step: number;
  epoch: number;
  reason: string;
  loss: number;
  tensors: Entry[];
}

/**
 * Writes the batch, the weights before the step and the gradients, so the step can be reproduced:
 * load them with {@link loadSnapshot}, set the weights, run the batch. Returns the folder.
 */
export function writeSnapshot(
  artifacts: ArtifactWriter,
  info: { step: number; epoch: number; reason: string; loss: number },
  tensors: { role: SnapshotRole; name: string; tensor: tf.Tensor }[],
): string {
  const dir = `gradient-guard/snapshots/step-${info.step}`;
  const entries: Entry[] = [];
  const chunks: Buffer[] = [];
  let offset = 0;
  for (const { role, name, tensor } of tensors) {
    const dtype = tensor.dtype === 'int32' ? 'int32' : 'float32';
    const data =
      dtype === 'int32'
        ? new Int32Array(tensor.dataSync() as Int32Array)
        : Float32Array.from(tensor.dataSync() as Float32Array);
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    entries.push({ role, name, shape: [...tensor.shape], dtype, offset, length: data.length });
    chunks.push(buf);
    offset += buf.length;
  }
  artifacts.write(`${dir}/tensors.bin`, Buffer.concat(chunks));
  const manifest: SnapshotManifest = { ...info, tensors: entries };
  artifacts.writeJson(`${dir}/snapshot.json`, manifest);
  return artifacts.path(dir);
}

/** Reads a snapshot back as tensors grouped by role (the caller disposes them). */
export function loadSnapshot(dir: string): {
  manifest: SnapshotManifest;
  tensors: Record<SnapshotRole, Record<string, tf.Tensor>>;
} {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'snapshot.json'), 'utf8')) as SnapshotManifest;
  const bin = fs.readFileSync(path.join(dir, 'tensors.bin'));
  const tensors: Record<SnapshotRole, Record<string, tf.Tensor>> = { input: {}, label: {}, weight: {}, grad: {} };
  for (const e of manifest.tensors) {
    const bytes = bin.subarray(e.offset, e.offset + e.length * 4);
    const copy = new Uint8Array(bytes).buffer;
    const values = e.dtype === 'int32' ? new Int32Array(copy) : new Float32Array(copy);
    tensors[e.role][e.name] = tf.tensor(values, e.shape, e.dtype);
  }
  return { manifest, tensors };
}
