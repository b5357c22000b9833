// Classic 2-D test functions for the loss-surface lab, written in tf ops so that gradients come
// from autodiff and the very same optimizers as training walk over them.
import * as tf from '@tensorflow/tfjs';
import type { SurfaceKind } from '../experiment/lab';

export interface Surface {
  /** Elementwise f(x, y) over tensors of equal shape. */
  f: (x: tf.Tensor, y: tf.Tensor, conditioning: number) => tf.Tensor;
}

const sq = (t: tf.Tensor) => t.square();

export const SURFACES: Record<SurfaceKind, Surface> = {
  /** ½(x² + κ·y²): κ is the condition number (ratio of curvatures). */
  bowl: { f: (x, y, k) => sq(x).add(sq(y).mul(k)).mul(0.5) },
  /** (1 − x)² + 100(y − x²)²: a curved narrow valley, minimum at (1, 1). */
  rosenbrock: { f: (x, y) => sq(tf.scalar(1).sub(x)).add(sq(y.sub(sq(x))).mul(100)) },
  /** (1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)², minimum at (3, 0.5). */
  beale: {
    f: (x, y) =>
      sq(tf.scalar(1.5).sub(x).add(x.mul(y)))
        .add(
          sq(
            tf
              .scalar(2.25)
              .sub(x)
              .add(x.mul(sq(y))),
          ),
        )
        .add(
          sq(
            tf
              .scalar(2.625)
              .sub(x)
              .add(x.mul(y.pow(3))),
          ),
        ),
  },
  /** (x² + y − 11)² + (x + y² − 7)²: four minima. */
  himmelblau: { f: (x, y) => sq(sq(x).add(y).sub(11)).add(sq(x.add(sq(y)).sub(7))) },
  /** x² − y²: a saddle at the origin, unbounded below along y. */
  saddle: { f: (x, y) => sq(x).sub(sq(y)) },
};
