// Plain data that the engine reports; no tfjs here, so the worker protocol and UI can use it.
import type { Activation, BackendName, OptimizerKind } from '../experiment/types';
import type { RngState } from '../data/rng';
import type { TokenView } from '../data/textTokens';
import type { DrawSettings } from './sampling';

export type { TokenView };

/** exploded: the loss ran away while staying finite; the run stopped, and may be continued. */
export type RunStatus =
  'preparing' | 'running' | 'paused' | 'stopped' | 'completed' | 'diverged' | 'exploded' | 'failed';

export interface EpochMetrics {
  epoch: number;
  /** Optimizer steps taken so far in the run. */
  step: number;
  /** Loss of each batch trained this epoch, in order (training mode: dropout and penalties on). */
  batchLosses: number[];
  /** Loss and accuracy over the whole training and validation sets, in evaluation mode. */
  trainLoss: number;
  valLoss: number;
  /** Null for regression tasks. Sequence models: the share of target tokens predicted right. */
  trainAccuracy: number | null;
  valAccuracy: number | null;
  /** Toy tasks: the share of validation answers right in every token; null otherwise. */
  valExactMatch: number | null;
  /**
   * Language: the validation loss in bits per byte of the text it stands for, comparable across tokenizers (a
   * character or a byte pair); null otherwise, absent in runs kept before it was measured.
   */
  valBitsPerByte?: number | null;
  /** WebGPU: the compute dispatches one training step took, where it ran as our compiled step; absent otherwise. */
  compiledDispatchesPerStep?: number | null;
  /** Examples the training figures were measured on (sequence models evaluate a subset of training). */
  trainEvaluated: number;
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

/** Validation results of a classifier: confusion counts and (images) the first ones it got wrong. */
export interface ClassesSnapshot {
  /** confusion[true * k + predicted], for k classes. */
  confusion: number[];
  /** The class names (a table's target values, Fashion-MNIST's clothes, your images' folders); absent for digits 0–9. */
  labels?: string[];
  /** Images: the size of those in `misclassified` (absent: 28×28 grey, as runs kept before it was added). */
  image?: MisclassifiedShape;
  /** pixels: height·width·channels bytes, channels last. */
  misclassified: { index: number; label: number; predicted: number; pixels: Uint8Array }[];
}

export interface MisclassifiedShape {
  height: number;
  width: number;
  channels: number;
  /** Ink on paper (MNIST's, Fashion-MNIST's: 1 is ink, drawn dark on light); false: as they are (your own). */
  ink: boolean;
}

/** Validation windows in time order: the true next value and the model's forecast, in series units. */
export interface ForecastSnapshot {
  truth: number[];
  predicted: number[];
}

/** A few validation problems with the answer the model gives (teacher-forced, as exact match is measured). */
export interface ToySnapshot {
  examples: { prompt: string; target: string; predicted: string }[];
}

/** Text sampled from a language model after an epoch, and how it was drawn. */
export interface TextSample extends DrawSettings {
  epoch: number;
  text: string;
}

/** A transformer's attention for one input: weights[layer][head] is a t × t matrix, row = query. */
export interface AttentionSnapshot {
  tokens: string[];
  layers: number;
  heads: number;
  /** layers × heads × t × t, row-major. */
  weights: Float32Array;
}

/** One layer's output for one image: height × width × channels values, channels last. */
export interface FeatureMap {
  name: string;
  height: number;
  width: number;
  channels: number;
  values: Float32Array;
}

/**
 * A look inside an image model for one image (a validation image or one the person drew), now: what it predicts,
 * which pixels move its score most, each layer's feature maps and its filters (convolutional networks).
 */
export interface ImageLook {
  /** The image as the model saw it (0–1), height × width × channels; its label when it came from the data. */
  input: Float32Array;
  label: number | null;
  /** Which validation image it is (null: drawn). */
  index: number | null;
  probabilities: Float32Array;
  /** |∂ logit of `saliencyClass` / ∂ pixel|, summed over channels: height × width. */
  saliency: Float32Array;
  saliencyClass: number;
  /** Each convolution, pooling and residual layer's output (empty for an MLP). */
  maps: FeatureMap[];
  /**
   * The first convolution: its weights [out, in, k, k], bias (none before BatchNorm), geometry, and its output
   * before BatchNorm and activation (the step view recomputes one value of it by hand).
   */
  firstConv: {
    kernel: number;
    stride: number;
    pad: number;
    weights: Float32Array;
    bias: Float32Array | null;
    z: FeatureMap;
  } | null;
  /** Every convolution's filters [out, in, k, k] (a residual block's first), for the filter views. */
  filters: { name: string; out: number; in: number; kernel: number; weights: Float32Array }[];
}

/** Training images before and after augmentation: count images of height × width × channels each, in 0…1. */
export interface AugmentPreview {
  height: number;
  width: number;
  channels: number;
  count: number;
  original: Float32Array;
  augmented: Float32Array;
}

/** The image a look is at: a validation image by its index, or pixels the person drew. */
export type ImageSource = { validation: number } | { pixels: Float32Array };

/** The views an epoch produced; which ones depends on the model and data. */
export interface EpochViews {
  tokens?: TokenView;
  boundary?: BoundarySnapshot;
  classes?: ClassesSnapshot;
  forecast?: ForecastSnapshot;
  toy?: ToySnapshot;
  sample?: TextSample;
  attention?: AttentionSnapshot;
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
  /** wasm: the threads it multiplies on (1 unless the page is cross-origin isolated and has WASM_THREADS_MIN_CORES). */
  threads?: number;
  /** "auto": the training steps timed on each backend, which chose the active one. */
  measured?: BackendMeasurement[];
  /** The measurement was made for an earlier run of the same model on this device (kept by the page). */
  measuredEarlier?: boolean;
  /** The person skipped the measurement: the pick is the best of what was timed, or the first untimed candidate. */
  measurementSkipped?: boolean;
  /**
   * Why our own kernels and in-place steps are off on this backend (its tfjs internals are not as
   * expected, see kernels/tfjsInternals.ts): training goes on through plain tf ops, slower.
   */
  fastPathsOff?: string;
}

/**
 * Cores from which wasm runs threaded: tfjs' threaded build starts half the cores, up to 4, and
 * below 4 cores that is one thread, slower than the plain SIMD build (see engine/backend.ts).
 */
export const WASM_THREADS_MIN_CORES = 4;

/** One backend's time per training step of a model, as "auto" measured it. */
export interface BackendMeasurement {
  backend: BackendName;
  /** Median of the steps after the first; the first itself when no other fitted the budget; null: it could not train. */
  msPerStep: number | null;
  /** The first step, with its setup (shader compilation on GPUs). */
  firstStepMs?: number;
  /** Why it could not train. */
  note?: string;
}

/** One dense layer as it stands: weights (row-major in × out), the last batch's gradients, optimizer state. */
export interface LayerInspection {
  name: string;
  inputs: number;
  outputs: number;
  activation: Activation;
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

/** A run's score on its test split, measured once, at its end: loss, and accuracy or exact match where the task has them. */
export interface TestResult {
  /** The epoch whose weights were scored (the last one trained). */
  epoch: number;
  examples: number;
  loss: number;
  accuracy: number | null;
  exactMatch: number | null;
}

/** A model's figures as loaded from a weights file, before any training (evaluated like an epoch's). */
export interface LoadedFigures {
  trainLoss: number;
  valLoss: number;
  trainAccuracy: number | null;
  valAccuracy: number | null;
  valExactMatch: number | null;
}

/** One named tensor as plain data: shape and float32 values, row-major. */
export interface TensorData {
  name: string;
  shape: number[];
  values: Float32Array;
}

/**
 * Everything needed to continue a run exactly from the end of an epoch: weights, optimizer
 * state, the random streams, and the running figures (the schedule follows from `step`).
 */
export interface TrainingCheckpoint {
  /** Epochs completed; training continues with epoch + 1, batch 1. */
  epoch: number;
  /** Optimizer steps taken (Adam's t; the learning-rate schedule's position). */
  step: number;
  /** In the model's parameter order, named as in the README (e.g. layers.0.weight). */
  weights: TensorData[];
  optimizer: {
    kind: OptimizerKind;
    /** Named `${slot}.${parameter}`, e.g. m.layers.0.weight. */
    slots: TensorData[];
  };
  /** Random streams by purpose: shuffle, dropout, and the learner's own (sample). */
  rng: Record<string, RngState>;
  /** Early stopping's best validation loss so far (null before any epoch: JSON has no Infinity). */
  best: { loss: number | null; epoch: number };
  cumulativeGflop: number;
  cumulativeMs: number;
  /** The loss before training (the run's first batch), which an exploding loss is judged against; null until known. */
  startLoss: number | null;
  /**
   * Byte-pair language models: the tokenizer's merges (merge k joins tokens merges[2k] and merges[2k + 1]), so a
   * kept or imported model reads and writes text as it was trained to, whatever text is loaded beside it.
   */
  merges?: Int32Array;
}

/** One optimizer's walk over a 2-D loss surface (engine/surfacePaths.ts), drawn by the lab. */
export interface SurfacePath {
  /** Positions after 0…steps updates (index 0 is the start), and the loss at each. */
  xs: Float32Array;
  ys: Float32Array;
  losses: Float32Array;
}

/**
 * What a language model's epoch views show: how each epoch's sample is drawn, and the text whose attention each
 * epoch shows (null: the first validation example). Set when training starts, and changed while it runs.
 */
export interface SamplingSettings extends DrawSettings {
  attentionText: string | null;
}
