// One workload per entry: a name, the experiment it trains (derived from the defaults), the data
// files it needs, and which stock tfjs baseline trains the same model for the "vs" ratio.
import { readFileSync } from 'node:fs';
import type { DatasetFiles } from '../src/data/dataset';
import {
  TRANSFORMER_OPTION_DEFAULTS,
  MLP_OPTION_DEFAULTS,
  datasetDefaults,
  type ExperimentSpec,
} from '../src/experiment';
import { convLayer, poolLayer } from '../src/experiment/cnn';

export interface Workload {
  name: string;
  spec: (defaults: ExperimentSpec) => ExperimentSpec;
  files?: () => DatasetFiles;
  /**
   * mlp: tf.sequential dense layers + model.fit; lstm, gru: tf.layers.lstm, gru + model.fit; cnn: tf.layers.conv2d
   * and maxPooling2d + model.fit; none: no stock equivalent.
   */
  baseline: 'mlp' | 'lstm' | 'gru' | 'gpt' | 'cnn' | 'none';
  /** Whether ConvNetJS (MLPs and CNNs) and brain.js (MLPs) can train the same network. */
  otherLibraries: boolean;
  /** Whether jax-js trains it too (the issues' comparisons: the MNIST MLP and the CNN, on jax-js' wasm device). */
  jaxjs?: boolean;
  /** Runs only when --workloads names it: too slow for a CPU, meant for a real GPU. */
  onlyWhenNamed?: boolean;
  /** Epochs at least, whatever --epochs says: a tiny model's epoch takes milliseconds, too short to time cold. */
  minEpochs?: number;
  /** Language models: tokens each example trains on (its context), for tokens/s. */
  tokensPerExample?: number;
  /** Backends it runs on; all when absent. */
  backends?: string[];
  /** Backends where the stock baseline is not timed, and why (too slow to time in a bench run). */
  baselineSkipped?: Record<string, string>;
  /** Another trainer's published training speed for a model of this size, shown beside ours (not measured here). */
  published?: { tokensPerSec: number; by: string };
}

const mnistFiles = (): DatasetFiles => ({
  mnist: {
    images: new Uint8Array(readFileSync('datasets/mnist-images.u8')),
    labels: new Uint8Array(readFileSync('datasets/mnist-labels.u8')),
  },
});
const speechesFiles = (): DatasetFiles => ({ text: readFileSync('datasets/sotu.txt', 'utf8') });
const namesFiles = (): DatasetFiles => ({ text: readFileSync('datasets/names.txt', 'utf8') });

function names(d: ExperimentSpec, samples: number): ExperimentSpec['dataset'] {
  return { ...d.dataset, kind: 'names', ...datasetDefaults('names'), samples, contextLength: 16 };
}

/** A one-hidden-layer relu MLP on 2,000 MNIST digits, batch 64, Adam 1e-3. */
const mnistMlp = (d: ExperimentSpec, units: number): ExperimentSpec => ({
  ...d,
  dataset: { ...d.dataset, kind: 'mnist', ...datasetDefaults('mnist'), samples: 2000 },
  model: { ...MLP_OPTION_DEFAULTS, kind: 'mlp', hidden: [{ units, activation: 'relu', dropout: 0 }] },
  training: { ...d.training, batchSize: 64, optimizer: { ...d.training.optimizer, learningRate: 1e-3 } },
});

const smallGpt = (d: ExperimentSpec): ExperimentSpec => ({
  ...d,
  dataset: { ...d.dataset, kind: 'sotu', ...datasetDefaults('sotu'), samples: 256, contextLength: 64 },
  model: { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 4, dModel: 96, heads: 4, dropout: 0 },
  training: { ...d.training, batchSize: 32, optimizer: { ...d.training.optimizer, learningRate: 3e-3 } },
});

/** ConvNetJS's MNIST demo network: conv 8 of 5×5 (padded), max pool 2, conv 16 of 5×5, max pool 3, softmax. */
const convnetMnist = (d: ExperimentSpec): ExperimentSpec => ({
  ...d,
  dataset: { ...d.dataset, kind: 'mnist', ...datasetDefaults('mnist'), samples: 1000 },
  model: {
    kind: 'cnn',
    layers: [convLayer(8, 5), poolLayer(2), convLayer(16, 5), poolLayer(3)],
    head: 'flatten',
    dense: [],
  },
  training: { ...d.training, batchSize: 64, optimizer: { ...d.training.optimizer, learningRate: 1e-3 } },
});

