// The tensors an epoch makes and the one read-back at its end: batch losses, gradient norms; and the words for a run that diverged.
import * as tf from '@tensorflow/tfjs';
import { addMany } from './kernels/addMany';
import type { Learner } from './learner';
import type { LazyGradients } from './step';
import type { EpochMetrics, RunStatus } from './types';

/** The tensors one epoch makes, freed when it ends however it ends. */
export interface EpochTensors {
  perm: tf.Tensor1D;
  /** Numbers where the step ran in plain JavaScript. */
  losses: (tf.Scalar | number)[];
  gradNorms: tf.Tensor1D | null;
}

/** The epoch's batch losses as one tensor, for the epoch's one read-back. */
export function lossesTensor(losses: (tf.Scalar | number)[]): tf.Tensor1D {
  if (losses.every((l) => typeof l === 'number')) return tf.tensor1d(losses);
  return tf.stack(losses.map((l) => (typeof l === 'number' ? tf.scalar(l) : l))) as tf.Tensor1D;
}

/** Batch losses as numbers (one read for all that are still on the device). */
export async function readLosses(losses: (tf.Scalar | number)[]): Promise<number[]> {
  // Rounded to float32 as the epoch's read-back rounds them, so the two agree.
  if (losses.every((l) => typeof l === 'number')) return Array.from(Float32Array.from(losses));
  // A new tensor (and any scalars made for numbers) freed after the read; the batch losses stay for readBack.
  const packed = tf.tidy(() => lossesTensor(losses));
  const values = await packed.data();
  packed.dispose();
  return Array.from(values);
}

/** The end-of-epoch read-back, by name. */
export interface ReadBack {
  batchLosses: number[];
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
  valExactMatch: number;
  layers: EpochMetrics['layers'];
  /** What the learner's views need (boundary grid, predicted classes, forecasts…). */
  viewValues: Float32Array;
}

/**
 * L2 norm of a group of matrices (or their gradients): √Σw² over the tensors, as m·√Σ(w/m)² with m
 * the largest |w|: an exploding run's weights (|w| past 1.8e19) would overflow float32 when
 * squared, and a run record cannot hold the Infinity.
 */
export const groupNorm = (tensors: tf.Tensor[]) => {
  const m = tf
    .stack(tensors.map((t) => t.abs().max()))
    .max()
    .maximum(1e-30);
  return addMany(tensors.map((t) => t.div(m).square().sum()))
    .sqrt()
    .mul(m);
};

/** Each layer group's gradient norm, from gradients as tensors by name or (plain step) arrays in the variables' order. */
export function gradientNorms(
  learner: Learner,
  grads: tf.NamedTensorMap | Float32Array[] | LazyGradients,
): tf.Tensor1D {
  if (typeof grads === 'function') {
    const read = grads();
    const norms = gradientNorms(learner, read);
    tf.dispose(Object.values(read));
    return norms;
  }
  if (!Array.isArray(grads))
    return tf.stack(learner.groups.map((g) => groupNorm(g.weights.map((w) => grads[w.name])))) as tf.Tensor1D;
  const at = new Map(learner.variables.map((v, i) => [v, i]));
  const squares = (w: tf.Variable) => grads[at.get(w)!].reduce((s, g) => s + g * g, 0);
  return tf.tensor1d(learner.groups.map((g) => Math.sqrt(g.weights.reduce((sum, w) => sum + squares(w), 0))));
}

/** Why a run stopped when its loss became NaN or infinite, and what to try. */
export function diverged(epoch: number, value: number, learningRate: number): { status: RunStatus; message: string } {
  return {
    status: 'diverged',
    message:
      `Training diverged in epoch ${epoch}: the loss became ${Number.isNaN(value) ? 'NaN' : value > 0 ? '+Infinity' : '−Infinity'}. ` +
      `The weights blew up, usually because the learning rate (${learningRate}) is too high for this model. ` +
      'Try a learning rate 10× smaller, a smaller network, or Adam instead of SGD.',
  };
}
