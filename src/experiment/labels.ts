import {
  RECURRENT_CELLS,
  type BackendChoice,
  type ClassificationLoss,
  type DatasetKind,
  type ExperimentSpec,
  type InitKind,
  type ModelKind,
  type MlpNorm,
  type ModelSpec,
  type NormKind,
  type NormPlacement,
  type OptimizerKind,
  type OptimizerSpec,
  type PositionEncoding,
  type RecurrentCell,
  type ScheduleKind,
  type TableTask,
  type TransformerActivation,
} from './types';
import { defaultSpec } from './defaults';
import type { CnnLayerSpec } from './cnn';

export const DATASET_LABELS: Record<DatasetKind, string> = {
  circle: 'Circle (classification)',
  xor: 'XOR (classification)',
  gaussians: 'Two Gaussians (classification)',
  spiral: 'Spiral (classification)',
  moons: 'Moons (classification)',
  plane: 'Plane (regression)',
  sine: 'Sine surface (regression)',
  mnist: 'MNIST digits (10 classes)',
  mnistFull: 'MNIST, all 70,000 digits (11 MB download)',
  fashionMnist: 'Fashion-MNIST clothing (30 MB download)',
  names: 'Names (next character)',
  sotu: 'State of the Union text (next character)',
  userText: 'Your own text (next character)',
  reverse: 'Reverse digits (toy task)',
  sort: 'Sort digits (toy task)',
  copy: 'Copy digits (toy task)',
  addition: 'Addition "12+34=046" (toy task)',
  sines: 'Sine mixture (forecast)',
  mackeyGlass: 'Mackey–Glass (forecast)',
  userTable: 'Your own table (CSV)',
  userImages: 'Your own images (a folder per class)',
};

/** Class names of the image sets whose classes are not their digits. */
export const IMAGE_CLASS_NAMES: Partial<Record<DatasetKind, string[]>> = {
  fashionMnist: [
    'T-shirt/top',
    'Trouser',
    'Pullover',
    'Dress',
    'Coat',
    'Sandal',
    'Shirt',
    'Sneaker',
    'Bag',
    'Ankle boot',
  ],
};

export const MODEL_LABELS: Record<ModelKind, string> = {
  mlp: 'an MLP',
  lstm: 'a recurrent network (LSTM, GRU or RNN)',
  transformer: 'a transformer',
  cnn: 'a convolutional network (CNN)',
};

/** The model's name in menus and titles. */
export const MODEL_TITLES: Record<ModelKind, string> = {
  mlp: 'MLP',
  lstm: 'Recurrent (LSTM, GRU, RNN)',
  transformer: 'Transformer (GPT-style)',
  cnn: 'Convolutional (CNN)',
};

/** The MLP's weight initialisations as the builder names them. */
export const INIT_LABELS: Record<InitKind, string> = {
  auto: 'Auto (He for relu-like, else Glorot)',
  glorotUniform: 'Glorot / Xavier uniform',
  glorotNormal: 'Glorot / Xavier normal',
  he: 'He (Kaiming) uniform',
  gaussian: 'Gaussian, chosen σ',
  zeros: 'Zeros (symmetric)',
};

export const CLASSIFICATION_LOSS_LABELS: Record<ClassificationLoss, string> = {
  crossEntropy: 'Cross-entropy',
  mse: 'Mean squared error (of the probabilities)',
};

export const POSITION_LABELS: Record<PositionEncoding, string> = {
  learned: 'Learned',
  sinusoidal: 'Sinusoidal (fixed)',
  rope: 'RoPE (rotary)',
  alibi: 'ALiBi (linear bias)',
  none: 'None (causal mask only)',
};
export const MLP_NORM_LABELS: Record<MlpNorm, string> = {
  none: 'None',
  layerNorm: 'LayerNorm',
  batchNorm: 'BatchNorm',
};
export const NORM_LABELS: Record<NormKind, string> = { layerNorm: 'LayerNorm', rmsNorm: 'RMSNorm' };
export const NORM_PLACEMENT_LABELS: Record<NormPlacement, string> = {
  pre: 'Pre-norm (GPT-2)',
  post: 'Post-norm (original)',
};
export const TRANSFORMER_ACTIVATION_LABELS: Record<TransformerActivation, string> = {
  gelu: 'GELU',
  relu: 'ReLU',
  swiglu: 'SwiGLU',
};

/** The recurrent cells by name, as in the builder's Cell menu. */
export const CELL_LABELS: Record<RecurrentCell, string> = { lstm: 'LSTM', gru: 'GRU', rnn: 'RNN (tanh)' };

