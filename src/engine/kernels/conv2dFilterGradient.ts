// The filter gradient of a 2-D convolution from ops every backend has: tfjs-wasm 4.22 registers Conv2D and
// Conv2DBackpropInput but no Conv2DBackpropFilter, so tf.grad of a convolution fails there, and tfjs-cpu's is a
// plain loop about 20× slower than ours. Elsewhere tf's own gradient stays (the reference and the fallback);
// ours is taken only where tf's is missing or that slow.
import * as tf from '@tensorflow/tfjs';

/** tf's names ('same' pads as TensorFlow does, more at the bottom and right), or rows and columns on every side. */
export type ConvPadding = 'same' | 'valid' | number;

/**
 * dW[i, j, c, o] = Σ over n, p, q of xpad[n, p·sh + i, q·sw + j, c] · dy[n, p, q, o]: itself a convolution, of the
 * padded input with batch and channels swapped ([c, H, W, n]) by dy as the filter ([p, q, n, o]), dilated by the
 * stride, over the rows and columns the last window reaches (so its output is kh × kw).
 */
export function conv2dFilterGradient(
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: [number, number, number, number],
  strides: [number, number],
  pad: ConvPadding,
): tf.Tensor4D {
  return tf.tidy(() => {
    const [kh, kw] = filterShape;
    const info = tf.backend_util.computeConv2DInfo(x.shape, filterShape, strides, 1, pad);
    const { top, bottom, left, right } = info.padInfo;
    const padded =
      top || bottom || left || right
        ? x.pad([
            [0, 0],
            [top, bottom],
            [left, right],
            [0, 0],
          ])
        : x;
    // Only the rows and columns the last window reaches: the rest would give outputs past kh × kw.
    const [, outH, outW] = dy.shape;
    const [usedH, usedW] = [kh + (outH - 1) * strides[0], kw + (outW - 1) * strides[1]];
    const [paddedH, paddedW] = [x.shape[1] + top + bottom, x.shape[2] + left + right];
    const used = usedH < paddedH || usedW < paddedW ? padded.slice([0, 0, 0, 0], [-1, usedH, usedW, -1]) : padded;
    const swapped = used.transpose<tf.Tensor4D>([3, 1, 2, 0]);
    const byGradient = dy.transpose<tf.Tensor4D>([1, 2, 0, 3]);
    const full = tf.conv2d(swapped, byGradient, 1, 'valid', 'NHWC', strides);
    return full.transpose<tf.Tensor4D>([1, 2, 0, 3]);
  });
}

/**
 * The input's gradient of a stride-1 convolution with `pad` on every side (square kernels): a convolution of dy,
 * padded by k − 1 − pad, by the filter turned 180° with its in and out channels swapped. On wasm that runs on
 * XNNPACK's convolution, where tfjs-wasm's Conv2DBackpropInput took 29 ms of a LeNet step's 85 (64 digits, measured).
 * Null where it does not apply (strides, uneven padding, non-square kernels): tf's kernel then.
 */
export function conv2dInputGradient(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: [number, number],
  pad: ConvPadding,
): tf.Tensor4D | null {
  const [kh, kw] = filter.shape;
  const p = pad === 'valid' ? 0 : pad;
  if (strides[0] !== 1 || strides[1] !== 1 || typeof p !== 'number' || kh !== kw || p > kh - 1) return null;
  return tf.tidy(() => tf.conv2d(dy, filter.reverse([0, 1]).transpose<tf.Tensor4D>([0, 1, 3, 2]), 1, kh - 1 - p));
}

/** Whether the active backend lacks tf's filter gradient (wasm), so a convolution must take ours. */
export function lacksFilterGradient(): boolean {
  return tf.getKernel('Conv2DBackpropFilter', tf.getBackend()) === undefined;
}

/**
 * Whether a convolution takes our filter gradient on the active backend: where tf's is missing (wasm), and on
 * cpu, whose Conv2DBackpropFilter took 5.8 s of a 6.3 s step of ConvNetJS's MNIST network on 64 digits, where
 * ours (tfjs-cpu's Conv2D underneath) takes 0.3 s (measured).
 */
export function takesOwnFilterGradient(): boolean {
  return lacksFilterGradient() || tf.getBackend() === 'cpu';
}

/**
 * A convolution whose gradients are the input's by tf's Conv2DBackpropInput and the filter's by
 * conv2dFilterGradient: what a convolution layer uses where the backend lacks the filter kernel. A custom
 * gradient returns one for every input, so for data (`inputGrad` false) the input's is zeros, not computed.
 */
export function conv2dOwnGradient(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: [number, number],
  pad: ConvPadding,
  inputGrad = true,
): tf.Tensor4D {
  const op = tf.customGrad((input, weights, save) => {
    const xi = input as tf.Tensor4D;
    const w = weights as tf.Tensor4D;
    (save as tf.GradSaveFunc)([xi, w]);
    return {
      value: tf.conv2d(xi, w, strides, pad),
      gradFunc: (dy, saved) => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        const g = dy as tf.Tensor4D;
        return [
          inputGrad
            ? (conv2dInputGradient(g, ws, strides, pad) ?? tf.conv2dTranspose(g, ws, xs.shape, strides, pad))
            : tf.zerosLike(xs),
          conv2dFilterGradient(xs, g, ws.shape, strides, pad),
        ];
      },
    };
  });
  return op(x, filter) as tf.Tensor4D;
}

/**
 * A convolution with gradients on every backend: tf's own where it has them all, ours for the filter on wasm and cpu.
 * `inputGrad` false: x is data, whose gradient nothing reads (tf's own skips it by itself).
 */
export function conv2d(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: [number, number],
  pad: ConvPadding,
  inputGrad = true,
): tf.Tensor4D {
  return takesOwnFilterGradient()
    ? conv2dOwnGradient(x, filter, strides, pad, inputGrad)
    : tf.conv2d(x, filter, strides, pad);
}
