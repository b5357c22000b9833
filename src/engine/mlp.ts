import * as tf from '@tensorflow/tfjs';
import { residualLayers, type Activation, type InitKind, type MlpSpec } from '../experiment/types';
import { Rng } from '../data/rng';
import { activate } from './activations';
import { layerNorm } from './attention';
import {
  batchNormEval,
  batchNormTrain,
  updateRunningStatistics,
  type BatchNormParams,
  type BatchStatistics,
} from './batchNorm';
import { linear, type FusedActivation } from './linear';
import { hostMlpForward, hostMlpSuits } from './kernels/mlpHost';
import type { RowModel } from './rowModel';

export interface DenseParams {
  name: string;
  kernel: tf.Variable;
  /** None before BatchNorm, whose own bias takes its place (a bias there is subtracted again with the mean). */
  bias: tf.Variable | null;
  activation: Activation;
  dropout: number;
  /** The normalisation between x·W + b and the activation; null without. */
  norm: LayerNormParams | BatchNormLayer | null;
  /** The layer adds its input to its output (its input is as wide as it is). */
  residual: boolean;
}

interface LayerNormParams {
  kind: 'layerNorm';
  gain: tf.Variable;
  bias: tf.Variable;
}

interface BatchNormLayer extends BatchNormParams {
  kind: 'batchNorm';
}

/** A layer with its bias and no normalisation (in a plain MLP, no residual connection either). */
export type PlainLayer = DenseParams & { bias: tf.Variable; norm: null };

/** A buffer: state saved with the weights but not trained (BatchNorm's running statistics), by its PyTorch name. */
export interface NamedBuffer {
  name: string;
  variable: tf.Variable;
}

/** A dense network: its variables are named layers.{i}.weight ([in, out]), layers.{i}.bias, and the norm's. */
export interface Mlp extends RowModel {
  layers: DenseParams[];
  /**
   * The layers, where each is only x·W + b and an activation (what the host step, step mode and
   * the neuron maps compute by hand); null for a model with normalisation or residual connections.
   */
  plain: PlainLayer[] | null;
}

/** Activations linear() applies itself (in the matmul's kernel, and with a one-kernel derivative). */
const FUSABLE: Partial<Record<Activation, FusedActivation>> = {
  linear: 'linear',
  relu: 'relu',
  sigmoid: 'sigmoid',
  tanh: 'tanh',
};

/**
 * x·W + b, then the activation: fused into the matmul where tfjs can (as its Dense layer does).
 * With LayerNorm or BatchNorm, x·W + b is normalised before the activation; a residual layer adds x after it.
 */
function dense(
  x: tf.Tensor2D,
  l: DenseParams,
  inputIsData: boolean,
  onBatchStatistics: ((stats: BatchStatistics) => void) | null,
): tf.Tensor2D {
  if (l.norm) {
    const z = linear(x, l.kernel as unknown as tf.Tensor2D, l.bias as unknown as tf.Tensor1D | null, {
      inputNeedsGrad: !inputIsData,
      oncePerStep: true,
    });
    return activate(normalise(z, l.norm, onBatchStatistics), l.activation);
  }
  const fused = FUSABLE[l.activation];
  const z = linear(x, l.kernel as unknown as tf.Tensor2D, l.bias as unknown as tf.Tensor1D, {
    activation: fused ?? 'linear',
    inputNeedsGrad: !inputIsData,
    oncePerStep: true,
  });
  return fused ? z : activate(z, l.activation);
}

/** LayerNorm; BatchNorm over the batch in training (reporting its statistics), on the running statistics otherwise. */
function normalise(
  z: tf.Tensor2D,
  norm: LayerNormParams | BatchNormLayer,
  onBatchStatistics: ((stats: BatchStatistics) => void) | null,
): tf.Tensor2D {
  if (norm.kind === 'layerNorm')
    return layerNorm(z, norm.gain as unknown as tf.Tensor1D, norm.bias as unknown as tf.Tensor1D) as tf.Tensor2D;
  if (!onBatchStatistics) return batchNormEval(z, norm);
  const { out, stats } = batchNormTrain(z, norm);
  onBatchStatistics(stats);
  return out;
}

/** The rectifier family, which zeroes (or nearly) half its inputs: He's scale keeps the variance. */
export const HE_INIT: ReadonlySet<Activation> = new Set<Activation>(['relu', 'leakyRelu', 'elu', 'silu', 'gelu']);

/**
 * Initial weights drawn in JavaScript from the seed, so every backend starts from the very
 * same numbers (biases start at zero), as PyTorch's nn.init defines each: uniform on ±limit,
 * or normal with a standard deviation. Auto: He-uniform for the rectifiers, Glorot-uniform otherwise.
 */
export function initKernel(
  rng: Rng,
  fanIn: number,
  fanOut: number,
  activation: Activation,
  init: InitKind,
  std: number,
): Float32Array {
  const w = new Float32Array(fanIn * fanOut);
  const kind = init === 'auto' ? (HE_INIT.has(activation) ? 'he' : 'glorotUniform') : init;
  const uniform = (limit: number) => w.forEach((_, i) => (w[i] = rng.uniform(-limit, limit)));
  const normal = (sigma: number) => w.forEach((_, i) => (w[i] = rng.normal() * sigma));
  switch (kind) {
    case 'he':
      uniform(Math.sqrt(6 / fanIn));
      break;
    case 'glorotUniform':
      uniform(Math.sqrt(6 / (fanIn + fanOut)));
      break;
    case 'glorotNormal':
      normal(Math.sqrt(2 / (fanIn + fanOut)));
      break;
    case 'gaussian':
      normal(std);
      break;
    case 'zeros':
      break;
  }
  return w;
}

