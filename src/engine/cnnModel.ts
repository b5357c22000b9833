// A convolutional network built from its spec: weights drawn from the seed in JavaScript (the same numbers on every
// backend), kept in PyTorch's layouts under PyTorch's names (so weight files and the exported program need no
// conversion), and its forward pass on images [n, h, w, channels] to logits. Training passes hand back each
// BatchNorm's batch statistics for the running ones; evaluation uses the running ones.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../data/rng';
import {
  cnnShapes,
  headWidth,
  type CnnLayerSpec,
  type CnnSpec,
  type ConvLayerSpec,
  type ImageShape,
} from '../experiment/cnn';
import type { Activation } from '../experiment/types';
import { activate } from './activations';
import {
  batchNormEval,
  batchNormTrain,
  updateRunningStatistics,
  type BatchNormParams,
  type BatchStatistics,
} from './batchNorm';
import { convolve, globalAveragePool, pool, residualBlock } from './conv';
import { HE_INIT, type NamedBuffer } from './mlp';
import type { RowModel } from './rowModel';

/** He-uniform for the rectifiers, Glorot-uniform otherwise, with a convolution's fans (kernel² × channels). */
function initWeights(rng: Rng, shape: number[], fanIn: number, fanOut: number, activation: Activation): tf.Variable {
  const limit = HE_INIT.has(activation) ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  values.forEach((_, i) => (values[i] = rng.uniform(-limit, limit)));
  return tf.tidy(() => tf.variable(tf.tensor(values, shape)));
}

/** A filter bank in PyTorch's layout [out, in, k, k], drawn in that order. */
const filterBank = (rng: Rng, cin: number, cout: number, k: number, activation: Activation) =>
  initWeights(rng, [cout, cin, k, k], k * k * cin, k * k * cout, activation);

/** PyTorch's [out, in, kh, kw] as tfjs convolves with it: [kh, kw, in, out]. */
const asTfFilter = (w: tf.Variable) => w.transpose([2, 3, 1, 0]) as tf.Tensor4D;

const zeros = (units: number) => tf.tidy(() => tf.variable(tf.zeros([units])));

/** A gain of ones and a bias of zeros, running mean 0 and variance 1 (buffers, never trained). */
function makeBatchNorm(units: number): BatchNormParams {
  return {
    gain: tf.tidy(() => tf.variable(tf.ones([units]))),
    bias: zeros(units),
    runningMean: tf.tidy(() => tf.variable(tf.zeros([units]), false)),
    runningVar: tf.tidy(() => tf.variable(tf.ones([units]), false)),
  };
}

interface ResidualWeights {
  conv1: tf.Variable;
  norm1: BatchNormParams;
  conv2: tf.Variable;
  norm2: BatchNormParams;
  projection: { conv: tf.Variable; norm: BatchNormParams } | null;
}

type BuiltLayer =
  | { spec: ConvLayerSpec; weight: tf.Variable; bias: tf.Variable | null; norm: BatchNormParams | null }
  | { spec: Extract<CnnLayerSpec, { kind: 'pool' }> }
  | { spec: Extract<CnnLayerSpec, { kind: 'residual' }>; weights: ResidualWeights };

interface DenseLayer {
  weight: tf.Variable;
  bias: tf.Variable;
  activation: Activation;
  dropout: number;
}

/** A variable or buffer under its PyTorch name. */
interface Named<T> {
  name: string;
  variable: T;
}

