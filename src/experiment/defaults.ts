import {
  DEFAULT_OWN_IMAGES,
  DEFAULT_TOKENIZER,
  NO_AUGMENT,
  SPEC_VERSION,
  isPlane,
  isSeries,
  isText,
  isToy,
  type DatasetKind,
  type DatasetSpec,
  type DenseLayerSpec,
  type MlpSpec,
  type TransformerSpec,
  type ExperimentSpec,
  type ModelKind,
  type ModelSpec,
} from './types';
import { lenet } from './cnn';
import { LIMITS } from './limits';

export function defaultHiddenLayer(): DenseLayerSpec {
  return { units: 8, activation: 'tanh', dropout: 0 };
}

/** The MLP options added after its first release, as every MLP trained before them. */
export const MLP_OPTION_DEFAULTS: Pick<MlpSpec, 'init' | 'initStd' | 'classificationLoss' | 'residual' | 'norm'> = {
  init: 'auto',
  initStd: 0.1,
  classificationLoss: 'crossEntropy',
  residual: false,
  norm: 'none',
};

/** The transformer options added after its first release, as every transformer trained before them (GPT-2's). */
export const TRANSFORMER_OPTION_DEFAULTS: Omit<TransformerSpec, 'kind' | 'layers' | 'dModel' | 'heads' | 'dropout'> = {
  position: 'learned',
  norm: 'layerNorm',
  normPlacement: 'pre',
  mlpActivation: 'gelu',
  tiedEmbeddings: false,
  attentionDropout: 0,
};

/**
 * Epochs that suit each model on a 2-core machine without a GPU: a small MLP's epoch takes
 * milliseconds, a recurrent network's and a transformer's on text seconds (the names transformer's
 * about 19 s on wasm), so 50 of them would be a quarter of an hour.
 */
export const DEFAULT_EPOCHS: Record<ModelKind, number> = { mlp: 50, lstm: 20, transformer: 10, cnn: 5 };

/**
 * Learning rates that suit each model with the default optimizer (Adam): a CNN's many shared weights take steps of
 * 0.01 too far (a LeNet on 120 colour images exploded in its first epoch), so it starts at PyTorch's Adam default.
 */
export const DEFAULT_LEARNING_RATE: Record<ModelKind, number> = {
  mlp: 0.01,
  lstm: 0.01,
  transformer: 0.01,
  cnn: 0.001,
};

/**
 * Switch the experiment to a model of `kind`: its defaults, and its default epochs and learning rate unless the
 * person chose their own (values that are not the old model's defaults are theirs, and stay).
 */
export function switchModel(spec: ExperimentSpec, kind: ModelKind): void {
  if (spec.training.epochs === DEFAULT_EPOCHS[spec.model.kind]) spec.training.epochs = DEFAULT_EPOCHS[kind];
  const o = spec.training.optimizer;
  if (o.learningRate === DEFAULT_LEARNING_RATE[spec.model.kind]) o.learningRate = DEFAULT_LEARNING_RATE[kind];
  spec.model = defaultModel(kind);
}

export function defaultModel(kind: ModelKind): ModelSpec {
  switch (kind) {
    case 'mlp':
      return { kind, hidden: [defaultHiddenLayer(), defaultHiddenLayer()], ...MLP_OPTION_DEFAULTS };
    case 'lstm':
      return { kind, cell: 'lstm', embedding: 16, layers: [{ units: 64, dropout: 0 }] };
    case 'transformer':
      return { kind, layers: 2, dModel: 64, heads: 4, dropout: 0, ...TRANSFORMER_OPTION_DEFAULTS };
    case 'cnn':
      return lenet();
  }
}

/** Sizes that suit each kind of data when a person switches to it (the rest of the spec is kept). */
export function datasetDefaults(
  kind: DatasetKind,
): Pick<DatasetSpec, 'samples' | 'noise' | 'contextLength' | 'digits'> {
  if (isPlane(kind)) return { samples: 500, noise: 0.3, contextLength: 16, digits: 3 };
  if (isText(kind)) return { samples: 4000, noise: 0, contextLength: 32, digits: 3 };
  if (isToy(kind)) return { samples: 4000, noise: 0, contextLength: 16, digits: kind === 'addition' ? 2 : 5 };
  if (isSeries(kind)) return { samples: 1500, noise: kind === 'sines' ? 0.05 : 0, contextLength: 24, digits: 3 };
  if (kind === 'userTable') return { samples: 100000, noise: 0, contextLength: 16, digits: 3 };
  if (kind === 'userImages') return { samples: LIMITS.ownImages.max, noise: 0, contextLength: 16, digits: 3 };
  if (kind === 'mnistFull' || kind === 'fashionMnist')
    return { samples: 12000, noise: 0, contextLength: 16, digits: 3 };
  return { samples: 3000, noise: 0, contextLength: 16, digits: 3 }; // mnist
}

export function defaultSpec(): ExperimentSpec {
  return {
    version: SPEC_VERSION,
    seed: 42,
    dataset: {
      kind: 'circle',
      ...datasetDefaults('circle'),
      validationSplit: 0.2,
      testSplit: 0,
      features: ['x1', 'x2'],
      table: { target: '', task: 'auto' },
      drawn: { added: [], removed: [] },
      augment: { ...NO_AUGMENT },
      ownImages: { ...DEFAULT_OWN_IMAGES },
      shiftHeldOut: 0,
      tokenizer: { ...DEFAULT_TOKENIZER },
    },
    model: defaultModel('mlp'),
    training: {
      optimizer: {
        kind: 'adam',
        learningRate: 0.01,
        momentum: 0.9,
        beta1: 0.9,
        beta2: 0.999,
        rho: 0.9,
        rmspropMomentum: 0,
        centered: false,
        amsgrad: false,
        epsilon: 1e-8,
        weightDecay: 0,
        decayMatricesOnly: false,
      },
      schedule: { kind: 'constant', stepEpochs: 10, gamma: 0.5, minLearningRate: 0, warmupEpochs: 0 },
      batchSize: 16,
      epochs: 50,
      l1: 0,
      l2: 0,
      clipNorm: 0,
      earlyStopPatience: 0,
    },
    backend: 'auto',
  };
}

/** γ for exponential decay that ends the run at 1% of the learning rate (γ per epoch after warm-up). */
export function exponentialGamma(epochs: number, warmupEpochs: number): number {
  const decaying = Math.max(1, epochs - warmupEpochs);
  return Number(Math.min(0.999, 0.01 ** (1 / decaying)).toFixed(3));
}
