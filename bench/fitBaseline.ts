// The same model, data, batch size and Adam trained with tfjs' own layers and model.fit, for the
// ratio "our loop vs model.fit" on one backend: dense layers for the MLP, tf.layers.lstm / gru for the LSTM / GRU.
// tfjs has no transformer layer: the transformer's baseline is written in plain tfjs ops (plainGpt.ts).
// model.fit also evaluates the validation set each epoch, as ours does (ours evaluates the
// training set too, which model.fit does not).
import * as tf from '@tensorflow/tfjs';
import { buildDataset, type DatasetFiles } from '../src/data/dataset';
import { buildSequenceDataset } from '../src/data/sequenceDataset';
import type { CnnSpec, ExperimentSpec, LstmSpec } from '../src/experiment';
import { plainGptExamplesPerSec, plainGptKernelsPerStep } from './plainGpt';
import { workPerStep } from './dispatches';

type Pair = [tf.Tensor, tf.Tensor];

async function timedFit(
  model: tf.LayersModel,
  [x, y]: Pair,
  validation: Pair,
  n: number,
  spec: ExperimentSpec,
  epochs: number,
): Promise<number> {
  const optimizer = tf.train.adam(spec.training.optimizer.learningRate);
  model.compile({
    optimizer,
    loss: lossFor(model),
    metrics: ['accuracy'],
  });
  const stamps: number[] = [];
  await model.fit(x, y, {
    batchSize: spec.training.batchSize,
    epochs,
    shuffle: true,
    verbose: 0,
    validationData: validation,
    callbacks: {
      onEpochEnd: () => {
        stamps.push(performance.now());
      },
    },
  });
  tf.dispose([x, y, ...validation]);
  model.dispose();
  optimizer.dispose(); // model.dispose() leaves the optimizer's slots (10 tensors per fit here)
  return ((epochs - 1) * n) / ((stamps[stamps.length - 1] - stamps[0]) / 1000);
}

function lossFor(model: tf.LayersModel): string {
  const units = model.outputs[0].shape[model.outputs[0].shape.length - 1];
  return units === 1 ? 'binaryCrossentropy' : 'categoricalCrossentropy';
}

/** Examples per second of model.fit over epochs 2…epochs (the first is warm-up). */
export async function fitExamplesPerSec(
  spec: ExperimentSpec,
  epochs: number,
  files: DatasetFiles = {},
): Promise<number> {
  if (spec.model.kind === 'transformer') {
    const g = gptBaseline(spec, files);
    return plainGptExamplesPerSec(g.shape, g.data, { ...g.training, epochs });
  }
  const { model, train, validation, n } = baseline(spec, files);
  return timedFit(model, train, validation, n, spec, epochs);
}

/** Kernels (dispatches on webgpu) that one model.trainOnBatch runs, after a warm-up batch. */
export async function fitKernelsPerStep(spec: ExperimentSpec, files: DatasetFiles = {}): Promise<number> {
  if (spec.model.kind === 'transformer') {
    const g = gptBaseline(spec, files);
    return plainGptKernelsPerStep(g.shape, g.data, g.training);
  }
  const { model, train, validation } = baseline(spec, files);
  model.compile({
    optimizer: tf.train.adam(spec.training.optimizer.learningRate),
    loss: lossFor(model),
    metrics: ['accuracy'],
  });
  const [x, y] = train.map((t) => t.slice(0, spec.training.batchSize));
  await model.trainOnBatch(x, y);
  const count = await workPerStep(() => model.trainOnBatch(x, y));
  tf.dispose([x, y, ...train, ...validation]);
  model.dispose();
  return count;
}

function baseline(
  spec: ExperimentSpec,
  files: DatasetFiles,
): { model: tf.LayersModel; train: Pair; validation: Pair; n: number } {
  if (spec.model.kind === 'cnn') return cnnBaseline(spec, spec.model, files);
  return spec.model.kind === 'lstm' ? recurrentBaseline(spec, spec.model, files) : mlpBaseline(spec, files);
}

/**
 * tf.layers.conv2d and maxPooling2d (averagePooling2d) on the same images, flatten, dense layers and softmax.
 * On wasm model.fit cannot train it: tfjs-wasm has no Conv2DBackpropFilter kernel (the caller reports that).
 */