/** The model's short name in titles and run names: "MLP", "GRU", "transformer". */
export function modelName(model: ModelSpec): string {
  if (model.kind === 'lstm') return recurrentLayerName(model);
  return { mlp: 'MLP', transformer: 'transformer', cnn: 'CNN' }[model.kind];
}

export const BACKEND_LABELS: Record<BackendChoice, string> = {
  auto: 'Auto (fastest, measured)',
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WASM',
  cpu: 'CPU',
};

export const TABLE_TASK_LABELS: Record<TableTask, string> = {
  auto: 'Automatic',
  classification: 'Classification',
  regression: 'Regression',
};

export const OPTIMIZER_LABELS: Record<OptimizerKind, string> = {
  sgd: 'SGD',
  momentum: 'SGD + momentum',
  nesterov: 'Nesterov',
  rmsprop: 'RMSProp',
  adagrad: 'Adagrad',
  adam: 'Adam',
  adamw: 'AdamW',
  lion: 'Lion',
  muon: 'Muon (+ AdamW)',
};

export type OptimizerHyper = 'momentum' | 'beta1' | 'beta2' | 'rho' | 'rmspropMomentum' | 'epsilon';
export type OptimizerFlag = 'centered' | 'amsgrad';

/** The builder's names of the optimizers' hyper-parameters and switches (PyTorch's names in brackets). */
export const OPTIMIZER_HYPER_LABELS: Record<OptimizerHyper, string> = {
  momentum: 'Momentum μ',
  beta1: 'β₁',
  beta2: 'β₂',
  rho: 'ρ (decay)',
  rmspropMomentum: 'Momentum μ',
  epsilon: 'ε',
};
export const OPTIMIZER_FLAG_LABELS: Record<OptimizerFlag, string> = {
  centered: 'Centered (divide by the gradient’s variance)',
  amsgrad: 'AMSGrad (keep the largest second moment)',
};

/** Which hyper-parameters each optimizer reads, in the order they are shown. */
export const OPTIMIZER_FIELDS: Record<OptimizerKind, OptimizerHyper[]> = {
  sgd: [],
  momentum: ['momentum'],
  nesterov: ['momentum'],
  rmsprop: ['rho', 'rmspropMomentum', 'epsilon'],
  adagrad: ['epsilon'],
  adam: ['beta1', 'beta2', 'epsilon'],
  adamw: ['beta1', 'beta2', 'epsilon'],
  lion: ['beta1', 'beta2'],
  // μ for the matrices' momentum; β₁, β₂ and ε for AdamW on the rest.
  muon: ['momentum', 'beta1', 'beta2', 'epsilon'],
};

/** The switches each optimizer reads (PyTorch's names in brackets on screen). */
export const OPTIMIZER_FLAGS: Record<OptimizerKind, OptimizerFlag[]> = {
  sgd: [],
  momentum: [],
  nesterov: [],
  rmsprop: ['centered'],
  adagrad: [],
  adam: ['amsgrad'],
  adamw: ['amsgrad'],
  lion: [],
  muon: [],
};

/** Every hyper-parameter and switch that only some optimizers read. */
export const OPTIONAL_OPTIMIZER_SETTINGS = [
  'momentum',
  'beta1',
  'beta2',
  'rho',
  'rmspropMomentum',
  'epsilon',
  'centered',
  'amsgrad',
] as const satisfies readonly (OptimizerHyper | OptimizerFlag)[];

/**
 * The optimizer as its kind reads it: every setting the kind does not read (and so does not
 * show) put back to its default, so a switch left on under another kind (AMSGrad ticked on Adam,
 * then Muon chosen) can change nothing, in the engine or anywhere else.
 */
export function optimizerAsRead(o: OptimizerSpec): OptimizerSpec {
  const defaults = defaultSpec().training.optimizer;
  const read = new Set<string>([...OPTIMIZER_FIELDS[o.kind], ...OPTIMIZER_FLAGS[o.kind]]);
  const out = { ...o };
  for (const k of OPTIONAL_OPTIMIZER_SETTINGS) if (!read.has(k)) (out as Record<string, unknown>)[k] = defaults[k];
  return out;
}

export const SCHEDULE_LABELS: Record<ScheduleKind, string> = {
  constant: 'Constant',
  step: 'Step decay',
  exponential: 'Exponential decay',
  cosine: 'Cosine annealing',
};

