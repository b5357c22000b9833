// The ExperimentSpec: one JSON-serialisable object that describes a whole experiment.
import type { CnnSpec, ImageShape } from './cnn';

export type { CnnSpec } from './cnn';

export const SPEC_VERSION = 1;

export const CLASSIFICATION_DATASETS = ['circle', 'xor', 'gaussians', 'spiral', 'moons'] as const;
export const REGRESSION_DATASETS = ['plane', 'sine'] as const;
/** Datasets of points in the plane, generated from the seed; the rest are shipped files. */
export const PLANE_DATASETS = [...CLASSIFICATION_DATASETS, ...REGRESSION_DATASETS] as const;
export type PlaneDatasetKind = (typeof PLANE_DATASETS)[number];
/**
 * Images: the 10,000 quick MNIST digits shipped uncompressed, the full sets (loaded only when chosen) whose official
 * test images are the test split, and the person's own images (kept in the browser, never in links).
 */
export const IMAGE_DATASETS = ['mnist', 'mnistFull', 'fashionMnist', 'userImages'] as const;
export type ImageDatasetKind = (typeof IMAGE_DATASETS)[number];
/** The image sets with an official test part: its size (the test split is always all of it). */
export const OFFICIAL_TEST_IMAGES: Partial<Record<DatasetKind, number>> = { mnistFull: 10_000, fashionMnist: 10_000 };
/** Character-level text for next-character language models; userText is pasted or uploaded. */
export const TEXT_DATASETS = ['names', 'sotu', 'userText'] as const;
export type TextDatasetKind = (typeof TEXT_DATASETS)[number];
/** Generated prompt → answer tasks over digits, e.g. "123+45=" → "0168". */
export const TOY_DATASETS = ['reverse', 'sort', 'copy', 'addition'] as const;
export type ToyDatasetKind = (typeof TOY_DATASETS)[number];
/** Generated time series, windowed for one-step-ahead forecasting. */
export const SERIES_DATASETS = ['sines', 'mackeyGlass'] as const;
export type SeriesDatasetKind = (typeof SERIES_DATASETS)[number];
/** The person's own CSV table (kept in the browser, never in links). */
export const TABLE_DATASETS = ['userTable'] as const;
export const DATASET_KINDS = [
  ...PLANE_DATASETS,
  ...IMAGE_DATASETS,
  ...TEXT_DATASETS,
  ...TOY_DATASETS,
  ...SERIES_DATASETS,
  ...TABLE_DATASETS,
] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

export const MODEL_KINDS = ['mlp', 'lstm', 'transformer', 'cnn'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** The recurrent model's cell: LSTM, GRU or a vanilla tanh RNN (as PyTorch defines each). */
export const RECURRENT_CELLS = ['lstm', 'gru', 'rnn'] as const;
export type RecurrentCell = (typeof RECURRENT_CELLS)[number];
/** Gate blocks per cell: a layer's Wx and Wh have this many blocks of `units` columns. */
export const GATES: Record<RecurrentCell, number> = { lstm: 4, gru: 3, rnn: 1 };

/** Input features computed from the raw point (x1, x2), as in TensorFlow Playground. */
export const FEATURE_NAMES = ['x1', 'x2', 'x1sq', 'x2sq', 'x1x2', 'sinx1', 'sinx2'] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'linear', 'gelu', 'leakyRelu', 'elu', 'silu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export const OPTIMIZER_KINDS = [
  'sgd',
  'momentum',
  'nesterov',
  'rmsprop',
  'adagrad',
  'adam',
  'adamw',
  'lion',
  'muon',
] as const;
export type OptimizerKind = (typeof OPTIMIZER_KINDS)[number];

