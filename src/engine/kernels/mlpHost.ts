// A small MLP computed whole in plain JavaScript on the backends whose memory is the CPU's (cpu,
// wasm): a forward pass as one kernel (evaluation), and a training batch's loss and gradients read
// straight from the tensors' memory (the Trainer's step on such a model: no tf kernel at all).
// The models people teach with (2-8-8-1 on a circle, 3×8 on a spiral) do a few hundred FLOPs per
// example, so a step written as tf ops was ~100–175 kernels of 10–30 µs each doing almost nothing.
// The maths is step mode's (engine/backprop.ts) over a batch, with tfjs' conventions where they
// differ from the textbook (|w|′ at 0 is −1).
import * as tf from '@tensorflow/tfjs';
import type { Activation, ClassificationLoss } from '../../experiment/types';
import { ACTIVATION_FNS } from '../backprop';
import type { Task } from '../losses';
import { outputLossGradient } from '../outputLoss';
import { fastPathsOn, heapView, newOutput } from './tfjsInternals';

const FORWARD = 'PlaygroundMlpForward';

/**
 * Parameters × rows up to which the plain-JavaScript pass is used on wasm, whose SIMD matmul wins on
 * big layers. Set between two measured points (npm run bench): the default MLP (~100 parameters ×
 * 16 rows) trains ~4× faster this way on wasm, while the MNIST MLP (101,770 × 64) is faster as tf
 * kernels; where exactly between them the two cross is not measured. The cpu backend's own matmul
 * is a JavaScript loop too, so there the plain pass is always used.
 */
export const HOST_MLP_WORK_LIMIT: Record<string, number> = { cpu: Infinity, wasm: 200_000 };

export interface HostLayer {
  kernel: tf.Tensor;
  bias: tf.Tensor;
  activation: Activation;
}

/** Whether the active backend can run `params` weights over `rows` rows as one kernel, and should. */
export function hostMlpSuits(params: number, rows: number): boolean {
  const backend = tf.getBackend();
  return (
    tf.getKernel(FORWARD, backend) !== undefined &&
    params * rows <= (HOST_MLP_WORK_LIMIT[backend] ?? 0) &&
    fastPathsOn()
  );
}

const weightInputs = (layers: HostLayer[]) =>
  Object.fromEntries(layers.flatMap((l, i) => [[`w${i}`, l.kernel] as const, [`b${i}`, l.bias] as const]));

/** The raw outputs of `x` (no dropout, no gradient). */
export function hostMlpForward(x: tf.Tensor2D, layers: HostLayer[]): tf.Tensor2D {
  const attrs = { activations: layers.map((l) => l.activation) };
  return tf.engine().runKernel(FORWARD, { x, ...weightInputs(layers) }, attrs) as tf.Tensor2D;
}

/**
 * The mean loss over rows rows[from … from+count) of (x, y), plus λ₁Σ|W| + λ₂ΣW², and its
 * gradient in every kernel and bias (layer order: kernel, bias, kernel, bias…), computed from the
 * tensors' memory without a kernel. Only on cpu and wasm (see hostMlpSuits).
 */
export function hostMlpGradients(
  data: { x: tf.Tensor2D; y: tf.Tensor1D; rows: tf.Tensor1D; from: number; count: number },
  layers: HostLayer[],
  task: { task: Task; loss: ClassificationLoss },
  penalty: { l1: number; l2: number },
): { loss: number; grads: Float32Array[] } {
  const backend = tf.backend();
  const dense = layers.map((l) => denseOf(backend, l.kernel as tf.Tensor2D, l.bias, l.activation));
  const rows = heapView<Int32Array>(backend, data.rows).subarray(data.from, data.from + data.count);
  const grads = layers.flatMap((l) => [new Float32Array(l.kernel.size), new Float32Array(l.bias.size)]);
  const x = heapView(backend, data.x);
  const y = heapView(backend, data.y);
  const loss = batchGradients(dense, x, (r) => y[rows[r]], rows, task, penalty, grads);
  return { loss, grads };
}