/** What the builder calls each field (see ui/), so a message names what the person sees. */
const FIELD_LABELS: Record<string, string> = {
  spec: 'Experiment',
  version: 'Version',
  seed: 'Seed',
  backend: 'Backend',
  link: 'Link',
  dataset: 'Dataset',
  'dataset.kind': 'Dataset',
  'dataset.samples': 'Samples',
  'dataset.noise': 'Noise (σ)',
  'dataset.validationSplit': 'Validation split',
  'dataset.testSplit': 'Test split',
  'dataset.augment': 'Augmentation',
  'dataset.augment.shift': 'Shift',
  'dataset.augment.rotation': 'Rotation',
  'dataset.augment.flip': 'Flip',
  'dataset.shiftHeldOut': 'Shift held-out images',
  'dataset.tokenizer': 'Tokens',
  'dataset.tokenizer.kind': 'Tokens',
  'dataset.tokenizer.vocabSize': 'Vocabulary size',
  'dataset.ownImages': 'Your images',
  'dataset.ownImages.side': 'Image size',
  'dataset.ownImages.colour': 'Colour',
  'dataset.features': 'Input features',
  'dataset.contextLength': 'Context length',
  'dataset.digits': 'Digits',
  'dataset.table': 'Your table',
  'dataset.table.target': 'Column to predict',
  'dataset.table.task': 'Task',
  'dataset.drawn': 'Points drawn on the plane',
  'dataset.text': 'Your text',
  'dataset.csv': 'Your table',
  'dataset.images': 'Your images',
  model: 'Model',
  'model.kind': 'Model',
  'model.hidden': 'Hidden layers',
  'model.cell': 'Cell',
  'model.init': 'Initialisation',
  'model.initStd': 'Initial σ',
  'model.classificationLoss': 'Loss',
  'model.residual': 'Residual connections',
  'model.embedding': 'Embedding width',
  'model.position': 'Position encoding',
  'model.norm': 'Normalisation',
  'model.normPlacement': 'Norm placement',
  'model.mlpActivation': 'MLP activation',
  'model.tiedEmbeddings': 'Tied embeddings',
  'model.attentionDropout': 'Attention dropout',
  'model.dModel': 'dModel',
  'model.heads': 'Heads',
  'model.dropout': 'Dropout',
  training: 'Training',
  'training.optimizer': 'Optimizer',
  'training.optimizer.kind': 'Optimizer',
  'training.optimizer.learningRate': 'Learning rate',
  'training.optimizer.weightDecay': 'Weight decay',
  ...Object.fromEntries(Object.entries(OPTIMIZER_HYPER_LABELS).map(([k, label]) => [`training.optimizer.${k}`, label])),
  'training.optimizer.centered': 'Centered',
  'training.optimizer.amsgrad': 'AMSGrad',
  'training.optimizer.decayMatricesOnly': 'No weight decay on biases and gains',
  'training.schedule': 'LR schedule',
  'training.schedule.kind': 'LR schedule',
  'training.schedule.stepEpochs': 'Every (epochs)',
  'training.schedule.gamma': 'Factor γ',
  'training.schedule.minLearningRate': 'Final learning rate',
  'training.schedule.warmupEpochs': 'Warm-up epochs',
  'training.batchSize': 'Batch size',
  'training.epochs': 'Epochs',
  'training.l1': 'L1 penalty',
  'training.l2': 'L2 penalty',
  'training.clipNorm': 'Clip gradient norm',
  'training.earlyStopPatience': 'Early-stop patience',
  memory: 'Memory',
  lab: 'Lab',
  'lab.surface': 'Surface',
  'lab.conditioning': 'Conditioning κ',
  'lab.start': 'Start point',
  'lab.steps': 'Steps',
};

const LAYER_FIELD_LABELS: Record<string, string> = {
  units: 'Units',
  activation: 'Activation',
  dropout: 'Dropout',
  filters: 'Filters',
  kernel: 'Kernel',
  stride: 'Stride',
  padding: 'Padding',
  batchNorm: 'BatchNorm',
  pool: 'Pooling',
  size: 'Window',
  kind: 'Kind',
};

/** A CNN layer's name on screen by its kind: "Conv 2", "Pool 3", "Residual 4". */
const CNN_LAYER_NAMES: Record<string, string> = { conv: 'Conv', pool: 'Pool', residual: 'Residual' };

/** A CNN's field by its path: "model.layers[0].filters" → "Conv 1 · Filters", "model.dense[0].units" → "Dense 1 · Units". */
function cnnFieldLabel(path: string, model: { layers?: unknown }): string | null {
  if (path === 'model.layers') return 'Layers';
  if (path === 'model.head') return 'Head';
  if (path === 'model.dense') return 'Dense layers';
  const m = /^model\.(layers|dense)\[(\d+)\](?:\.(\w+))?$/.exec(path);
  if (!m) return null;
  const i = Number(m[2]);
  const layer = Array.isArray(model.layers) ? (model.layers[i] as { kind?: unknown } | undefined) : undefined;
  const kind = typeof layer?.kind === 'string' ? CNN_LAYER_NAMES[layer.kind] : undefined;
  const name = `${m[1] === 'dense' ? 'Dense' : (kind ?? 'Layer')} ${i + 1}`;
  return m[3] ? `${name} · ${LAYER_FIELD_LABELS[m[3]] ?? m[3]}` : name;
}

