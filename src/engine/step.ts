// One optimizer step, as the Trainer takes it and as "auto" and the bench time it: compiled for the
// GPU where the learner can (an MLP or recurrent stack on webgpu: engine/compiled), in plain JavaScript where
// the learner and the optimizer can (tiny MLPs on cpu and wasm, whose tf-op step is all overhead:
// kernels/mlpHost.ts), otherwise through tfjs autodiff.
import * as tf from '@tensorflow/tfjs';
import type { TrainingSpec } from '../experiment/types';
import { weightPenalty } from './losses';
import { clipArraysByGlobalNorm, clipByGlobalNorm, type Optimizer } from './optimizers';
import type { Learner } from './learner';

export interface StepSettings {
  lr: number;
  l1: number;
  l2: number;
  /** Clip the gradients' global norm to this; 0: no clipping. */
  clipNorm: number;
  dropoutSeed: () => number;
}

/** A step's settings from the experiment's training section, at learning rate `lr`. */
export function stepSettings(training: TrainingSpec, lr: number, dropoutSeed: () => number): StepSettings {
  return { lr, l1: training.l1, l2: training.l2, clipNorm: training.clipNorm, dropoutSeed };
}

/**
 * The batch's loss, and its gradients before clipping: tensors by name, or (plain step) the loss
 * as a number and the gradients as arrays in the variables' order, with no tensor made at all, or
 * (compiled step) read from the device only when asked for.
 */
export type StepResult =
  | { loss: tf.Scalar; grads: tf.NamedTensorMap }
  | { loss: number; grads: Float32Array[] }
  | { loss: tf.Scalar; grads: LazyGradients };

/** Gradients still on the device: new tensors by variable name when called, the caller's to dispose. */
export type LazyGradients = () => tf.NamedTensorMap;

/**
 * Trains on rows[from … from+count) of the learner's data. Call inside tf.tidy: the tf-op step
 * leaves the batch's indices and its gradient tensors for the caller's scope to free or keep.
 */
export function optimizerStep(
  learner: Learner,
  optimizer: Optimizer,
  rows: tf.Tensor1D,
  from: number,
  count: number,
  s: StepSettings,
): StepResult {
  const compiled = learner.compiled?.step(optimizer, rows, from, count, s);
  if (compiled) return compiled;
  const penalty = { l1: s.l1, l2: s.l2 };
  const host = learner.hostGradients?.(rows, from, count, penalty);
  if (host) {
    const grads = s.clipNorm > 0 ? clipArraysByGlobalNorm(host.grads, s.clipNorm) : host.grads;
    if (optimizer.stepInPlace(grads, s.lr)) return { loss: host.loss, grads: host.grads };
  }
  const idx = rows.slice(from, count);
  const { value, grads } = tf.variableGrads(() => {
    const loss = learner.batchLoss(idx, s.dropoutSeed);
    const kernels = s.l1 > 0 || s.l2 > 0 ? learner.groups.flatMap((g) => g.weights) : [];
    const extra = weightPenalty(kernels, s.l1, s.l2);
    return extra ? loss.add(extra) : loss;
  }, learner.variables);
  optimizer.step(s.clipNorm > 0 ? clipByGlobalNorm(grads, s.clipNorm) : grads, s.lr);
  learner.afterStep?.();
  return { loss: value, grads };
}