/**
 * TinyGPT's four GPT sizes (byte-level, 0.37M to 6.4M parameters, tied embeddings; the layer counts are the
 * ones that give its parameter counts; 32 dimensions a head) and its published training speed on 4-thread wasm
 * SIMD on an Apple M-series laptop: here on the speeches, as characters and as 1,024 byte pairs. Batches of 16,
 * 8 for the large size and 4 for XL: the memory estimate refuses more on wasm's 2 GB.
 */
const TINYGPT = [
  { size: 'small', d: 96, layers: 3, context: 64, batch: 16, tokensPerSec: 10_116 },
  { size: 'medium', d: 128, layers: 4, context: 96, batch: 16, tokensPerSec: 4_305 },
  { size: 'large', d: 192, layers: 6, context: 128, batch: 8, tokensPerSec: 1_289 },
  { size: 'XL', d: 256, layers: 8, context: 128, batch: 4, tokensPerSec: 553 },
];
const tinyGptWorkloads: Workload[] = TINYGPT.flatMap((t) =>
  (['char', 'bpe'] as const).map((tokens) => ({
    name: `TinyGPT ${t.size} size: ${t.layers}×${t.d}, context ${t.context}, ${tokens === 'bpe' ? '1,024 byte pairs' : 'characters'}`,
    spec: (d: ExperimentSpec): ExperimentSpec => ({
      ...d,
      dataset: {
        ...d.dataset,
        kind: 'sotu',
        ...datasetDefaults('sotu'),
        samples: 96,
        contextLength: t.context,
        tokenizer: tokens === 'bpe' ? { kind: 'bpe', vocabSize: 1024 } : { kind: 'char', vocabSize: 1024 },
      },
      model: {
        ...TRANSFORMER_OPTION_DEFAULTS,
        kind: 'transformer',
        layers: t.layers,
        dModel: t.d,
        heads: t.d / 32,
        dropout: 0,
        tiedEmbeddings: true,
      },
      training: { ...d.training, batchSize: t.batch, optimizer: { ...d.training.optimizer, learningRate: 1e-3 } },
    }),
    files: speechesFiles,
    baseline: 'none' as const,
    otherLibraries: false,
    tokensPerExample: t.context,
    onlyWhenNamed: true,
    backends: ['wasm', 'webgpu'],
    published: { tokensPerSec: t.tokensPerSec, by: 'TinyGPT, 4-thread wasm SIMD, Apple M-series laptop' },
  })),
);

