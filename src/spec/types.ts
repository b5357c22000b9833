// spec/: the ExperimentSpec — one JSON-serialisable object that describes a whole experiment.

export const SPEC_VERSION = 1;

export const CLASSIFICATION_DATASETS = ['circle', 'xor', 'gaussians', 'spiral', 'moons'] as const;
export const REGRESSION_DATASETS = ['plane', 'sine'] as const;
/** Datasets of points in the plane, generated from the seed; the rest are shipped files. */
export const PLANE_DATASETS = [...CLASSIFICATION_DATASETS, ...REGRESSION_DATASETS] as const;
export type PlaneDatasetKind = (typeof PLANE_DATASETS)[number];
export const IMAGE_DATASETS = ['mnist'] as const;
export const DATASET_KINDS = [...PLANE_DATASETS, ...IMAGE_DATASETS] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

/** Input features computed from the raw point (x1, x2), as in TensorFlow Playground. */
export const FEATURE_NAMES = ['x1', 'x2', 'x1sq', 'x2sq', 'x1x2', 'sinx1', 'sinx2'] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'linear', 'gelu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export const OPTIMIZER_KINDS = ['sgd', 'momentum', 'nesterov', 'rmsprop', 'adagrad', 'adam', 'adamw'] as const;
export type OptimizerKind = (typeof OPTIMIZER_KINDS)[number];

export const SCHEDULE_KINDS = ['constant', 'step', 'exponential', 'cosine'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export const BACKEND_CHOICES = ['auto', ...BACKENDS] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export interface DatasetSpec {
  kind: DatasetKind;
  /** Total number of points (MNIST: images), split into train and validation. */
  samples: number;
  /** Plane datasets: standard deviation of the Gaussian jitter, in data units (points lie in −6…6). */
  noise: number;
  /** Fraction of the points held out for validation. */
  validationSplit: number;
  /** Plane datasets: the input features computed from (x1, x2). */
  features: FeatureName[];
}

export interface DenseLayerSpec {
  units: number;
  activation: Activation;
  /** Dropout rate applied to this layer's output while training. */
  dropout: number;
}

export interface MlpSpec {
  kind: 'mlp';
  hidden: DenseLayerSpec[];
}

/**
 * Every optimizer's hyper-parameters live side by side, so switching kind keeps the values;
 * each optimizer reads the ones it uses (see engine/optimizers.ts), with PyTorch's meaning.
 */
export interface OptimizerSpec {
  kind: OptimizerKind;
  learningRate: number;
  /** momentum, nesterov. */
  momentum: number;
  /** adam, adamw. */
  beta1: number;
  beta2: number;
  /** rmsprop: decay of the running mean of squared gradients (PyTorch's alpha). */
  rho: number;
  /** rmsprop, adagrad, adam, adamw. */
  epsilon: number;
  /** Added to the gradient as wd·w (AdamW: decoupled, w ← w − lr·wd·w). */
  weightDecay: number;
}

/** Learning rate over training; warm-up (linear from lr/warmupSteps) combines with any kind. */
export interface ScheduleSpec {
  kind: ScheduleKind;
  /** step: multiply by gamma every stepEpochs epochs. */
  stepEpochs: number;
  /** step, exponential: the factor (exponential: per epoch). */
  gamma: number;
  /** cosine: the learning rate reached at the end. */
  minLearningRate: number;
  warmupEpochs: number;
}

export interface TrainingSpec {
  optimizer: OptimizerSpec;
  schedule: ScheduleSpec;
  batchSize: number;
  epochs: number;
  /** L1 and L2 penalties on the weight matrices (not biases), added to the loss. */
  l1: number;
  l2: number;
  /** Rescale the gradients when their global L2 norm exceeds this; 0 turns clipping off. */
  clipNorm: number;
  /** Stop when the validation loss has not improved for this many epochs; 0 turns it off. */
  earlyStopPatience: number;
}

export interface ExperimentSpec {
  version: typeof SPEC_VERSION;
  seed: number;
  dataset: DatasetSpec;
  model: MlpSpec;
  training: TrainingSpec;
  backend: BackendChoice;
}

export function isClassification(kind: DatasetKind): boolean {
  return (CLASSIFICATION_DATASETS as readonly string[]).includes(kind) || kind === 'mnist';
}

export function isPlane(kind: DatasetKind): kind is PlaneDatasetKind {
  return (PLANE_DATASETS as readonly string[]).includes(kind);
}