/** What a recurrent model's layers are called on screen: "GRU", or "Recurrent" while its cell is unknown. */
function recurrentLayerName(model: { cell?: unknown }): string {
  const cell = (RECURRENT_CELLS as readonly unknown[]).includes(model.cell) ? (model.cell as RecurrentCell) : null;
  return cell ? CELL_LABELS[cell].replace(' (tanh)', '') : 'Recurrent';
}

/**
 * The label a field has on screen, from its path: "model.hidden[0].units" → "Dense 1 · Units".
 * The model (as given, perhaps invalid) tells a recurrent model's layer list from a transformer's
 * block count (both `model.layers`), and names the recurrent cell ("GRU 1 · Units").
 */
export function fieldLabel(path: string, model?: { kind?: unknown; cell?: unknown; layers?: unknown } | null): string {
  if (model?.kind === 'cnn') {
    const label = cnnFieldLabel(path, model);
    if (label) return label;
  }
  if (FIELD_LABELS[path]) return FIELD_LABELS[path];
  const recurrent = recurrentLayerName(model ?? {});
  if (path === 'model.layers') return model?.kind === 'transformer' ? 'Blocks' : `${recurrent} layers`;
  const layer = /^model\.(hidden|layers)\[(\d+)\](?:\.(\w+))?$/.exec(path);
  if (layer) {
    const name = `${layer[1] === 'hidden' ? 'Dense' : recurrent} ${Number(layer[2]) + 1}`;
    return layer[3] ? `${name} · ${LAYER_FIELD_LABELS[layer[3]] ?? layer[3]}` : name;
  }
  if (path.startsWith('dataset.features[')) return 'Input features';
  if (path.startsWith('dataset.drawn')) return 'Points drawn on the plane';
  const lab = /^lab\.(chosen|rates)\.(\w+)$/.exec(path);
  if (lab && lab[2] in OPTIMIZER_LABELS)
    return `${OPTIMIZER_LABELS[lab[2] as OptimizerKind]} · ${lab[1] === 'chosen' ? 'Race' : 'Learning rate'}`;
  return path;
}

/** One field's problem as the person reads it: "Dense 1 · Units: must be … (model.hidden[0].units)". */
export function describeFieldError(error: { field: string; message: string; label?: string }): string {
  if (error.field === 'link') return error.message; // a whole sentence about the link itself
  const label = error.label ?? fieldLabel(error.field);
  return label === error.field ? `${error.field} ${error.message}` : `${label}: ${error.message} (${error.field})`;
}

/** What a new run is called after its number: the model (an MLP goes without saying) and the optimizer, e.g. "transformer · Adam lr 0.01". */
export function runDescription(spec: ExperimentSpec): string {
  const model = spec.model.kind === 'mlp' ? '' : `${modelName(spec.model)} · `;
  return `${model}${OPTIMIZER_LABELS[spec.training.optimizer.kind]} lr ${spec.training.optimizer.learningRate}`;
}

/** The model in a few characters: "[8t-8t]", "LSTM[64]", "GRU[32-32]", "GPT 2×64/4h". */
function modelSummary(spec: ExperimentSpec): string {
  const m = spec.model;
  if (m.kind === 'mlp') return `[${m.hidden.map((l) => `${l.units}${l.activation[0]}`).join('-') || 'linear'}]`;
  if (m.kind === 'lstm') return `${modelName(m)}[${m.layers.map((l) => l.units).join('-')}]`;
  if (m.kind === 'cnn') return `CNN[${m.layers.map(cnnLayerShort).join('-')}]`;
  return `GPT ${m.layers}×${m.dModel}/${m.heads}h`;
}

/** A CNN layer in a few characters: "c6" (6 filters), "p" (pooling), "r16" (a residual block of 16). */
function cnnLayerShort(l: CnnLayerSpec): string {
  return l.kind === 'pool' ? 'p' : `${l.kind[0]}${l.filters}`;
}

/** A run's experiment on one line, for lists of runs: "Circle · [8t-8t] · Adam lr 0.01 · bs 16 · seed 42". */
export function specSummary(spec: ExperimentSpec): string {
  const o = spec.training.optimizer;
  return `${DATASET_LABELS[spec.dataset.kind].split(' (')[0]} · ${modelSummary(spec)} · ${OPTIMIZER_LABELS[o.kind]} lr ${o.learningRate} · bs ${spec.training.batchSize} · seed ${spec.seed}`;
}