export const SCHEDULE_KINDS = ['constant', 'step', 'exponential', 'cosine'] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export const BACKEND_CHOICES = ['auto', ...BACKENDS] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export interface DatasetSpec {
  kind: DatasetKind;
  /**
   * How much data, split into train and validation: points (plane), images (MNIST), windows of
   * text, examples (toy tasks) or the length of the series.
   */
  samples: number;
  /** Standard deviation of the Gaussian noise: plane points (data units, points lie in −6…6) and sine series. */
  noise: number;
  /** Fraction of the points held out for validation. */
  validationSplit: number;
  /**
   * Fraction held out as a test set (0: none), besides validation: never used while training and
   * reported once, at the end of a run. Text and series take it from the end, after validation.
   */
  testSplit: number;
  /** Plane datasets: the input features computed from (x1, x2). */
  features: FeatureName[];
  /** Text: characters of context per example; series: past values per forecast. */
  contextLength: number;
  /** Toy tasks: digits per number (addition: per operand). */
  digits: number;
  /** Your own table: which column to predict, and whether as classes or values. */
  table: TableSpec;
  /** Plane classification: the person's edits to the generated points (drawn on the plane). */
  drawn: DrawnPoints;
  /** Images: random changes to each training image every time a batch uses it (seeded; never to held-out images). */
  augment: AugmentSpec;
  /** Your own images: the size and colour they are trained at. */
  ownImages: OwnImagesSpec;
  /**
   * Images: each held-out (validation and test) image moved by up to this many whole pixels across and down
   * (seeded), to see how a model copes with shifted inputs; 0 leaves them as they are.
   */
  shiftHeldOut: number;
  /** Text: what a token is, one character or a byte-pair vocabulary learned from the training text. */
  tokenizer: TokenizerSpec;
}

export const TOKENIZER_KINDS = ['char', 'bpe'] as const;

export interface TokenizerSpec {
  /** 'char': a token per character; 'bpe': byte-pair encoding learned from the training part of the text. */
  kind: (typeof TOKENIZER_KINDS)[number];
  /** BPE: tokens in the vocabulary (the 256 bytes and the merges learned), the model's input and output size. */
  vocabSize: number;
}

export const DEFAULT_TOKENIZER: TokenizerSpec = { kind: 'char', vocabSize: 1024 };

/** Sides, in pixels, your own images can be scaled to. */
export const OWN_IMAGE_SIDES = [16, 28, 32, 64] as const;

export interface OwnImagesSpec {
  /** Each image is cropped to its central square and scaled to side × side pixels (one of OWN_IMAGE_SIDES). */
  side: number;
  /** Three channels (red, green, blue), or one of grey. */
  colour: boolean;
}

export const DEFAULT_OWN_IMAGES: OwnImagesSpec = { side: 32, colour: true };

export interface AugmentSpec {
  /** Each image moved by up to this many pixels across and down (whole pixels, uniform). */
  shift: number;
  /** Turned by up to this many degrees either way (uniform). */
  rotation: number;
  /** Mirrored left to right half the time (not for digits: a mirrored 2 is not a 2). */
  flip: boolean;
}

/** No augmentation: each image as it is. */
export const NO_AUGMENT: AugmentSpec = { shift: 0, rotation: 0, flip: false };

/** Whether a spec's augmentation changes anything. */
export const augments = (a: AugmentSpec) => a.shift > 0 || a.rotation > 0 || a.flip;

/** Image sets of digits, which a flip would turn into other shapes. */
export const DIGIT_DATASETS: readonly DatasetKind[] = ['mnist', 'mnistFull'];

export interface DrawnPoints {
  /** Points added by hand: [x1, x2, class 0 or 1]. */
  added: [number, number, number][];
  /** Generated points taken away, by their index in the generated sample (sorted, distinct). */
  removed: number[];
}

export const TABLE_TASKS = ['auto', 'classification', 'regression'] as const;
export type TableTask = (typeof TABLE_TASKS)[number];

export interface TableSpec {
  /** The column to predict (its header); '' until one is chosen. */
  target: string;
  /** auto: classes when the target is text or has at most 20 distinct values, else regression. */
  task: TableTask;
}

export interface DenseLayerSpec {
  units: number;
  activation: Activation;
  /** Dropout rate applied to this layer's output while training. */
  dropout: number;
}

/**
 * How an MLP's weight matrices start (biases start at zero): auto is He-uniform for the rectifier
 * family and Glorot-uniform otherwise; gaussian draws N(0, initStd²); zeros shows why symmetry
 * must be broken. PyTorch's definitions (He: kaiming_uniform_ for relu, bound √(6/fan_in)).
 */
export const INIT_KINDS = ['auto', 'glorotUniform', 'glorotNormal', 'he', 'gaussian', 'zeros'] as const;
export type InitKind = (typeof INIT_KINDS)[number];

/** A classifier's loss: cross-entropy on the logits, or the squared error of the probabilities. */
export const CLASSIFICATION_LOSSES = ['crossEntropy', 'mse'] as const;
export type ClassificationLoss = (typeof CLASSIFICATION_LOSSES)[number];