interface Dense {
  inputs: number;
  outputs: number;
  w: Float32Array;
  b: Float32Array;
  activation: Activation;
}

function denseOf(backend: tf.KernelBackend, w: tf.TensorInfo, b: tf.TensorInfo, activation: Activation): Dense {
  return { inputs: w.shape[0], outputs: w.shape[1], w: heapView(backend, w), b: heapView(backend, b), activation };
}

/** a = f(z) over a layer (one loop per activation: a call per element costs more than the maths). */
function activate(activation: Activation, z: Float64Array, a: Float64Array): void {
  const n = z.length;
  if (activation === 'relu') for (let k = 0; k < n; k++) a[k] = z[k] > 0 ? z[k] : 0;
  else if (activation === 'tanh') for (let k = 0; k < n; k++) a[k] = Math.tanh(z[k]);
  else if (activation === 'sigmoid') for (let k = 0; k < n; k++) a[k] = 1 / (1 + Math.exp(-z[k]));
  else if (activation === 'linear') a.set(z);
  else for (let k = 0; k < n; k++) a[k] = ACTIVATION_FNS[activation].f(z[k]);
}

/** d ← d · f′(z), with f′ from the outputs a where that is cheaper (tanh: 1 − a², sigmoid: a(1 − a)). */
function timesDerivative(activation: Activation, d: Float64Array, z: Float64Array, a: Float64Array): void {
  const n = d.length;
  if (activation === 'relu') for (let k = 0; k < n; k++) d[k] = z[k] > 0 ? d[k] : 0;
  else if (activation === 'tanh') for (let k = 0; k < n; k++) d[k] *= 1 - a[k] * a[k];
  else if (activation === 'sigmoid') for (let k = 0; k < n; k++) d[k] *= a[k] * (1 - a[k]);
  else if (activation !== 'linear') for (let k = 0; k < n; k++) d[k] *= ACTIVATION_FNS[activation].df(z[k]);
}

/**
 * Scratch arrays reused from call to call, one per role and length: a small step allocates ~20
 * arrays, and V8 takes 1–2 µs for each new typed array (measured here), more than such a step's
 * arithmetic. Each role's array is used up within one call; nothing returned points into them.
 */
const scratchArrays = new Map<string, Float64Array>();
/** Longer arrays are made afresh: their allocation is small beside their arithmetic, and none stays held. */
const SCRATCH_MAX = 65_536;
function scratch(role: string, length: number): Float64Array {
  if (length > SCRATCH_MAX) return new Float64Array(length);
  const key = `${role}:${length}`;
  let a = scratchArrays.get(key);
  if (!a) scratchArrays.set(key, (a = new Float64Array(length)));
  return a;
}

/** Rows `rows` of x (each `width` wide) as one dense block, so every layer reads its input alike. */
function gatherInputs(x: Float32Array, width: number, rows: ArrayLike<number>): Float64Array {
  const out = scratch('input', rows.length * width);
  for (let r = 0; r < rows.length; r++) {
    const from = rows[r] * width;
    for (let i = 0; i < width; i++) out[r * width + i] = x[from + i];
  }
  return out;
}

/** Pre-activations z and outputs a of every layer, one [rows × outputs] array each, for the input block. */
function forwardPass(layers: Dense[], input: Float64Array) {
  const rows = input.length / layers[0].inputs;
  const z: Float64Array[] = [];
  const a: Float64Array[] = [];
  let h = input;
  layers.forEach(({ inputs, outputs, w, b, activation }, l) => {
    const zl = scratch(`z${l}`, rows * outputs);
    for (let r = 0; r < rows; r++) {
      const o = r * outputs;
      const inAt = r * inputs;
      for (let j = 0; j < outputs; j++) zl[o + j] = b[j];
      for (let i = 0; i < inputs; i++) {
        const hi = h[inAt + i];
        if (hi === 0) continue;
        const wi = i * outputs;
        for (let j = 0; j < outputs; j++) zl[o + j] += hi * w[wi + j];
      }
    }
    const al = scratch(`a${l}`, rows * outputs);
    activate(activation, zl, al);
    z.push(zl);
    a.push(al);
    h = al;
  });
  return { z, a };
}

