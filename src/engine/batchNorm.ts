// BatchNorm over a batch of rows, as PyTorch's BatchNorm1d: in training each unit is normalised
// by the batch's mean and (biased) variance, and the running statistics that evaluation uses
// move towards the batch's mean and unbiased variance.
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

/** Training: z [n, units] normalised over its n rows (n ≥ 2), and the statistics it saw. */
export function batchNormTrain(z: tf.Tensor2D, p: BatchNormParams): { out: tf.Tensor2D; stats: BatchStatistics } {
  const n = z.shape[0];
  const { mean, variance } = tf.moments(z, 0);
  const out = z.sub(mean).mul(variance.add(BATCH_NORM_EPSILON).rsqrt()).mul(p.gain).add(p.bias) as tf.Tensor2D;
  return { out, stats: { mean: mean as tf.Tensor1D, variance: variance.mul(n / (n - 1)) as tf.Tensor1D } };
}

/** Evaluation: normalised by the running statistics, so a row's output does not depend on the others. */
export function batchNormEval(z: tf.Tensor2D, p: BatchNormParams): tf.Tensor2D {
  return z.sub(p.runningMean).mul(p.runningVar.add(BATCH_NORM_EPSILON).rsqrt()).mul(p.gain).add(p.bias) as tf.Tensor2D;
}

/** Fold a training batch's statistics into the running ones. */
export function updateRunningStatistics(p: BatchNormParams, stats: BatchStatistics): void {
  const m = BATCH_NORM_MOMENTUM;
  tf.tidy(() => {
    p.runningMean.assign(p.runningMean.mul(1 - m).add(stats.mean.mul(m)));
    p.runningVar.assign(p.runningVar.mul(1 - m).add(stats.variance.mul(m)));
  });
}