export interface MlpSpec {
  kind: 'mlp';
  hidden: DenseLayerSpec[];
  init: InitKind;
  /** gaussian: the standard deviation of the initial weights. */
  initStd: number;
  /** Classification only (regression is always the squared error): PyTorch's F.cross_entropy or F.mse_loss of σ(z) / softmax(z). */
  classificationLoss: ClassificationLoss;
  /** Each hidden layer as wide as its input adds that input to its output (a residual connection). */
  residual: boolean;
  /**
   * After each hidden layer's x·W + b, before its activation: none, LayerNorm (over a row's units),
   * or BatchNorm (over the batch, per unit; in evaluation with running statistics, as PyTorch's
   * BatchNorm1d: momentum 0.1, ε 1e-5). Both have a gain and a bias.
   */
  norm: MlpNorm;
}

/** Per hidden layer, whether it adds its input to its output: with residual on, each after the first that is as wide as the one before. */
export function residualLayers(model: Pick<MlpSpec, 'residual' | 'hidden'>): boolean[] {
  return model.hidden.map((l, i) => model.residual && i > 0 && model.hidden[i - 1].units === l.units);
}

export const MLP_NORMS = ['none', 'layerNorm', 'batchNorm'] as const;
export type MlpNorm = (typeof MLP_NORMS)[number];

export interface LstmLayerSpec {
  units: number;
  /** Dropout on this layer's outputs while training. */
  dropout: number;
}

/**
 * The recurrent model (kind 'lstm', as older links have it): token embedding (text, toy tasks) or
 * the raw value (series) → 1–3 layers of one recurrent cell → a head per task.
 */
export interface LstmSpec {
  kind: 'lstm';
  cell: RecurrentCell;
  /** Width of the token embedding (unused for series, whose input is one value per step). */
  embedding: number;
  layers: LstmLayerSpec[];
}

/**
 * How a transformer knows where a token is: learned or sinusoidal vectors added to the input,
 * rotations of q and k (RoPE), a per-head penalty on attention scores growing with distance
 * (ALiBi), or nothing (the causal mask alone).
 */
export const POSITION_ENCODINGS = ['learned', 'sinusoidal', 'rope', 'alibi', 'none'] as const;
export type PositionEncoding = (typeof POSITION_ENCODINGS)[number];
export const NORMS = ['layerNorm', 'rmsNorm'] as const;
export type NormKind = (typeof NORMS)[number];
export const NORM_PLACEMENTS = ['pre', 'post'] as const;
export type NormPlacement = (typeof NORM_PLACEMENTS)[number];
export const TRANSFORMER_ACTIVATIONS = ['gelu', 'relu', 'swiglu'] as const;
export type TransformerActivation = (typeof TRANSFORMER_ACTIVATIONS)[number];

/** Decoder-only, GPT-style; its context length is the dataset's sequence length. */
export interface TransformerSpec {
  kind: 'transformer';
  layers: number;
  dModel: number;
  heads: number;
  /** On the embeddings and on each block's two branches while training. */
  dropout: number;
  position: PositionEncoding;
  norm: NormKind;
  /** pre: x + f(norm(x)) and a final norm (GPT-2); post: norm(x + f(x)) (the original transformer). */
  normPlacement: NormPlacement;
  /** The MLP's: GELU or ReLU on 4·d units, or SwiGLU (silu(x·Wg)·(x·Wu)) on ⌈8d/3⌉. */
  mlpActivation: TransformerActivation;
  /** The output head reuses the token embedding (transposed) instead of a matrix of its own. */
  tiedEmbeddings: boolean;
  /** Dropout on the attention weights (after the softmax) while training. */
  attentionDropout: number;
}

export type ModelSpec = MlpSpec | LstmSpec | TransformerSpec | CnnSpec;

/**
 * Every optimizer's hyper-parameters live side by side, so switching kind keeps the values;
 * each optimizer reads the ones it uses (see engine/optimizers.ts), with PyTorch's meaning.
 */