export interface CnnModel {
  /** Trainable, in a fixed order: each layer's weights, bias, BatchNorm gains and biases; then the dense layers'. */
  variables: tf.Variable[];
  /** The variables' PyTorch names: conv.{i}.weight [out, in, k, k], conv.{i}.norm.weight, dense.{j}.weight [in, out]… */
  names: string[];
  /** Each BatchNorm's running statistics, in the order a training pass returns its batch statistics. */
  norms: BatchNormParams[];
  /** The same running statistics as a weights file names them (conv.{i}.norm.running_mean…). */
  buffers: NamedBuffer[];
  /** Kernels and weight matrices by layer, for L1/L2 and the per-layer norms. */
  groups: { name: string; weights: tf.Variable[] }[];
  /**
   * Logits [n, classes] of images [n, h, w, channels]. Training (a dropout seed given) normalises by the batch and
   * returns its statistics, one per entry of `norms`; evaluation uses the running statistics and returns none.
   */
  forward: (x: tf.Tensor4D, dropoutSeed?: () => number) => { logits: tf.Tensor2D; stats: BatchStatistics[] };
  /** Evaluation logits whose gradient reaches the input image (training skips it: the input is data). */
  logitsWithInputGradient: (x: tf.Tensor4D) => tf.Tensor2D;
  /**
   * Evaluation with every layer's output kept (named as the builder names layers) and the first convolution's sum;
   * their gradients reach the input (where a unit's receptive field is checked).
   */
  look: (x: tf.Tensor4D) => {
    logits: tf.Tensor2D;
    maps: { name: string; map: tf.Tensor4D }[];
    firstZ: tf.Tensor4D | null;
  };
  /** The first layer when it is a convolution (its weights, bias and geometry). */
  firstConv: { spec: ConvLayerSpec; weight: tf.Variable; bias: tf.Variable | null } | null;
  /** Each convolution's filter bank [out, in, k, k] (a residual block's first), by layer name. */
  filters: { name: string; weights: tf.Variable }[];
  dispose: () => void;
}

/** The record key of the first convolution's output before its norm and activation. */
const FIRST_Z = 'first convolution sum';

/** A layer as the builder names it: "Conv 1", "Pool 2", "Residual 3". */
const layerName = (l: CnnLayerSpec, i: number) =>
  `${{ conv: 'Conv', pool: 'Pool', residual: 'Residual' }[l.kind]} ${i + 1}`;

/** A layer's BatchNorms under their names (conv.{i}.norm, or a residual block's norm1, norm2, projection_norm). */
function namedNorms(l: BuiltLayer, i: number): Named<BatchNormParams>[] {
  if ('norm' in l) return l.norm ? [{ name: `conv.${i}.norm`, variable: l.norm }] : [];
  if (!('weights' in l)) return [];
  const w = l.weights;
  return [
    { name: `conv.${i}.norm1`, variable: w.norm1 },
    { name: `conv.${i}.norm2`, variable: w.norm2 },
    ...(w.projection ? [{ name: `conv.${i}.projection_norm`, variable: w.projection.norm }] : []),
  ];
}

/** A layer's trainable tensors under their names, in the order a training step lists them. */
function namedVariables(l: BuiltLayer, i: number): Named<tf.Variable>[] {
  const normVars = (n: Named<BatchNormParams>) => [
    { name: `${n.name}.weight`, variable: n.variable.gain },
    { name: `${n.name}.bias`, variable: n.variable.bias },
  ];
  const [first, second, third] = namedNorms(l, i);
  if ('weight' in l)
    return [
      { name: `conv.${i}.weight`, variable: l.weight },
      ...(l.bias ? [{ name: `conv.${i}.bias`, variable: l.bias }] : []),
      ...(first ? normVars(first) : []),
    ];
  if (!('weights' in l)) return [];
  const w = l.weights;
  return [
    { name: `conv.${i}.conv1.weight`, variable: w.conv1 },
    ...normVars(first),
    { name: `conv.${i}.conv2.weight`, variable: w.conv2 },
    ...normVars(second),
    ...(w.projection ? [{ name: `conv.${i}.projection.weight`, variable: w.projection.conv }, ...normVars(third)] : []),
  ];
}

