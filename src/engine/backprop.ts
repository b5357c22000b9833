// Backpropagation by hand for one example through an MLP, in plain JavaScript (no tfjs), so the
// step-mode view can show every number; each activation's derivative sits next to its forward.
import type { Activation, ClassificationLoss } from '../experiment/types';
import { outputLossGradient } from './outputLoss';

export interface DenseWeights {
  inputs: number;
  outputs: number;
  activation: Activation;
  /** Row-major [inputs × outputs]: weights[i * outputs + j] connects input i to unit j. */
  weights: Float32Array | number[];
  bias: Float32Array | number[];
}

export const GELU_C = Math.sqrt(2 / Math.PI);
/** LeakyReLU's slope below zero (PyTorch's default). */
export const LEAKY_SLOPE = 0.01;

/** f(z) and f'(z) for each activation. */
export const ACTIVATION_FNS: Record<Activation, { f: (z: number) => number; df: (z: number) => number }> = {
  linear: { f: (z) => z, df: () => 1 },
  relu: { f: (z) => Math.max(0, z), df: (z) => (z > 0 ? 1 : 0) },
  tanh: { f: (z) => Math.tanh(z), df: (z) => 1 - Math.tanh(z) ** 2 },
  sigmoid: {
    f: (z) => 1 / (1 + Math.exp(-z)),
    df: (z) => {
      const s = 1 / (1 + Math.exp(-z));
      return s * (1 - s);
    },
  },
  // PyTorch's defaults: LeakyReLU's slope 0.01 below zero, ELU's α = 1.
  leakyRelu: { f: (z) => (z > 0 ? z : LEAKY_SLOPE * z), df: (z) => (z > 0 ? 1 : LEAKY_SLOPE) },
  elu: { f: (z) => (z > 0 ? z : Math.expm1(z)), df: (z) => (z > 0 ? 1 : Math.exp(z)) },
  // SiLU (swish): z·σ(z), derivative σ(z)·(1 + z·(1 − σ(z))).
  silu: {
    f: (z) => z / (1 + Math.exp(-z)),
    df: (z) => {
      const s = 1 / (1 + Math.exp(-z));
      return s * (1 + z * (1 - s));
    },
  },
  // tanh approximation, as in engine/mlp.ts: ½z(1 + tanh(u)), u = c(z + 0.044715z³)
  gelu: {
    f: (z) => 0.5 * z * (1 + Math.tanh(GELU_C * (z + 0.044715 * z ** 3))),
    df: (z) => {
      const t = Math.tanh(GELU_C * (z + 0.044715 * z ** 3));
      return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * z * z);
    },
  },
};

export interface Backprop {
  /** Per layer: inputs a_{l−1}, pre-activations z_l and outputs a_l. */
  inputs: number[][];
  z: number[][];
  a: number[][];
  loss: number;
  /** Per layer: dL/da_l (upstream), dL/dz_l = dL/da_l · f'(z_l), dL/dW_l, dL/db_l. */
  dA: number[][];
  dZ: number[][];
  dW: number[][];
  dB: number[][];
}

export type BackpropTask = 'binary' | 'regression' | 'multiclass';

/**
 * Forward then backward for one example. Binary tasks use sigmoid cross-entropy on the output
 * logit (so dL/dz = σ(z) − y), several classes softmax cross-entropy (dL/dz = softmax(z) − onehot(y)),
 * regression the squared error (dL/dz = 2(z − y)); a classifier trained on the squared error of
 * its probabilities has that loss instead (outputLoss.ts).
 */
export function backprop(
  layers: DenseWeights[],
  input: ArrayLike<number>,
  target: number,
  task: BackpropTask,
  lossKind: ClassificationLoss = 'crossEntropy',
): Backprop {
  const inputs: number[][] = [];
  const z: number[][] = [];
  const a: number[][] = [];
  let h = Array.from(input);
  for (const l of layers) {
    inputs.push(h);
    const zl = Array.from({ length: l.outputs }, (_, j) => {
      let s = l.bias[j];
      for (let i = 0; i < l.inputs; i++) s += h[i] * l.weights[i * l.outputs + j];
      return s;
    });
    z.push(zl);
    h = zl.map(ACTIVATION_FNS[l.activation].f);
    a.push(h);
  }
  const outputs = a[a.length - 1];
  // The output layer is linear; its upstream gradient is the loss's derivative in its output.
  let upstream = outputs.slice();
  const loss = outputLossGradient(task, lossKind, upstream, 0, outputs.length, target, 1);
  const dA: number[][] = new Array<number[]>(layers.length);
  const dZ: number[][] = new Array<number[]>(layers.length);
  const dW: number[][] = new Array<number[]>(layers.length);
  const dB: number[][] = new Array<number[]>(layers.length);
  for (let l = layers.length - 1; l >= 0; l--) {
    const layer = layers[l];
    dA[l] = upstream;
    dZ[l] = upstream.map((g, j) => g * ACTIVATION_FNS[layer.activation].df(z[l][j]));
    dB[l] = dZ[l];
    dW[l] = Array.from(
      { length: layer.inputs * layer.outputs },
      (_, k) => inputs[l][Math.floor(k / layer.outputs)] * dZ[l][k % layer.outputs],
    );
    upstream = Array.from({ length: layer.inputs }, (_, i) => {
      let s = 0;
      for (let j = 0; j < layer.outputs; j++) s += layer.weights[i * layer.outputs + j] * dZ[l][j];
      return s;
    });
  }
  return { inputs, z, a, loss, dA, dZ, dW, dB };
}

/** The chain rule for one weight W_l[i→j]: dL/dw = dL/da_j · f'(z_j) · a_i. */
export function chainRule(bp: Backprop, layers: DenseWeights[], l: number, i: number, j: number) {
  const upstream = bp.dA[l][j];
  const local = ACTIVATION_FNS[layers[l].activation].df(bp.z[l][j]);
  const input = bp.inputs[l][i];
  return { upstream, local, input, product: upstream * local * input };
}
