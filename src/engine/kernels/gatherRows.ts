// Picks a batch's rows out of data already on the backend. On cpu and wasm it copies whole rows
// (tfjs' generic gather works element by element: about 5× slower for a batch of MNIST digits
// on wasm); elsewhere it is tf.gather. Data rows only: it has no gradient.
import * as tf from '@tensorflow/tfjs';
import { fastPathsOn, heapView, newOutput } from './tfjsInternals';

const KERNEL = 'PlaygroundGatherRows';

/** Rows `indices` of `x` (along the first axis). */
export function gatherRows<T extends tf.Tensor>(x: T, indices: tf.Tensor1D): T {
  if (!tf.getKernel(KERNEL, tf.getBackend()) || !fastPathsOn()) return tf.gather(x, indices) as T;
  return tf.engine().runKernel(KERNEL, { x, indices }) as T;
}

function copyRows({
  inputs,
  backend,
}: {
  inputs: { x: tf.TensorInfo; indices: tf.TensorInfo };
  backend: tf.KernelBackend;
}): tf.TensorInfo {
  const { x, indices } = inputs;
  const k = indices.shape[0];
  const row = tf.util.sizeFromShape(x.shape.slice(1));
  const out = newOutput(backend, x, [k, ...x.shape.slice(1)]);
  const src = heapView<Float32Array | Int32Array>(backend, x);
  const dst = heapView<Float32Array | Int32Array>(backend, out);
  const idx = heapView<Int32Array>(backend, indices);
  for (let i = 0; i < k; i++) dst.set(src.subarray(idx[i] * row, (idx[i] + 1) * row), i * row);
  return out;
}

for (const backendName of ['cpu', 'wasm']) {
  tf.registerKernel({ kernelName: KERNEL, backendName, kernelFunc: copyRows as unknown as tf.KernelFunc });
}