interface ForwardArgs {
  inputs: tf.NamedTensorMap;
  backend: tf.KernelBackend;
  attrs: { activations: Activation[] };
}

function forwardKernel({ inputs, backend, attrs }: ForwardArgs): tf.TensorInfo {
  const rows = inputs.x.shape[0];
  const last = inputs[`w${attrs.activations.length - 1}`] as tf.Tensor2D;
  const out = newOutput(backend, inputs.x, [rows, last.shape[1]]);
  const layers = attrs.activations.map((act, i) => denseOf(backend, inputs[`w${i}`], inputs[`b${i}`], act));
  const x = heapView(backend, inputs.x);
  const input = scratch('input', rows * layers[0].inputs);
  input.set(x.subarray(0, input.length));
  const { a } = forwardPass(layers, input);
  heapView(backend, out).set(a[a.length - 1]);
  return out;
}

/** dL/dz of the mean loss at the output layer, for each row, in place of the outputs; returns the mean loss. */
function outputGradient(
  task: Task,
  loss: ClassificationLoss,
  out: Float64Array,
  classes: number,
  target: (r: number) => number,
): number {
  const rows = out.length / classes;
  let sum = 0;
  for (let r = 0; r < rows; r++) sum += outputLossGradient(task, loss, out, r * classes, classes, target(r), 1 / rows);
  return sum / rows;
}

/** Fills `grads` (kernel, bias per layer) for the rows `rows` of x; returns the batch's mean loss plus the penalty. */
function batchGradients(
  layers: Dense[],
  x: Float32Array,
  target: (r: number) => number,
  rows: Int32Array,
  { task, loss }: { task: Task; loss: ClassificationLoss },
  { l1, l2 }: { l1: number; l2: number },
  grads: Float32Array[],
): number {
  const count = rows.length;
  const input = gatherInputs(x, layers[0].inputs, rows);
  const { z, a } = forwardPass(layers, input);
  const top = layers.length - 1;
  // The output layer is linear: its dL/dz is the loss's derivative, computed in place of its outputs.
  let dZ = a[top];
  let value = outputGradient(task, loss, dZ, layers[top].outputs, target);
  for (let l = top; l >= 0; l--) {
    const { inputs: nIn, outputs: nOut, w, activation } = layers[l];
    if (l < top) timesDerivative(activation, dZ, z[l], a[l]);
    const gW = scratch('gW', nIn * nOut).fill(0);
    const gB = scratch('gB', nOut).fill(0);
    const h = l > 0 ? a[l - 1] : input;
    // Alternating roles: the next layer's dZ must not be the array this one reads dZ from.
    const upstream = l > 0 ? scratch(`up${l % 2}`, count * nIn) : null;
    for (let r = 0; r < count; r++) {
      const o = r * nOut;
      const inAt = r * nIn;
      for (let j = 0; j < nOut; j++) gB[j] += dZ[o + j];
      for (let i = 0; i < nIn; i++) {
        const hi = h[inAt + i];
        const wi = i * nOut;
        let up = 0;
        for (let j = 0; j < nOut; j++) {
          gW[wi + j] += hi * dZ[o + j];
          up += w[wi + j] * dZ[o + j];
        }
        if (upstream) upstream[inAt + i] = up;
      }
    }
    const dW = grads[2 * l];
    for (let k = 0; k < gW.length; k++) {
      const wk = w[k];
      // tfjs differentiates |w| as 1 for w > 0 and −1 otherwise.
      if (l1 > 0) value += l1 * Math.abs(wk);
      if (l2 > 0) value += l2 * wk * wk;
      dW[k] = gW[k] + (l1 > 0 ? l1 * (wk > 0 ? 1 : -1) : 0) + 2 * l2 * wk;
    }
    grads[2 * l + 1].set(gB);
    if (upstream) dZ = upstream;
  }
  return value;
}

for (const backendName of ['cpu', 'wasm']) {
  tf.registerKernel({ kernelName: FORWARD, backendName, kernelFunc: forwardKernel as unknown as tf.KernelFunc });
}
