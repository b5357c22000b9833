// A convolutional network built from its spec: weights drawn from the seed in JavaScript (the same numbers on every
// backend), and its forward pass on images [n, h, w, channels] to logits. Training passes hand back each
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
import { batchNormEval, batchNormTrain, type BatchNormParams, type BatchStatistics } from './batchNorm';
import { convolve, globalAveragePool, pool, residualBlock, type ResidualParams } from './conv';

const RECTIFIERS = new Set<Activation>(['relu', 'leakyRelu', 'elu', 'silu', 'gelu']);

/** He-uniform for the rectifiers, Glorot-uniform otherwise, with a convolution's fans (kernel² × channels). */
function initWeights(rng: Rng, shape: number[], fanIn: number, fanOut: number, activation: Activation): tf.Variable {
  const limit = RECTIFIERS.has(activation) ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
  const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
  values.forEach((_, i) => (values[i] = rng.uniform(-limit, limit)));
  return tf.tidy(() => tf.variable(tf.tensor(values, shape)));
}

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

type BuiltLayer =
  | { spec: ConvLayerSpec; weight: tf.Variable; bias: tf.Variable | null; norm: BatchNormParams | null }
  | { spec: Extract<CnnLayerSpec, { kind: 'pool' }> }
  | { spec: Extract<CnnLayerSpec, { kind: 'residual' }>; params: ResidualParams };

interface DenseLayer {
  weight: tf.Variable;
  bias: tf.Variable;
  activation: Activation;
  dropout: number;
}

export interface CnnModel {
  /** Trainable, in a fixed order: each layer's weights, bias, BatchNorm gains and biases; then the dense layers'. */
  variables: tf.Variable[];
  /** Each BatchNorm's running statistics, in the order a training pass returns its batch statistics. */
  norms: BatchNormParams[];
  /**
   * Logits [n, classes] of images [n, h, w, channels]. Training (a dropout seed given) normalises by the batch and
   * returns its statistics, one per entry of `norms`; evaluation uses the running statistics and returns none.
   */
  forward: (x: tf.Tensor4D, dropoutSeed?: () => number) => { logits: tf.Tensor2D; stats: BatchStatistics[] };
  dispose: () => void;
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
    if (l.kind === 'conv') {
      const k = l.kernel;
      const weight = initWeights(rng, [k, k, cin, l.filters], k * k * cin, k * k * l.filters, l.activation);
      return {
        spec: l,
        weight,
        bias: l.batchNorm ? null : zeros(l.filters),
        norm: l.batchNorm ? makeBatchNorm(l.filters) : null,
      };
    }
    const f = l.filters;
    const projected = l.stride !== 1 || cin !== f;
    return {
      spec: l,
      params: {
        conv1: initWeights(rng, [3, 3, cin, f], 9 * cin, 9 * f, 'relu') as tf.Tensor4D,
        norm1: makeBatchNorm(f),
        conv2: initWeights(rng, [3, 3, f, f], 9 * f, 9 * f, 'relu') as tf.Tensor4D,
        norm2: makeBatchNorm(f),
        projection: projected
          ? { conv: initWeights(rng, [1, 1, cin, f], cin, f, 'linear') as tf.Tensor4D, norm: makeBatchNorm(f) }
          : null,
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
  const norms: BatchNormParams[] = layers.flatMap((l) => {
    if ('norm' in l) return l.norm ? [l.norm] : [];
    if ('params' in l)
      return [l.params.norm1, l.params.norm2, ...(l.params.projection ? [l.params.projection.norm] : [])];
    return [];
  });
  const variables: tf.Variable[] = [
    ...layers.flatMap((l) => {
      if ('weight' in l) return [l.weight, ...(l.bias ? [l.bias] : []), ...(l.norm ? [l.norm.gain, l.norm.bias] : [])];
      if ('params' in l) {
        const p = l.params;
        const normVars = (n: BatchNormParams) => [n.gain, n.bias];
        return [
          p.conv1 as tf.Variable,
          ...normVars(p.norm1),
          p.conv2 as tf.Variable,
          ...normVars(p.norm2),
          ...(p.projection ? [p.projection.conv as tf.Variable, ...normVars(p.projection.norm)] : []),
        ];
      }
      return [];
    }),
    ...dense.flatMap((d) => [d.weight, d.bias]),
  ];

  const forward = (x: tf.Tensor4D, dropoutSeed?: () => number) => {
    const training = dropoutSeed !== undefined;
    const stats: BatchStatistics[] = [];
    const normalise = (z: tf.Tensor4D, p: BatchNormParams) => {
      if (!training) return batchNormEval(z, p);
      const r = batchNormTrain(z, p);
      stats.push(r.stats);
      return r.out;
    };
    let h = x;
    for (const l of layers) {
      if ('weight' in l) {
        const s = l.spec;
        const params = { weight: l.weight as tf.Tensor4D, bias: l.bias as tf.Tensor1D | null };
        let z = convolve(h, params, s, h === x);
        if (l.norm) z = normalise(z, l.norm);
        h = activate(z, s.activation);
        if (training && s.dropout > 0) h = tf.dropout(h, s.dropout, undefined, dropoutSeed()) as tf.Tensor4D;
      } else if ('params' in l) {
        const r = residualBlock(h, l.params, l.spec.stride, training);
        stats.push(...r.stats);
        h = r.out;
      } else {
        h = pool(h, l.spec.pool, l.spec.size, l.spec.stride);
      }
    }
    let v: tf.Tensor2D = spec.head === 'flatten' ? h.reshape([h.shape[0], -1]) : globalAveragePool(h);
    for (const d of dense) {
      v = activate(v.matMul(d.weight as tf.Tensor2D).add(d.bias), d.activation);
      if (training && d.dropout > 0) v = tf.dropout(v, d.dropout, undefined, dropoutSeed()) as tf.Tensor2D;
    }
    return { logits: v, stats };
  };

  return {
    variables,
    norms,
    forward,
    dispose: () => tf.dispose([...variables, ...norms.flatMap((n) => [n.runningMean, n.runningVar])]),
  };
}