function cnnBaseline(spec: ExperimentSpec, m: CnnSpec, files: DatasetFiles) {
  const ds = buildDataset(spec.dataset, spec.seed, files);
  const image = ds.image!;
  const model = tf.sequential();
  model.add(tf.layers.reshape({ targetShape: [image.height, image.width, image.channels], inputShape: [ds.inputDim] }));
  for (const l of m.layers) {
    if (l.kind === 'conv')
      model.add(
        tf.layers.conv2d({
          filters: l.filters,
          kernelSize: l.kernel,
          strides: l.stride,
          padding: l.padding,
          activation: 'relu',
        }),
      );
    else if (l.kind === 'pool')
      model.add(
        (l.pool === 'max' ? tf.layers.maxPooling2d : tf.layers.averagePooling2d)({
          poolSize: l.size,
          strides: l.stride,
        }),
      );
    else throw new Error('the stock baseline has no residual block');
  }
  model.add(m.head === 'flatten' ? tf.layers.flatten() : tf.layers.globalAveragePooling2d({}));
  for (const d of m.dense) model.add(tf.layers.dense({ units: d.units, activation: 'relu' }));
  model.add(tf.layers.dense({ units: ds.outputDim, activation: 'softmax' }));
  const pair = (s: typeof ds.train): Pair => [
    tf.tensor2d(s.x, [s.n, ds.inputDim]),
    tf.tidy(() => tf.oneHot(tf.tensor1d(s.y, 'int32'), ds.outputDim).toFloat()),
  ];
  return { model, train: pair(ds.train), validation: pair(ds.validation), n: ds.train.n };
}

function mlpBaseline(spec: ExperimentSpec, files: DatasetFiles) {
  if (spec.model.kind !== 'mlp') throw new Error('not an MLP');
  const ds = buildDataset(spec.dataset, spec.seed, files);
  const model = tf.sequential();
  spec.model.hidden.forEach((l, i) => {
    model.add(
      tf.layers.dense({
        units: l.units,
        // tf.layers names SiLU swish, and has no GELU or leaky ReLU activation (the bench trains neither).
        activation:
          l.activation === 'silu'
            ? 'swish'
            : l.activation === 'gelu' || l.activation === 'leakyRelu'
              ? 'linear'
              : l.activation,
        ...(i === 0 ? { inputShape: [ds.inputDim] } : {}),
      }),
    );
  });
  const multiclass = ds.outputDim > 1;
  model.add(tf.layers.dense({ units: ds.outputDim, activation: multiclass ? 'softmax' : 'sigmoid' }));
  const pair = (s: typeof ds.train): Pair => [
    tf.tensor2d(s.x, [s.n, ds.inputDim]),
    multiclass
      ? tf.tidy(() => tf.oneHot(tf.tensor1d(s.y, 'int32'), ds.outputDim).toFloat())
      : tf.tensor2d(s.y, [s.n, 1]),
  ];
  return { model, train: pair(ds.train), validation: pair(ds.validation), n: ds.train.n };
}

/** The stock layer for each cell (tfjs' GRU applies the reset gate before Wh, PyTorch's after: the same work). */
const STOCK_LAYERS = {
  lstm: (units: number) => tf.layers.lstm({ units, returnSequences: true }),
  gru: (units: number) => tf.layers.gru({ units, returnSequences: true }),
  rnn: (units: number) => tf.layers.simpleRNN({ units, returnSequences: true }),
};

/**
 * tf.layers.lstm (gru, simpleRNN) on the same next-character task. Tokens go in one-hot through a
 * bias-free dense layer (the embedding; tf.layers.embedding's gradient needs an op the wasm
 * backend lacks).
 */
function recurrentBaseline(spec: ExperimentSpec, m: LstmSpec, files: DatasetFiles) {
  const ds = buildSequenceDataset(spec.dataset, spec.seed, files);
  const vocab = ds.vocab!.length;
  const T = ds.length;
  const model = tf.sequential();
  model.add(tf.layers.dense({ units: m.embedding, useBias: false, inputShape: [T, vocab] }));
  for (const l of m.layers) model.add(STOCK_LAYERS[m.cell](l.units));
  model.add(tf.layers.dense({ units: vocab, activation: 'softmax' }));
  const oneHot = (t: Int32Array | Float32Array, n: number) =>
    tf.tidy(() => tf.oneHot(tf.tensor2d(t as Int32Array, [n, T], 'int32'), vocab).toFloat());
  const pair = (s: typeof ds.train): Pair => [oneHot(s.x, s.n), oneHot(s.y, s.n)];
  return { model, train: pair(ds.train), validation: pair(ds.validation), n: ds.train.n };
}

/** The plain tfjs GPT's shape, training windows and settings for a transformer spec. */
export function gptBaseline(spec: ExperimentSpec, files: DatasetFiles) {
  if (spec.model.kind !== 'transformer') throw new Error('not a transformer');
  const ds = buildSequenceDataset(spec.dataset, spec.seed, files);
  if (ds.task === 'forecast') throw new Error('the plain GPT trains on text');
  const { layers, dModel, heads } = spec.model;
  return {
    shape: { vocab: ds.vocab.length, contextLength: ds.length, layers, dModel, heads },
    data: ds.train,
    training: {
      batchSize: spec.training.batchSize,
      learningRate: spec.training.optimizer.learningRate,
      seed: spec.seed,
    },
  };
}
