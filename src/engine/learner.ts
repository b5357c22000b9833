// What the training loop needs from a model and its data, whatever the model: the MLP on
// tabular data (learners/tabular.ts) or the LSTM / transformer on sequences (learners/sequence.ts).
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../data/rng';
import type { ModelCost } from './cost';
import type {
  AttentionSnapshot,
  EpochViews,
  ForecastSnapshot,
  ImageLook,
  ImageSource,
  Inspection,
  SamplingSettings,
} from './types';
import type { Optimizer } from './optimizers';
import type { CompiledSteps } from './compiled/compiledSteps';
import type { EpochPlan } from './epochPlan';
import type { DrawSettings, SampledText } from './sampling';

export interface Learner {
  readonly cost: ModelCost;
  /** Training examples; a batch picks rows by index. */
  readonly nTrain: number;
  /** Steps and examples of each epoch: what the Trainer runs and counts FLOPs for, and what this learner evaluates. */
  readonly plan: EpochPlan;
  readonly hasAccuracy: boolean;
  readonly hasExactMatch: boolean;
  /** Language models: UTF-8 bytes per validation target token, for the loss in bits per byte. */
  readonly validationBytesPerToken?: number;
  readonly variables: tf.Variable[];
  /** Each variable's stable name, in the same order (checkpoints and weight files). */
  readonly parameterNames: string[];
  /**
   * State saved with the weights but not trained, by its PyTorch name (BatchNorm's running
   * statistics); absent or empty where the model has none.
   */
  readonly buffers?: { name: string; variable: tf.Variable }[];
  /** After each optimizer step: update the buffers from the batch the step trained on. */
  afterStep?: () => void;
  /** Byte-pair language models: the tokenizer's merges, kept with each checkpoint so the model reads text as trained. */
  readonly merges?: Int32Array;
  /** Random streams of its own (e.g. text sampling) that a checkpoint must carry on exactly. */
  readonly rngs?: Record<string, Rng>;
  /** Weight matrices by layer: penalised by L1/L2, and their norms are reported per epoch. */
  readonly groups: { name: string; weights: tf.Variable[] }[];
  /** Mean training loss of the batch of rows `idx` (dropout on, no penalty). */
  batchLoss: (idx: tf.Tensor1D, dropoutSeed: () => number) => tf.Scalar;
  /**
   * On the device, for one read-back at the end of an epoch: the metrics [train loss, train
   * accuracy, validation loss, validation accuracy, exact match], and the values the epoch's
   * views need (null: none).
   */
  epochTensors: () => { metrics: tf.Tensor1D; view: tf.Tensor1D | null };
  /** Turn those values into views; may run the model more (e.g. to sample text). */
  views: (values: Float32Array, epoch: number) => Promise<EpochViews>;
  /** The test split's [loss, accuracy, exact match] (uploaded for this one look, then freed); null without a test split. */
  testMetrics: () => Promise<{ examples: number; values: Float32Array } | null>;
  dispose: () => void;

  // Capabilities: present only on the models that have them, so callers ask rather than check classes.
  /**
   * The loss of the batch rows[from … from+count) (plus λ₁Σ|W| + λ₂ΣW² over the groups' weights)
   * and every variable's gradient in the variables' order, computed in plain JavaScript from the
   * tensors' memory; null where this learner cannot here (the Trainer then differentiates
   * batchLoss). The small MLP without dropout does it on cpu and wasm (kernels/mlpHost.ts).
   */
  hostGradients?: (
    rows: tf.Tensor1D,
    from: number,
    count: number,
    penalty: { l1: number; l2: number },
  ) => { loss: number; grads: Float32Array[] } | null;
  /**
   * The whole step (forward, loss, backward, penalty, clipping, update) compiled for the device
   * (a plain MLP or a recurrent stack on webgpu: engine/compiled), taking the optimizer's next step
   * itself; its step() is null where it cannot here (the Trainer then takes the step through tfjs).
   */
  compiled?: CompiledSteps;
  /** A look inside between batches (a plain MLP; null for others): weights, last-batch gradients, optimizer state, neuron maps. */
  inspect?: (
    exampleIndex: number,
    optimizer: Optimizer,
    lastGrads: tf.NamedTensorMap | null,
    resolution?: number,
  ) => Promise<Inspection | null>;
  /** Language models: `length` tokens drawn as `draw` says after `prompt`, with a seeded generator. */
  sample?: (
    length: number,
    draw: DrawSettings,
    rng: Rng,
    prompt?: string,
    /** keyValueCache: false computes every step over the whole context (the cache's reference; the bench's baseline). */
    options?: { keyValueCache?: boolean },
  ) => Promise<SampledText>;
  /** Transformers: every layer's and head's attention weights for a text. */
  attention?: (text: string) => Promise<AttentionSnapshot>;
  /** Image models: class probabilities, saliency and (CNN) feature maps and filters for one image. */
  imageLook?: (source: ImageSource, chosenClass?: number) => Promise<ImageLook | null>;
  /** Language models: what each epoch's sample and attention view use from now on. */
  setSampling?: (settings: SamplingSettings) => void;
}

/** Rows of [0, n) in chunks of at most `size`, for evaluating big sets without big tensors. */
export function chunks(n: number, size: number): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < n; start += size) out.push([start, Math.min(size, n - start)]);
  return out;
}

/** Forecasts of the first validation windows beside their targets, both back in the series' units. */
export function forecastView(
  targets: Float32Array,
  predicted: Float32Array,
  scale: { mean: number; std: number },
): ForecastSnapshot {
  const unscale = (v: number) => v * scale.std + scale.mean;
  return {
    truth: Array.from(targets.subarray(0, predicted.length), unscale),
    predicted: Array.from(predicted, unscale),
  };
}
