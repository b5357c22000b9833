// log softmax(z)[target] per row, the cross-entropy every classifier and language model here
// trains on, as one kernel each way on the backends whose memory is the CPU's: a loop over the
// rows (in double precision), where tfjs' logSoftmax, oneHot, multiply and sum make about ten
// kernels forward and as many backward, each ~20 µs of overhead on wasm for a 64×10 batch.
// Elsewhere (webgpu, webgl) the same in tf ops.
import * as tf from '@tensorflow/tfjs';
import { fastPathsOn, heapView, newOutput } from './tfjsInternals';

const FORWARD = 'PlaygroundTargetLogProbs';
const BACKWARD = 'PlaygroundTargetLogProbsGrad';

/** log softmax(logits)[i, targets[i]] for each row i: logits [N, C], targets [N] (class indices). */
export function targetLogProbs(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  if (!tf.getKernel(FORWARD, tf.getBackend()) || !fastPathsOn()) {
    const classes = logits.shape[1];
    return tf.logSoftmax(logits).mul(tf.oneHot(targets.toInt(), classes)).sum(1) as tf.Tensor1D;
  }
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [z, save] = args as [tf.Tensor, tf.GradSaveFunc];
    const [logProbs, probs] = tf.engine().runKernel(FORWARD, { logits: z, targets }) as tf.Tensor[];
    // targets too: a tidy around the loss may free them before the backward pass runs.
    save([probs, targets]);
    return {
      value: logProbs,
      // ∂ log p[t] / ∂ z[c] = [c = t] − p[c], times each row's incoming gradient.
      gradFunc: (dy: tf.Tensor, [p, t]: tf.Tensor[]) =>
        tf.engine().runKernel(BACKWARD, { dy, probs: p, targets: t }) as tf.Tensor,
    };
  });
  return op(logits) as tf.Tensor1D;
}

interface Args {
  inputs: tf.NamedTensorMap;
  backend: tf.KernelBackend;
}

/** [log p[t] per row, p (the softmax)]. */
function forward({ inputs, backend }: Args): tf.TensorInfo[] {
  const { logits, targets } = inputs;
  const [n, c] = logits.shape;
  const logProbsOut = newOutput(backend, logits, [n]);
  const probsOut = newOutput(backend, logits, [n, c]);
  const z = heapView(backend, logits);
  const t = heapView<Float32Array | Int32Array>(backend, targets);
  const [logProbs, probs] = [heapView(backend, logProbsOut), heapView(backend, probsOut)];
  for (let i = 0; i < n; i++) {
    const row = i * c;
    let max = -Infinity;
    for (let j = 0; j < c; j++) max = Math.max(max, z[row + j]);
    let sum = 0;
    for (let j = 0; j < c; j++) sum += Math.exp(z[row + j] - max);
    const logSum = max + Math.log(sum);
    for (let j = 0; j < c; j++) probs[row + j] = Math.exp(z[row + j] - logSum);
    // A target outside 0 … C−1 picks nothing, as its all-zero one-hot row does in tf ops.
    logProbs[i] = t[i] >= 0 && t[i] < c ? z[row + t[i]] - logSum : 0;
  }
  return [logProbsOut, probsOut];
}

/** dz[i, j] = dy[i] · ([j = t[i]] − p[i, j]) (0 where t[i] is outside the classes). */
function backward({ inputs, backend }: Args): tf.TensorInfo {
  const { dy, probs, targets } = inputs;
  const [n, c] = probs.shape;
  const out = newOutput(backend, probs);
  const [g, p, t, dz] = [
    heapView(backend, dy),
    heapView(backend, probs),
    heapView<Float32Array | Int32Array>(backend, targets),
    heapView(backend, out),
  ];
  for (let i = 0; i < n; i++) {
    const row = i * c;
    const picked = t[i] >= 0 && t[i] < c;
    for (let j = 0; j < c; j++) dz[row + j] = picked ? -g[i] * p[row + j] : 0;
    if (picked) dz[row + t[i]] += g[i];
  }
  return out;
}

for (const backendName of ['cpu', 'wasm']) {
  tf.registerKernel({ kernelName: FORWARD, backendName, kernelFunc: forward as unknown as tf.KernelFunc });
  tf.registerKernel({ kernelName: BACKWARD, backendName, kernelFunc: backward as unknown as tf.KernelFunc });
}
