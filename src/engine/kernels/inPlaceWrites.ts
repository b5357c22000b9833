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

const writtenInPlace = new WeakSet<object>();

/** Note that `t`'s memory was changed in place (see the top of this file). */
export function markWrittenInPlace(t: tf.TensorInfo): void {
  writtenInPlace.add(t.dataId);
}

/** The parts of tfjs-wasm's backend this needs (backend_wasm.ts; not public API, checked in tests). */
interface WasmBackendInternals {
  dataIdMap: { get: (dataId: object) => { id: number; memoryOffset: number; shape: number[] } | undefined };
  dataIdNextNumber: number;
  wasm: { tfjs: { disposeData: (id: number) => void; registerTensor: (id: number, size: number, at: number) => void } };
}

/** Registers `t`'s memory under a new id; dispose_data forgets the old one (and its packed copies) without freeing it. */
function registerAgain(backend: WasmBackendInternals, t: tf.TensorInfo): void {
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) return;
  backend.wasm.tfjs.disposeData(data.id);
  data.id = backend.dataIdNextNumber++;
  backend.wasm.tfjs.registerTensor(data.id, tf.util.sizeFromShape(data.shape), data.memoryOffset);
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
      registerAgain(args.backend as unknown as WasmBackendInternals, input);
      writtenInPlace.delete(input.dataId);
    }
    return original.kernelFunc(args);
  };
  tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ ...original, kernelFunc });
}