export function buildCnn(spec: CnnSpec, input: ImageShape, classes: number, seed: number): CnnModel {
  const walked = cnnShapes(spec.layers, input);
  if (!walked.ok) throw new Error(`The network's ${walked.message}.`);
  const rng = new Rng(seed);
  let channels = input.channels;
  const layers: BuiltLayer[] = spec.layers.map((l) => {
    const cin = channels;
    if (l.kind === 'pool') return { spec: l };
    channels = l.filters;
    if (l.kind === 'conv')
      return {
        spec: l,
        weight: filterBank(rng, cin, l.filters, l.kernel, l.activation),
        bias: l.batchNorm ? null : zeros(l.filters),
        norm: l.batchNorm ? makeBatchNorm(l.filters) : null,
      };
    const f = l.filters;
    const projected = l.stride !== 1 || cin !== f;
    return {
      spec: l,
      weights: {
        conv1: filterBank(rng, cin, f, 3, 'relu'),
        norm1: makeBatchNorm(f),
        conv2: filterBank(rng, f, f, 3, 'relu'),
        norm2: makeBatchNorm(f),
        projection: projected ? { conv: filterBank(rng, cin, f, 1, 'linear'), norm: makeBatchNorm(f) } : null,
      },
    };
  });
  const last = walked.shapes.at(-1) ?? input;
  let width = headWidth(spec.head, last);
  const dense: DenseLayer[] = [...spec.dense, { units: classes, activation: 'linear' as Activation, dropout: 0 }].map(
    (d) => {
      const layer = {
        weight: initWeights(rng, [width, d.units], width, d.units, d.activation),
        bias: zeros(d.units),
        activation: d.activation,
        dropout: d.dropout,
      };
      width = d.units;
      return layer;
    },
  );
  const norms = layers.flatMap(namedNorms);
  const named = [
    ...layers.flatMap(namedVariables),
    ...dense.flatMap((d, j) => [
      { name: `dense.${j}.weight`, variable: d.weight },
      { name: `dense.${j}.bias`, variable: d.bias },
    ]),
  ];
  const groups = [
    ...layers.flatMap((l, i) => {
      if ('weight' in l) return [{ name: `conv ${i + 1}`, weights: [l.weight] }];
      if (!('weights' in l)) return [];
      const w = l.weights;
      return [{ name: `residual ${i + 1}`, weights: [w.conv1, w.conv2, ...(w.projection ? [w.projection.conv] : [])] }];
    }),
    ...dense.map((d, j) => ({ name: j === dense.length - 1 ? 'output' : `dense ${j + 1}`, weights: [d.weight] })),
  ];

  /** The forward pass; `record` (evaluation only) sees each layer's output, and the first convolution's before its norm. */
  const run = (
    x: tf.Tensor4D,
    dropoutSeed?: () => number,
    record?: (name: string, t: tf.Tensor4D) => void,
    inputGradient = false,
  ) => {
    const training = dropoutSeed !== undefined;
    const stats: BatchStatistics[] = [];
    const normalise = (z: tf.Tensor4D, p: BatchNormParams) => {
      if (!training) return batchNormEval(z, p);
      const r = batchNormTrain(z, p);
      stats.push(r.stats);
      return r.out;
    };
    let h = x;
    for (const [i, l] of layers.entries()) {
      if ('weight' in l) {
        const s = l.spec;
        const params = { weight: asTfFilter(l.weight), bias: l.bias as tf.Tensor1D | null };
        let z = convolve(h, params, s, h === x && !inputGradient);
        if (i === 0) record?.(FIRST_Z, z);
        if (l.norm) z = normalise(z, l.norm);
        h = activate(z, s.activation);
        if (training && s.dropout > 0) h = tf.dropout(h, s.dropout, undefined, dropoutSeed()) as tf.Tensor4D;
      } else if ('weights' in l) {
        const w = l.weights;
        const params = {
          conv1: asTfFilter(w.conv1),
          norm1: w.norm1,
          conv2: asTfFilter(w.conv2),
          norm2: w.norm2,
          projection: w.projection ? { conv: asTfFilter(w.projection.conv), norm: w.projection.norm } : null,
        };
        const r = residualBlock(h, params, l.spec.stride, training);
        stats.push(...r.stats);
        h = r.out;
      } else {
        h = pool(h, l.spec.pool, l.spec.size, l.spec.stride);
      }
      record?.(layerName(l.spec, i), h);
    }
    // Flattened channels last (h, w, c), as PyTorch's program flattens after permuting to that order.
    let v: tf.Tensor2D = spec.head === 'flatten' ? h.reshape([h.shape[0], -1]) : globalAveragePool(h);
    for (const d of dense) {
      v = activate(v.matMul(d.weight as tf.Tensor2D).add(d.bias), d.activation);
      if (training && d.dropout > 0) v = tf.dropout(v, d.dropout, undefined, dropoutSeed()) as tf.Tensor2D;
    }
    return { logits: v, stats };
  };

  return {
    variables: named.map((n) => n.variable),
    firstConv: layers[0] && 'weight' in layers[0] ? layers[0] : null,
    look: (x) => {
      const maps: { name: string; map: tf.Tensor4D }[] = [];
      let firstZ: tf.Tensor4D | null = null;
      const record = (name: string, t: tf.Tensor4D) => {
        if (name === FIRST_Z) firstZ = t;
        else maps.push({ name, map: t });
      };
      const { logits } = run(x, undefined, record, true);
      return { logits, maps, firstZ };
    },
    filters: layers.flatMap((l, i) => {
      if ('weight' in l) return [{ name: layerName(l.spec, i), weights: l.weight }];
      if ('weights' in l) return [{ name: layerName(l.spec, i), weights: l.weights.conv1 }];
      return [];
    }),
    names: named.map((n) => n.name),
    norms: norms.map((n) => n.variable),
    buffers: norms.flatMap((n) => [
      { name: `${n.name}.running_mean`, variable: n.variable.runningMean },
      { name: `${n.name}.running_var`, variable: n.variable.runningVar },
    ]),
    groups,
    forward: (x, dropoutSeed) => run(x, dropoutSeed),
    logitsWithInputGradient: (x) => run(x, undefined, undefined, true).logits,
    dispose: () =>
      tf.dispose([
        ...named.map((n) => n.variable),
        ...norms.flatMap((n) => [n.variable.runningMean, n.variable.runningVar]),
      ]),
  };
}

