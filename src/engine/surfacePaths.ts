import * as tf from '@tensorflow/tfjs';
import type { OptimizerSpec } from '../experiment/types';
import type { SurfaceKind } from '../experiment/lab';
import { createOptimizer } from './optimizers';
import { SURFACES } from './surfaces';
import type { SurfacePath } from './types';

/**
 * Walk one optimizer over a surface from a start point. Positions stay on the device until the
 * end, then come back in one read.
 */
export async function optimizerPath(
  kind: SurfaceKind,
  conditioning: number,
  spec: OptimizerSpec,
  start: [number, number],
  steps: number,
): Promise<SurfacePath> {
  const surface = SURFACES[kind];
  const p = tf.tidy(() => tf.variable(tf.tensor1d(start)));
  const optimizer = createOptimizer(spec, [p]);
  const positions: tf.Tensor[] = [p.clone()];
  try {
    for (let i = 0; i < steps; i++) {
      tf.tidy(() => {
        const { grads } = tf.variableGrads(
          () => surface.f(p.slice(0, 1), p.slice(1, 1), conditioning).sum() as tf.Scalar,
          [p],
        );
        optimizer.step(grads, spec.learningRate);
      });
      positions.push(p.clone());
    }
    const packed = tf.tidy(() => {
      const all = tf.stack(positions);
      const [x, y] = tf.split(all, 2, 1);
      return tf.concat([all.flatten(), surface.f(x, y, conditioning).flatten()]);
    });
    const values = (await packed.data()) as Float32Array;
    packed.dispose();
    const n = steps + 1;
    const xs = new Float32Array(n);
    const ys = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      xs[i] = values[2 * i];
      ys[i] = values[2 * i + 1];
    }
    return { xs, ys, losses: values.slice(2 * n) };
  } finally {
    tf.dispose(positions);
    optimizer.dispose();
    p.dispose();
  }
}

/** f over a res × res grid of the window, row 0 at the top (largest y). */
export async function surfaceGrid(
  kind: SurfaceKind,
  conditioning: number,
  x: [number, number],
  y: [number, number],
  res: number,
): Promise<Float32Array> {
  const t = tf.tidy(() => {
    const xs = tf.linspace(x[0], x[1], res);
    const ys = tf.linspace(y[1], y[0], res);
    const gx = xs.reshape([1, res]).tile([res, 1]);
    const gy = ys.reshape([res, 1]).tile([1, res]);
    return SURFACES[kind].f(gx, gy, conditioning).flatten();
  });
  const values = (await t.data()) as Float32Array;
  t.dispose();
  return values;
}
