// BatchNorm over a batch of rows, as PyTorch's BatchNorm1d, or of images (channels last), as BatchNorm2d: in
// training each unit (channel) is normalised by the batch's mean and (biased) variance over its rows (and pixels),
// and the running statistics that evaluation uses move towards the batch's mean and unbiased variance.
import * as tf from '@tensorflow/tfjs';

/** PyTorch's defaults: running ← (1 − momentum)·running + momentum·batch. */
export const BATCH_NORM_MOMENTUM = 0.1;
export const BATCH_NORM_EPSILON = 1e-5;

export interface BatchNormParams {
  gain: tf.Variable;
  bias: tf.Variable;
  /** Saved with the weights (PyTorch's buffers running_mean and running_var), never trained. */
  runningMean: tf.Variable;
  runningVar: tf.Variable;
}

/** One batch's statistics per unit, for the running ones: the mean and the unbiased variance. */
export interface BatchStatistics {
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
}

/**
 * Training: z [n, units] (or images [n, h, w, channels]) normalised over its n rows (and h·w pixels), n·h·w ≥ 2,
 * and the statistics it saw.
 */
export function batchNormTrain<T extends tf.Tensor2D | tf.Tensor4D>(
  z: T,
  p: BatchNormParams,
): { out: T; stats: BatchStatistics } {
  const axes = z.rank === 4 ? [0, 1, 2] : [0];
  const n = z.size / z.shape[z.rank - 1];
  const { mean, variance } = tf.moments(z, axes);
  const out = z.sub(mean).mul(variance.add(BATCH_NORM_EPSILON).rsqrt()).mul(p.gain).add(p.bias) as T;
  return { out, stats: { mean: mean as tf.Tensor1D, variance: variance.mul(n / (n - 1)) as tf.Tensor1D } };
}

/** Evaluation: normalised by the running statistics, so a row's output does not depend on the others. */
export function batchNormEval<T extends tf.Tensor2D | tf.Tensor4D>(z: T, p: BatchNormParams): T {
  return z.sub(p.runningMean).mul(p.runningVar.add(BATCH_NORM_EPSILON).rsqrt()).mul(p.gain).add(p.bias) as T;
}

/** Fold a training batch's statistics into the running ones. */
export function updateRunningStatistics(p: BatchNormParams, stats: BatchStatistics): void {
  const m = BATCH_NORM_MOMENTUM;
  tf.tidy(() => {
    p.runningMean.assign(p.runningMean.mul(1 - m).add(stats.mean.mul(m)));
    p.runningVar.assign(p.runningVar.mul(1 - m).add(stats.variance.mul(m)));
  });
}
