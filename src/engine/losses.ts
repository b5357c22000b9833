import * as tf from '@tensorflow/tfjs';
import type { ClassificationLoss } from '../experiment/types';
import { targetLogProbs } from './kernels/targetLogProbs';

export type Task = 'binary' | 'regression' | 'multiclass';

/**
 * Mean loss of raw outputs against targets: sigmoid cross-entropy from logits for binary
 * classification (the stable form max(z,0) − z·y + log(1 + e^−|z|)), softmax cross-entropy
 * for several classes (targets are class indices), mean squared error for regression. A
 * classifier may instead take the squared error of its probabilities, σ(z) or softmax(z) against
 * the one-hot target, averaged over every element as PyTorch's F.mse_loss (outputLoss.ts does
 * the same per example in plain JavaScript).
 */
export function taskLoss(
  task: Task,
  outputs: tf.Tensor2D,
  targets: tf.Tensor1D,
  loss: ClassificationLoss = 'crossEntropy',
): tf.Scalar {
  if (task !== 'regression' && loss === 'mse') {
    const probabilities = task === 'multiclass' ? outputs.softmax() : outputs.reshape([-1]).sigmoid();
    const onehot = task === 'multiclass' ? tf.oneHot(targets.toInt(), outputs.shape[1]).toFloat() : targets;
    return probabilities.sub(onehot).square().mean();
  }
  if (task === 'multiclass') return targetLogProbs(outputs, targets).mean().neg() as tf.Scalar;
  const z = outputs.reshape([-1]);
  if (task === 'regression') return z.sub(targets).square().mean();
  return z.relu().sub(z.mul(targets)).add(z.abs().neg().exp().log1p()).mean();
}

/** Fraction of examples whose predicted class (logit > 0, or the largest logit) matches the label. */
export function accuracy(task: Task, outputs: tf.Tensor2D, targets: tf.Tensor1D): tf.Scalar {
  const predicted = task === 'multiclass' ? outputs.argMax(1).toFloat() : outputs.reshape([-1]).greater(0).toFloat();
  return predicted.equal(targets).toFloat().mean();
}

/** λ₁·Σ|w| + λ₂·Σw² over the given weight matrices. */
export function weightPenalty(kernels: tf.Tensor[], l1: number, l2: number): tf.Scalar | null {
  if (l1 === 0 && l2 === 0) return null;
  let total: tf.Scalar = tf.scalar(0);
  for (const w of kernels) {
    if (l1 > 0) total = total.add(w.abs().sum().mul(l1));
    if (l2 > 0) total = total.add(w.square().sum().mul(l2));
  }
  return total;
}
