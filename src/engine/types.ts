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
