import { selectBackend } from '@trainwatch/core/runner';
import { tf } from '@trainwatch/core';
import { regionsFor } from '../src/input-drift';

beforeAll(async () => {
  await selectBackend('wasm');
});

describe('input-drift regions', () => {
  it.each([[[5, 28, 28, 1]], [[3, 7, 9, 3]]])(
    'quadrant means of a %j batch equal the mean of each quadrant’s pixels',
    (shape) => {
      const [, h, w] = shape as [number, number, number, number];
      const x = tf.randomUniform(shape, 0, 1, 'float32', 3);
      const hh = Math.floor(h / 2);
      const hw = Math.floor(w / 2);
      const q = (r: number, c: number, rh: number, cw: number) =>
        tf.mean(tf.slice(x, [0, r, c, 0], [-1, rh, cw, -1]), [1, 2, 3]);
      const want = tf.stack(
        [q(0, 0, hh, hw), q(0, hw, hh, w - hw), q(hh, 0, h - hh, hw), q(hh, hw, h - hh, w - hw)],
        1,
      );
      const got = regionsFor(x, undefined)!.means(x);
      expect(got.shape).toEqual(want.shape);
      const diff = tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]!;
      expect(diff).toBeLessThan(1e-5);
      tf.dispose([x, want, got]);
    },
  );
});
