// What the tabular learner trains: a model of rows of numbers (an MLP, or a CNN that reads each row as an image),
// whatever is inside it.
import type * as tf from '@tensorflow/tfjs';
import type { NamedBuffer, PlainLayer } from './mlp';
import type { CnnModel } from './cnnModel';

export interface RowModel {
  /** Trainable, in a fixed order, with their PyTorch names in `names`. */
  variables: tf.Variable[];
  names: string[];
  /** BatchNorm's running statistics; empty without BatchNorm. */
  buffers: NamedBuffer[];
  /** Trained parameters in all (buffers are not counted, as PyTorch's parameters() leaves them out). */
  params: number;
  /** Weight matrices and kernels by layer (not biases or norms): L1/L2 penalise them, and their norms are reported. */
  groups: { name: string; weights: tf.Variable[] }[];
  /** A plain MLP's layers, which the host step and step mode compute by hand; null for any other model. */
  plain: PlainLayer[] | null;
  /**
   * An MLP's layers where none is normalised (residual connections allowed): what the compiled
   * WebGPU step computes (compiled/mlpStep.ts); null for any other model.
   */
  withoutNorms: PlainLayer[] | null;
  /**
   * Outputs [n, outputDim] of rows [n, inputDim]. With a dropout seed the model is in training mode: dropout is on
   * and BatchNorm normalises over this batch, whose statistics it keeps for updateBuffers.
   */
  forward: (x: tf.Tensor2D, dropoutSeed?: () => number) => tf.Tensor2D;
  /** Evaluation outputs whose gradient reaches the input (training skips it: the input is data), for saliency. */
  outputsWithInputGradient: (x: tf.Tensor2D) => tf.Tensor2D;
  /** After an optimizer step: fold the statistics of the batch it trained on into the running ones. */
  updateBuffers: () => void;
  /** The same outputs for evaluation (no dropout, running statistics). */
  predict: (x: tf.Tensor2D) => tf.Tensor2D;
  /** The convolutional network inside (null for an MLP), for the looks that are its own: feature maps, filters. */
  convolutional: CnnModel | null;
  dispose: () => void;
}