/** A hidden layer's normalisation: a gain of ones and a bias of zeros; BatchNorm's running mean 0 and variance 1. */
function makeNorm(kind: MlpSpec['norm'], units: number): DenseParams['norm'] {
  if (kind === 'none') return null;
  const variable = (init: () => tf.Tensor, trainable = true) => tf.tidy(() => tf.variable(init(), trainable));
  const gain = variable(() => tf.ones([units]));
  const bias = variable(() => tf.zeros([units]));
  if (kind === 'layerNorm') return { kind, gain, bias };
  // Not trainable: no optimizer is given them, and tfjs leaves them out of its own trainable lists.
  const runningMean = variable(() => tf.zeros([units]), false);
  const runningVar = variable(() => tf.ones([units]), false);
  return { kind, gain, bias, runningMean, runningVar };
}

export function buildMlp(spec: MlpSpec, inputDim: number, outputDim: number, seed: number): Mlp {
  const rng = new Rng(seed);
  const shapes = [
    ...spec.hidden.map((l, i) => ({
      name: `dense ${i + 1}`,
      units: l.units,
      activation: l.activation,
      dropout: l.dropout,
    })),
    { name: 'output', units: outputDim, activation: 'linear' as Activation, dropout: 0 },
  ];
  let fanIn = inputDim;
  const residualAt = residualLayers(spec);
  const layers: DenseParams[] = shapes.map((s, i) => {
    // tidy frees the initial tensors; variables survive it.
    const kernel = tf.tidy(() =>
      tf.variable(
        tf.tensor2d(initKernel(rng, fanIn, s.units, s.activation, spec.init, spec.initStd), [fanIn, s.units]),
      ),
    );
    const hiddenLayer = s.name !== 'output';
    const bias = hiddenLayer && spec.norm === 'batchNorm' ? null : tf.tidy(() => tf.variable(tf.zeros([s.units])));
    const norm = hiddenLayer ? makeNorm(spec.norm, s.units) : null;
    const residual = hiddenLayer && residualAt[i] === true;
    fanIn = s.units;
    return { name: s.name, kernel, bias, activation: s.activation, dropout: s.dropout, norm, residual };
  });
  const variables = layers.flatMap((l) => [
    l.kernel,
    ...(l.bias ? [l.bias] : []),
    ...(l.norm ? [l.norm.gain, l.norm.bias] : []),
  ]);
  const buffers = layers.flatMap((l, i) =>
    l.norm?.kind === 'batchNorm'
      ? [
          { name: `layers.${i}.norm.running_mean`, variable: l.norm.runningMean },
          { name: `layers.${i}.norm.running_var`, variable: l.norm.runningVar },
        ]
      : [],
  );
  const withoutNorms = layers.every((l) => l.bias && !l.norm) ? (layers as PlainLayer[]) : null;
  const plain = withoutNorms && layers.every((l) => !l.residual) ? withoutNorms : null;
  const params = variables.reduce((sum, v) => sum + v.size, 0);
  // The last training batch's statistics per BatchNorm layer, kept (outside any tidy) until updateBuffers.
  let pending: { layer: BatchNormLayer; stats: BatchStatistics }[] = [];
  const dropPending = () => {
    tf.dispose(pending.flatMap((p) => [p.stats.mean, p.stats.variance]));
    pending = [];
  };
  const forward = (x: tf.Tensor2D, dropoutSeed?: () => number, inputGradient = false) => {
    const recording = dropoutSeed !== undefined && buffers.length > 0;
    if (recording) dropPending();
    let h = x;
    for (const [i, l] of layers.entries()) {
      const input = h;
      const norm = l.norm;
      const record =
        recording && norm?.kind === 'batchNorm'
          ? (stats: BatchStatistics) => {
              pending.push({ layer: norm, stats: { mean: tf.keep(stats.mean), variance: tf.keep(stats.variance) } });
            }
          : null;
      h = dense(h, l, i === 0 && !inputGradient, record);
      if (dropoutSeed && l.dropout > 0) h = tf.dropout(h, l.dropout, undefined, dropoutSeed()) as tf.Tensor2D;
      if (l.residual) h = h.add(input);
    }
    return h;
  };
  return {
    layers,
    plain,
    withoutNorms,
    variables,
    names: layers.flatMap((l, i) => [
      `layers.${i}.weight`,
      ...(l.bias ? [`layers.${i}.bias`] : []),
      ...(l.norm ? [`layers.${i}.norm.weight`, `layers.${i}.norm.bias`] : []),
    ]),
    buffers,
    params,
    groups: layers.map((l) => ({ name: l.name, weights: [l.kernel] })),
    convolutional: null,
    forward: (x, dropoutSeed) => forward(x, dropoutSeed),
    outputsWithInputGradient: (x) => forward(x, undefined, true),
    updateBuffers() {
      for (const p of pending) updateRunningStatistics(p.layer, p.stats);
      dropPending();
    },
    predict: (x) => (plain && hostMlpSuits(params, x.shape[0]) ? hostMlpForward(x, plain) : forward(x)),
    dispose() {
      dropPending();
      variables.forEach((v) => v.dispose());
      buffers.forEach((b) => b.variable.dispose());
    },
  };
}
