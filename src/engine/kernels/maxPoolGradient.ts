// Max pooling's gradient from plain ops, for tfjs-wasm 4.22 whose MaxPoolGrad drops it in every window whose
// values are all negative (as if its running maximum started at 0): common after a convolution or a BatchNorm.
// Elsewhere tf's own gradient stays (the reference and the fallback).
import * as tf from '@tensorflow/tfjs';

/**
 * dx of y = maxPool(x, size, stride, 'valid') from dy: each window's gradient goes to the first of its largest
 * values (rows, then columns, as PyTorch and tf's cpu kernel choose among ties). For each of the size² offsets in a
 * window: where x at that offset is the maximum and no earlier offset was, dy goes there, spread back out to the
 * input's grid (zeros between windows `stride` apart).
 */
export function maxPoolGradient(
  x: tf.Tensor4D,
  y: tf.Tensor4D,
  dy: tf.Tensor4D,
  size: number,
  stride: number,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, height, width, channels] = x.shape;
    const [, outH, outW] = y.shape;
    let taken = tf.zerosLike(y).cast('bool');
    const parts: tf.Tensor4D[] = [];
    for (let i = 0; i < size; i++) {
      for (let j = 0; j < size; j++) {
        const atOffset = tf.stridedSlice(
          x,
          [0, i, j, 0],
          [n, i + (outH - 1) * stride + 1, j + (outW - 1) * stride + 1, channels],
          [1, stride, stride, 1],
        ) as tf.Tensor4D;
        const here = atOffset.equal(y).logicalAnd(taken.logicalNot());
        taken = taken.logicalOr(here);
        parts.push(spreadOut(dy.mul(here.cast('float32')), stride, i, j, height, width));
      }
    }
    return tf.addN(parts);
  });
}

/** v [n, oh, ow, c] placed at rows i, i + stride, … and columns j, j + stride, … of an [n, height, width, c] grid of zeros. */
function spreadOut(v: tf.Tensor4D, stride: number, i: number, j: number, height: number, width: number): tf.Tensor4D {
  const [n, oh, ow, c] = v.shape;
  const spaced =
    stride === 1
      ? v
      : v
          .reshape([n, oh, 1, ow, 1, c])
          .pad([
            [0, 0],
            [0, 0],
            [0, stride - 1],
            [0, 0],
            [0, stride - 1],
            [0, 0],
          ])
          .reshape([n, oh * stride, ow * stride, c]);
  // The spaced grid ends stride − 1 zeros past the last window; the input may end before that.
  const rows = Math.min(oh * stride, height - i);
  const cols = Math.min(ow * stride, width - j);
  return spaced.slice([0, 0, 0, 0], [n, rows, cols, c]).pad([
    [0, 0],
    [i, height - i - rows],
    [j, width - j - cols],
    [0, 0],
  ]) as tf.Tensor4D;
}

/** Max pooling whose gradient is maxPoolGradient's. */
export function maxPoolOwnGradient(x: tf.Tensor4D, size: number, stride: number): tf.Tensor4D {
  const op = tf.customGrad((input, save) => {
    const xi = input as tf.Tensor4D;
    const y = tf.maxPool(xi, size, stride, 'valid');
    (save as tf.GradSaveFunc)([xi, y]);
    return {
      value: y,
      gradFunc: (dy, saved) => {
        const [xs, ys] = saved as [tf.Tensor4D, tf.Tensor4D];
        return [maxPoolGradient(xs, ys, dy as tf.Tensor4D, size, stride)];
      },
    };
  });
  return op(x) as tf.Tensor4D;
}

/** Max pooling with a right gradient on every backend: ours on wasm, tf's elsewhere. */
export function maxPool(x: tf.Tensor4D, size: number, stride: number): tf.Tensor4D {
  return tf.getBackend() === 'wasm' ? maxPoolOwnGradient(x, size, stride) : tf.maxPool(x, size, stride, 'valid');
}
