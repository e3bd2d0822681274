import { createRng, permutation, type ImageData, type Row, type TaskHooks } from '@trainwatch/core';

/**
 * The probe set: `size` example ids, seeded. With class labels it is stratified (classes taken in
 * turn, each class in a seeded order) so rare classes are seen too.
 */
export function chooseProbes(n: number, size: number, seed: number, classOf?: (i: number) => number): number[] {
  const order = Array.from(permutation(n, createRng(seed)));
  if (!classOf) return order.slice(0, Math.min(size, n));
  const byClass = new Map<number, number[]>();
  for (const i of order) {
    const c = classOf(i);
    if (!byClass.has(c)) byClass.set(c, []);
    byClass.get(c)!.push(i);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const out: number[] = [];
  for (let round = 0; out.length < Math.min(size, n); round++) {
    for (const c of classes) {
      const i = byClass.get(c)![round];
      if (i !== undefined && out.length < size) out.push(i);
    }
  }
  return out;
}

/** The task's picture of an input row, or one from an NHWC shape (1 or 3 channels). */
export function pictureOf(
  hooks: TaskHooks | undefined,
  shape: readonly number[],
): ((row: Row) => ImageData) | undefined {
  if (hooks?.image) return (row) => hooks.image!(row);
  const [, h, w, c] = shape;
  if (shape.length === 4 && (c === 1 || c === 3))
    return (row) => ({ width: w!, height: h!, channels: c as 1 | 3, data: row });
  return undefined;
}

/** Quadrant of an image's centre of mass (intensity-weighted), relative to the image centre. */
export function quadrant(img: ImageData): string {
  let m = 0;
  let sx = 0;
  let sy = 0;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      let v = 0;
      for (let k = 0; k < img.channels; k++) v += Math.abs(Number(img.data[(y * img.width + x) * img.channels + k]));
      m += v;
      sx += v * x;
      sy += v * y;
    }
  }
  if (m === 0) return 'blank';
  const cx = sx / m;
  const cy = sy / m;
  return `${cy < (img.height - 1) / 2 ? 'top' : 'bottom'}-${cx < (img.width - 1) / 2 ? 'left' : 'right'}`;
}
