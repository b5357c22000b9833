import * as tf from '@tensorflow/tfjs';
import { residualLayers, type Activation, type InitKind, type MlpSpec } from '../spec/types';
import { Rng } from '../data/rng';
import { activate } from './activations';
import { layerNorm } from './attention';
import { linear, type FusedActivation } from './linear';
import { hostMlpForward, hostMlpSuits } from './kernels/mlpHost';

export interface DenseParams {
  name: string;
  kernel: tf.Variable;
  bias: tf.Variable;
  activation: Activation;
  dropout: number;
  /** LayerNorm's gain and bias, between x·W + b and the activation; null without. */
  norm: { gain: tf.Variable; bias: tf.Variable } | null;
  /** The layer adds its input to its output (its input is as wide as it is). */
  residual: boolean;
}

export interface Mlp {
  layers: DenseParams[];
  /** Only x·W + b and an activation per layer: what the host step and step mode compute by hand. */
  plain: boolean;
  variables: tf.Variable[];
  /** Each variable's stable name, in the same order: layers.{i}.weight ([in, out]) and layers.{i}.bias. */
  names: string[];
  /** Weights and biases in all. */
  params: number;
  /** Raw outputs (logits or regression values), shape [n, outputDim]. */
  forward: (x: tf.Tensor2D, dropoutSeed?: () => number) => tf.Tensor2D;
  /** The same outputs for evaluation (no dropout, no gradient): one kernel where the model is small enough. */
  predict: (x: tf.Tensor2D) => tf.Tensor2D;
  dispose: () => void;
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
 * With LayerNorm, x·W + b is normalised before the activation; a residual layer adds x after it.
 */
function dense(x: tf.Tensor2D, l: DenseParams, inputIsData: boolean): tf.Tensor2D {
  if (l.norm) {
    const z = linear(x, l.kernel as unknown as tf.Tensor2D, l.bias as unknown as tf.Tensor1D, {
      inputNeedsGrad: !inputIsData,
      oncePerStep: true,
    });
    const normed = layerNorm(z, l.norm.gain as unknown as tf.Tensor1D, l.norm.bias as unknown as tf.Tensor1D);
    return activate(normed as tf.Tensor2D, l.activation);
  }
  const fused = FUSABLE[l.activation];
  const z = linear(x, l.kernel as unknown as tf.Tensor2D, l.bias as unknown as tf.Tensor1D, {
    activation: fused ?? 'linear',
    inputNeedsGrad: !inputIsData,
    oncePerStep: true,
  });
  return fused ? z : activate(z, l.activation);
}

/** The rectifier family, which zeroes (or nearly) half its inputs: He's scale keeps the variance. */
const HE_INIT = new Set<Activation>(['relu', 'leakyRelu', 'elu', 'silu', 'gelu']);

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
    const bias = tf.tidy(() => tf.variable(tf.zeros([s.units])));
    const hiddenLayer = s.name !== 'output';
    const norm =
      hiddenLayer && spec.norm === 'layerNorm'
        ? {
            gain: tf.tidy(() => tf.variable(tf.ones([s.units]))),
            bias: tf.tidy(() => tf.variable(tf.zeros([s.units]))),
          }
        : null;
    const residual = hiddenLayer && residualAt[i] === true;
    fanIn = s.units;
    return { name: s.name, kernel, bias, activation: s.activation, dropout: s.dropout, norm, residual };
  });
  const variables = layers.flatMap((l) => [l.kernel, l.bias, ...(l.norm ? [l.norm.gain, l.norm.bias] : [])]);
  const plain = layers.every((l) => !l.norm && !l.residual);
  const params = variables.reduce((sum, v) => sum + v.size, 0);
  const forward = (x: tf.Tensor2D, dropoutSeed?: () => number) => {
    let h = x;
    for (const [i, l] of layers.entries()) {
      const input = h;
      h = dense(h, l, i === 0);
      if (dropoutSeed && l.dropout > 0) h = tf.dropout(h, l.dropout, undefined, dropoutSeed()) as tf.Tensor2D;
      if (l.residual) h = h.add(input);
    }
    return h;
  };
  return {
    layers,
    plain,
    variables,
    names: layers.flatMap((l, i) => [
      `layers.${i}.weight`,
      `layers.${i}.bias`,
      ...(l.norm ? [`layers.${i}.norm.weight`, `layers.${i}.norm.bias`] : []),
    ]),
    params,
    forward,
    predict: (x) => (plain && hostMlpSuits(params, x.shape[0]) ? hostMlpForward(x, layers) : forward(x)),
    dispose() {
      variables.forEach((v) => v.dispose());
    },
  };
}