export const WORKLOADS: Workload[] = [
  {
    name: 'default experiment (2-8-8-1 on circle)',
    spec: (d) => d,
    minEpochs: 60,
    baseline: 'mlp',
    otherLibraries: true,
  },
  {
    name: 'MLP 3×8 on spiral',
    spec: (d) => ({
      ...d,
      dataset: { ...d.dataset, kind: 'spiral' },
      model: {
        ...MLP_OPTION_DEFAULTS,
        kind: 'mlp',
        hidden: [0, 1, 2].map(() => ({ units: 8, activation: 'tanh' as const, dropout: 0 })),
      },
    }),
    minEpochs: 60,
    baseline: 'mlp',
    otherLibraries: true,
  },
  {
    name: 'MLP 784-128-10 on MNIST',
    spec: (d) => mnistMlp(d, 128),
    files: mnistFiles,
    baseline: 'mlp',
    otherLibraries: true,
    jaxjs: true,
  },
  {
    // The wide case for matmul efficiency on wasm.
    name: 'MLP 784-1024-10 on MNIST',
    spec: (d) => mnistMlp(d, 1024),
    files: mnistFiles,
    baseline: 'mlp',
    otherLibraries: false,
    // ~10 GFLOP an epoch: far too slow on the cpu backend and on software WebGPU.
    backends: ['wasm'],
  },
  {
    name: 'CNN 2 conv + 2 pool on MNIST (ConvNetJS demo net)',
    spec: convnetMnist,
    files: mnistFiles,
    baseline: 'cnn',
    otherLibraries: true,
    jaxjs: true,
    baselineSkipped: {
      cpu: "not timed: tfjs-cpu's own filter-gradient loop takes about 6 s a step of 64 (ours: our filter gradient)",
    },
  },
  {
    name: 'LSTM 128 on names',
    spec: (d) => ({
      ...d,
      dataset: names(d, 500),
      model: { kind: 'lstm', cell: 'lstm', embedding: 32, layers: [{ units: 128, dropout: 0 }] },
      training: { ...d.training, batchSize: 32, optimizer: { ...d.training.optimizer, learningRate: 3e-3 } },
    }),
    files: namesFiles,
    baseline: 'lstm',
    otherLibraries: false,
  },
  {
    name: 'GRU 128 on names',
    spec: (d) => ({
      ...d,
      dataset: names(d, 500),
      model: { kind: 'lstm', cell: 'gru', embedding: 32, layers: [{ units: 128, dropout: 0 }] },
      training: { ...d.training, batchSize: 32, optimizer: { ...d.training.optimizer, learningRate: 3e-3 } },
    }),
    files: namesFiles,
    baseline: 'gru',
    otherLibraries: false,
  },
  {
    name: 'transformer 2×64 on names',
    spec: (d) => ({
      ...d,
      dataset: names(d, 500),
      model: { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 2, dModel: 64, heads: 4, dropout: 0 },
      training: { ...d.training, batchSize: 32, optimizer: { ...d.training.optimizer, learningRate: 3e-3 } },
    }),
    files: namesFiles,
    baseline: 'none',
    otherLibraries: false,
  },
  {
    // The small GPT (about 0.47M parameters), char-level on the speeches, on wasm only:
    // its epoch takes minutes on the cpu backend and on software WebGPU.
    name: 'small GPT 4×96, context 64, on speeches',
    spec: smallGpt,
    files: speechesFiles,
    baseline: 'gpt',
    otherLibraries: false,
    tokensPerExample: 64,
    backends: ['wasm'],
  },
  {
    // The same on a real GPU (bench/device): --workloads "gpu gpt".
    name: 'GPU GPT 4×96, context 64, on speeches',
    spec: smallGpt,
    files: speechesFiles,
    baseline: 'gpt',
    otherLibraries: false,
    tokensPerExample: 64,
    onlyWhenNamed: true,
    backends: ['webgpu'],
  },
  {
    // Matmul-bound: 20M weights and batch 1024, so a step is three large products each way. Wider
    // than the builder allows (256 units); the Trainer does not validate, so the bench can ask.
    name: 'MLP 784-4096-4096-10 on MNIST (matmul-bound)',
    spec: (d) => ({
      ...d,
      dataset: { ...d.dataset, kind: 'mnist', ...datasetDefaults('mnist'), samples: 8192 },
      model: {
        ...MLP_OPTION_DEFAULTS,
        kind: 'mlp',
        hidden: [
          { units: 4096, activation: 'relu', dropout: 0 },
          { units: 4096, activation: 'relu', dropout: 0 },
        ],
      },
      training: { ...d.training, batchSize: 1024, optimizer: { ...d.training.optimizer, learningRate: 1e-4 } },
    }),
    files: mnistFiles,
    baseline: 'none',
    otherLibraries: false,
    onlyWhenNamed: true,
    backends: ['webgpu'],
  },
  ...tinyGptWorkloads,
];

/**
 * The workloads --workloads names (parts of names, lower case), or the everyday set. A heavy one
 * needs a part that names no everyday workload ("4096", not "mnist").
 */
export function chooseWorkloads(chosen: string[] | null): Workload[] {
  const names = (w: Workload, c: string) => w.name.toLowerCase().includes(c);
  const everyday = WORKLOADS.filter((w) => !w.onlyWhenNamed);
  if (!chosen) return everyday;
  return WORKLOADS.filter((w) =>
    chosen.some((c) => names(w, c) && (!w.onlyWhenNamed || !everyday.some((e) => names(e, c)))),
  );
}