export interface OptimizerSpec {
  kind: OptimizerKind;
  learningRate: number;
  /** momentum, nesterov; muon (its authors use 0.95). */
  momentum: number;
  /** adam, adamw, lion (its authors use β₂ = 0.99), and muon's AdamW for the non-matrices. */
  beta1: number;
  beta2: number;
  /** rmsprop: decay of the running mean of squared gradients (PyTorch's alpha). */
  rho: number;
  /** rmsprop: PyTorch's momentum (a buffer of the scaled steps); 0 turns it off. */
  rmspropMomentum: number;
  /** rmsprop: divide by the gradient's running variance rather than its second moment (PyTorch's centered). */
  centered: boolean;
  /** adam, adamw: use the largest second moment seen so far (PyTorch's amsgrad). */
  amsgrad: boolean;
  /** rmsprop, adagrad, adam, adamw. */
  epsilon: number;
  /** Added to the gradient as wd·w (AdamW, Lion, Muon: decoupled, w ← w − lr·wd·w). */
  weightDecay: number;
  /** Weight decay on matrices only: not on biases and normalisation gains (any 1-D parameter), as nanoGPT does. */
  decayMatricesOnly: boolean;
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
  model: ModelSpec;
  training: TrainingSpec;
  backend: BackendChoice;
}

export function isTable(kind: DatasetKind): boolean {
  return kind === 'userTable';
}

export function isClassification(kind: DatasetKind): boolean {
  return (CLASSIFICATION_DATASETS as readonly string[]).includes(kind) || isImage(kind);
}

export function isPlane(kind: DatasetKind): kind is PlaneDatasetKind {
  return (PLANE_DATASETS as readonly string[]).includes(kind);
}

export function isText(kind: DatasetKind): kind is TextDatasetKind {
  return (TEXT_DATASETS as readonly string[]).includes(kind);
}

/** What a language model's loss is counted per: a character, or a byte-pair token. */
export function textUnit(d: Pick<DatasetSpec, 'tokenizer'>): 'char' | 'token' {
  return d.tokenizer.kind === 'bpe' ? 'token' : 'char';
}

export function isToy(kind: DatasetKind): kind is ToyDatasetKind {
  return (TOY_DATASETS as readonly string[]).includes(kind);
}

export function isSeries(kind: DatasetKind): kind is SeriesDatasetKind {
  return (SERIES_DATASETS as readonly string[]).includes(kind);
}

/** Datasets of token sequences (characters or digits), which need an LSTM or a transformer. */
export function isTokens(kind: DatasetKind): boolean {
  return isText(kind) || isToy(kind);
}

/** Which models can train on a dataset, in the order the builder offers them. */
export function modelsFor(kind: DatasetKind): ModelKind[] {
  if (isTokens(kind)) return ['transformer', 'lstm'];
  if (isSeries(kind)) return ['lstm', 'mlp'];
  if (isImage(kind)) return ['mlp', 'cnn'];
  return ['mlp']; // plane, tables
}

/** Datasets of images, which a CNN (or an MLP, on their pixels in a row) can learn. */
export function isImage(kind: DatasetKind): kind is ImageDatasetKind {
  return (IMAGE_DATASETS as readonly string[]).includes(kind);
}

/** The size of a dataset's images (a CNN's input); null for data that is not images. */
export function imageShapeOf(d: Pick<DatasetSpec, 'kind' | 'ownImages'>): ImageShape | null {
  if (d.kind === 'userImages')
    return { height: d.ownImages.side, width: d.ownImages.side, channels: d.ownImages.colour ? 3 : 1 };
  return isImage(d.kind) ? { height: 28, width: 28, channels: 1 } : null;
}

/** Models that learn from rows of numbers (an image's pixels in a row, for a CNN): the MLP and the CNN. */
export function learnsRows(model: Pick<ModelSpec, 'kind'>): boolean {
  return model.kind === 'mlp' || model.kind === 'cnn';
}

/** The spec's MLP (for code that only handles MLPs); throws for other models. */
export function mlpOf(spec: ExperimentSpec): MlpSpec {
  if (spec.model.kind !== 'mlp') throw new Error(`expected an MLP, got ${spec.model.kind}`);
  return spec.model;
}

/** The spec's CNN; throws for other models. */
export function cnnOf(spec: ExperimentSpec): CnnSpec {
  if (spec.model.kind !== 'cnn') throw new Error(`expected a CNN, got ${spec.model.kind}`);
  return spec.model;
}

/** The spec's LSTM; throws for other models. */
export function lstmOf(spec: ExperimentSpec): LstmSpec {
  if (spec.model.kind !== 'lstm') throw new Error(`expected an LSTM, got ${spec.model.kind}`);
  return spec.model;
}

/** The spec's transformer; throws for other models. */
export function transformerOf(spec: ExperimentSpec): TransformerSpec {
  if (spec.model.kind !== 'transformer') throw new Error(`expected a transformer, got ${spec.model.kind}`);
  return spec.model;
}
