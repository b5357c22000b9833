// Plain data that the engine reports; no tfjs here, so the worker protocol and UI can use it.
import type { BackendName } from '../spec/types';

export type RunStatus = 'preparing' | 'running' | 'paused' | 'stopped' | 'completed' | 'diverged' | 'failed';

export interface EpochMetrics {
  epoch: number;
  /** Optimizer steps taken so far in the run. */
  step: number;
  /** Loss of each batch trained this epoch, in order (training mode: dropout and penalties on). */
  batchLosses: number[];
  /** Loss and accuracy over the whole training and validation sets, in evaluation mode. */
  trainLoss: number;
  valLoss: number;
  /** Null for regression tasks. */
  trainAccuracy: number | null;
  valAccuracy: number | null;
  /** Wall time of the epoch, training and evaluation, up to the read-back. */
  ms: number;
  /** Examples trained per second this epoch. */
  examplesPerSec: number;
  gflop: number;
  gflopPerSec: number;
  cumulativeGflop: number;
  cumulativeMs: number;
  /** Learning rate of the epoch's last step (after schedule and warm-up). */
  learningRate: number;
  /** Per weight matrix: its L2 norm, and the L2 norm of its gradient in the epoch's last batch (before clipping). */
  layers: { name: string; weightNorm: number; gradNorm: number }[];
  numTensors: number;
  tensorBytes: number;
  gpuBytes: number | null;
  gpuBytesAllocated: number | null;
}

/** What the model predicts over a square grid of the input plane, row 0 at the top. */
export interface BoundarySnapshot {
  resolution: number;
  values: Float32Array;
}

export interface BatchReport {
  epoch: number;
  batch: number;
  step: number;
  loss: number;
}

export interface BackendReport {
  active: BackendName;
  /** Why each backend before the active one was skipped, in order tried. */
  fallbacks: string[];
}

/** One dense layer as it stands: weights (row-major in × out), the last batch's gradients, optimizer state. */
export interface LayerInspection {
  name: string;
  inputs: number;
  outputs: number;
  activation: import('../spec/types').Activation;
  weights: Float32Array;
  bias: Float32Array;
  /** Gradients of the last batch trained (computed before its update); null before any step. */
  weightGrad: Float32Array | null;
  biasGrad: Float32Array | null;
  /** Optimizer state for the weights, e.g. { m, v } for Adam or { velocity } for momentum. */
  slots: Record<string, Float32Array>;
}

/** Everything the backpropagation views draw, read from the worker on request. */
export interface Inspection {
  step: number;
  layers: LayerInspection[];
  example: {
    index: number;
    /** Model input (standardised features or pixels), the raw point (plane data) and target. */
    input: Float32Array;
    point: [number, number] | null;
    target: number;
    /** tf's autodiff gradients of this one example's loss (no dropout, no penalty), per layer. */
    weightGrads: Float32Array[];
    biasGrads: Float32Array[];
  };
  /** Each hidden neuron's output over a res × res grid of the input plane: per layer, [res², units]. */
  neuronMaps: { resolution: number; layers: Float32Array[] };
}
