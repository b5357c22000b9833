// tfjs-wasm's matmul packs its second operand and its bias once per tensor and keeps the packed
// copy for that tensor's life (XNNPACK's operator cache, keyed by the id the backend registered
// the tensor's memory under). Our optimizer steps on wasm write weights in their own memory, which
// that cache cannot see: without this, a matmul by a weight updated in place kept using its old
// values (the decision boundary froze at the first epoch it was drawn). So a write is noted (a
// set entry, nothing more: tiny models take a step in tens of microseconds), and the next wasm
// matmul that takes the tensor as its packed operand first registers it again under a new id:
// the stale packed copy is dropped, the new values are packed once and kept until the next write,
// as for a new tensor. Nothing is copied.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm'; // its kernels must be registered before they are wrapped
import { registerWasmTensorAgain } from './tfjsInternals';

const writtenInPlace = new WeakSet<object>();

/** Note that `t`'s memory was changed in place (see the top of this file). */
export function markWrittenInPlace(t: tf.TensorInfo): void {
  writtenInPlace.add(t.dataId);
}

/** The inputs the wasm matmul caches packed: its second operand and its bias. */
const CACHED_INPUTS = ['b', 'bias'] as const;

for (const kernelName of ['BatchMatMul', '_FusedMatMul']) {
  const original = tf.getKernel(kernelName, 'wasm');
  if (!original) continue;
  const kernelFunc: tf.KernelFunc = (args) => {
    for (const k of CACHED_INPUTS) {
      const input = args.inputs[k];
      if (!input || !writtenInPlace.has(input.dataId)) continue;
      registerWasmTensorAgain(args.backend as tf.KernelBackend, input);
      writtenInPlace.delete(input.dataId);
    }
    return original.kernelFunc(args);
  };
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ ...original, kernelFunc });
}
