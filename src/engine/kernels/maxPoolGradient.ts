// Max pooling's gradient from plain ops, for tfjs-wasm 4.22 whose MaxPoolGrad drops it in every window whose
// values are all negative (as if its running maximum started at 0): common after a convolution or a BatchNorm.
// Elsewhere tf's own gradient stays (the reference and the fallback).
import * as tf from '@tensorflow/tfjs';
import { addMany } from './addMany';

/**
 * dx of y = maxPool(x, size, stride, 'valid') from dy: each window's gradient goes to the first of its largest
 * values (rows, then columns, as PyTorch and tf's cpu kernel choose among ties).
 */
export function maxPoolGradient(
  x: tf.Tensor4D,
  y: tf.Tensor4D,
  dy: tf.Tensor4D,
  size: number,
  stride: number,
): tf.Tensor4D {
  return size === stride ? tiledGradient(x, dy, size) : overlappingGradient(x, y, dy, size, stride);
}

/**
 * Windows that tile the image (size = stride): each window's values side by side ([n, oh, ow, c, size²], rows
 * then columns), the first largest one's place by argMax, and dy put there. A few whole-tensor kernels, where
 * tfjs-wasm's strided slices are slow (75 ms of a LeNet step's 190 ms on 64 digits, measured).
 */
function tiledGradient(x: tf.Tensor4D, dy: tf.Tensor4D, size: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, height, width, channels] = x.shape;
    const [, outH, outW] = dy.shape;
    const [usedH, usedW] = [outH * size, outW * size];
    // Rows and columns past the last whole window get no gradient.
    const whole = usedH === height && usedW === width;
    const used = whole ? x : x.slice([0, 0, 0, 0], [n, usedH, usedW, channels]);
    const windows = used
      .reshape([n, outH, size, outW, size, channels])
      .transpose([0, 1, 3, 5, 2, 4])
      .reshape([n, outH, outW, channels, size * size]);
    const chosen = tf.oneHot(windows.argMax(-1).flatten(), size * size).reshape(windows.shape);
    const spread = chosen
      .mul(dy.expandDims(-1))
      .reshape([n, outH, outW, channels, size, size])
      .transpose([0, 1, 4, 2, 5, 3])
      .reshape([n, usedH, usedW, channels]) as tf.Tensor4D;
    return whole
      ? spread
      : spread.pad([
          [0, 0],
          [0, height - usedH],
          [0, width - usedW],
          [0, 0],
        ]);
  });
}

/**
 * Overlapping windows: for each of the size² offsets in a window, where x at that offset is the maximum and no
 * earlier offset was, dy goes there, spread back out to the input's grid (zeros between windows `stride` apart).
 */
function overlappingGradient(
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
    return addMany(parts);
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