/**
 * The CNN as a model of rows: each row of `inputDim` = h·w·c pixels (row by row, channels last) is one image. Keeps
 * the last training batch's BatchNorm statistics until updateBuffers folds them into the running ones.
 */
export function cnnRowModel(spec: CnnSpec, input: ImageShape, classes: number, seed: number): RowModel {
  const cnn = buildCnn(spec, input, classes, seed);
  const asImages = (x: tf.Tensor2D) =>
    x.reshape([x.shape[0], input.height, input.width, input.channels]) as tf.Tensor4D;
  let pending: BatchStatistics[] = [];
  const dropPending = () => {
    tf.dispose(pending.flatMap((s) => [s.mean, s.variance]));
    pending = [];
  };
  return {
    variables: cnn.variables,
    names: cnn.names,
    buffers: cnn.buffers,
    params: cnn.variables.reduce((sum, v) => sum + v.size, 0),
    groups: cnn.groups,
    plain: null,
    withoutNorms: null,
    convolutional: cnn,
    forward(x, dropoutSeed) {
      const { logits, stats } = cnn.forward(asImages(x), dropoutSeed);
      if (dropoutSeed && stats.length) {
        dropPending();
        pending = stats.map((s) => ({ mean: tf.keep(s.mean), variance: tf.keep(s.variance) }));
      }
      return logits;
    },
    updateBuffers() {
      pending.forEach((stats, i) => updateRunningStatistics(cnn.norms[i], stats));
      dropPending();
    },
    predict: (x) => tf.tidy(() => cnn.forward(asImages(x)).logits),
    outputsWithInputGradient: (x) => cnn.logitsWithInputGradient(asImages(x)),
    dispose() {
      dropPending();
      cnn.dispose();
    },
  };
}
