// tfjs-wasm's matmul packs its second operand and its bias once per tensor and keeps the packed
// copy for that tensor's life (XNNPACK's operator cache, keyed by the tensor's id). The plain step
// (Optimizer.stepInPlace) writes weights in their own memory, which that cache cannot see: without
// this, a wasm matmul by a weight updated in place kept using its old values (the decision
// boundary froze at the first epoch it was drawn). So a weight written in place reaches the wasm
// matmul as a fresh copy, packed now and dropped with the copy. That costs a copy per matmul
// outside the plain step (evaluation, views), never one per training step.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm'; // its kernels must be registered before they are wrapped
import { heapView, newOutput } from './memory';

const writtenInPlace = new WeakSet<object>();

/** Note that `t`'s memory was changed without a new tensor (see the top of this file). */
export function markWrittenInPlace(t: tf.TensorInfo): void {
  writtenInPlace.add(t.dataId);
}

/** The inputs the wasm matmul caches packed: its second operand and its bias. */
const CACHED_INPUTS = ['b', 'bias'] as const;

function copyOf(backend: tf.KernelBackend, t: tf.TensorInfo): tf.TensorInfo {
  const copy = newOutput(backend, t);
  heapView(backend, copy).set(heapView(backend, t));
  return copy;
}

for (const kernelName of ['BatchMatMul', '_FusedMatMul']) {
  const original = tf.getKernel(kernelName, 'wasm');
  if (!original) continue;
  const kernelFunc: tf.KernelFunc = (args) => {
    const stale = CACHED_INPUTS.filter((k) => args.inputs[k] && writtenInPlace.has(args.inputs[k].dataId));
    if (!stale.length) return original.kernelFunc(args);
    const backend = args.backend as tf.KernelBackend;
    const copies = Object.fromEntries(stale.map((k) => [k, copyOf(backend, args.inputs[k]!)]));
    try {
      return original.kernelFunc({ ...args, inputs: { ...args.inputs, ...copies } });
    } finally {
      for (const c of Object.values(copies)) backend.disposeData(c.dataId);
    }
  };
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ ...original, kernelFunc });
}
