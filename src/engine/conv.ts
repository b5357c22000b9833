// Convolutional layers on images held channels-last [n, h, w, channels]: a convolution with its bias, max and
// average pooling, global average pooling, and ResNet's basic block. Padding is PyTorch's (the same rows and
// columns on every side), so an exported Conv2d(padding=k // 2) computes what ours does at any stride.
import * as tf from '@tensorflow/tfjs';
import { batchNormEval, batchNormTrain, type BatchNormParams, type BatchStatistics } from './batchNorm';
import { conv2d } from './kernels/conv2dFilterGradient';
import { maxPool } from './kernels/maxPoolGradient';

export type ConvPadding = 'same' | 'valid';

export interface ConvGeometry {
  kernel: number;
  stride: number;
  padding: ConvPadding;
}

/** Rows (and columns) of zeros on each side: 'same' pads (k − 1)/2, so at stride 1 (odd k) the output keeps the input's size. */
export function paddingOf(g: ConvGeometry): number {
  return g.padding === 'same' ? Math.floor((g.kernel - 1) / 2) : 0;
}

/** An output side from an input side, ⌊(size + 2·padding − kernel) / stride⌋ + 1, as PyTorch's Conv2d and pools; 0 or less: none. */
export function convOutputSide(size: number, g: ConvGeometry): number {
  return Math.floor((size + 2 * paddingOf(g) - g.kernel) / g.stride) + 1;
}

/** A convolution's weights [kh, kw, in, out] and its bias (none before a BatchNorm, as in ResNet). */
export interface ConvParams {
  weight: tf.Tensor4D;
  bias?: tf.Tensor1D | null;
}

/** x [n, h, w, in] convolved by the weights, plus the bias: [n, h', w', out]. `data`: x is the input images (no gradient needed). */
export function convolve(x: tf.Tensor4D, p: ConvParams, g: ConvGeometry, data = false): tf.Tensor4D {
  const y = conv2d(x, p.weight, [g.stride, g.stride], paddingOf(g), !data);
  return p.bias ? y.add(p.bias) : y;
}

export type PoolKind = 'max' | 'avg';

/** Max or average over size × size windows `stride` apart, without padding (a partial last window is dropped). */
export function pool(x: tf.Tensor4D, kind: PoolKind, size: number, stride: number): tf.Tensor4D {
  return kind === 'max' ? maxPool(x, size, stride) : tf.avgPool(x, size, stride, 'valid');
}

/** Each channel's mean over the image: [n, h, w, c] → [n, c]. */
export function globalAveragePool(x: tf.Tensor4D): tf.Tensor2D {
  return x.mean([1, 2]);
}

/** ResNet's basic block: two 3×3 convolutions, each with BatchNorm; a 1×1 convolution with BatchNorm on the skip where the size or the channels change. */
export interface ResidualParams {
  conv1: tf.Tensor4D;
  norm1: BatchNormParams;
  conv2: tf.Tensor4D;
  norm2: BatchNormParams;
  projection: { conv: tf.Tensor4D; norm: BatchNormParams } | null;
}

/**
 * relu(norm2(conv2(relu(norm1(conv1(x))))) + skip(x)), the first convolution (and the projection) `stride`
 * apart. Training normalises by the batch and returns its statistics (norm1, norm2, then the projection's) for
 * the running ones; evaluation uses the running statistics and returns none.
 */
export function residualBlock(
  x: tf.Tensor4D,
  p: ResidualParams,
  stride: number,
  training: boolean,
): { out: tf.Tensor4D; stats: BatchStatistics[] } {
  const stats: BatchStatistics[] = [];
  const norm = (z: tf.Tensor4D, params: BatchNormParams) => {
    if (!training) return batchNormEval(z, params);
    const r = batchNormTrain(z, params);
    stats.push(r.stats);
    return r.out;
  };
  const first = norm(convolve(x, { weight: p.conv1 }, { kernel: 3, stride, padding: 'same' }), p.norm1).relu();
  const second = norm(
    convolve(first as tf.Tensor4D, { weight: p.conv2 }, { kernel: 3, stride: 1, padding: 'same' }),
    p.norm2,
  );
  const skip = p.projection
    ? norm(convolve(x, { weight: p.projection.conv }, { kernel: 1, stride, padding: 'valid' }), p.projection.norm)
    : x;
  return { out: second.add(skip).relu(), stats };
}
