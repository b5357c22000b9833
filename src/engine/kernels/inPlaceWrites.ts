// tfjs-wasm's matmul packs its second operand and its bias once per tensor and keeps the packed
// copy for that tensor's life (XNNPACK's operator cache, keyed by the id the backend registered
// the tensor's memory under). Our optimizer steps on wasm write weights in their own memory, which
// that cache cannot see: without this, a matmul by a weight updated in place kept using its old
// values (the decision boundary froze at the first epoch it was drawn). So a tensor written in
// place is registered again under a new id: the packed copy of the old one is dropped, and the
// next matmul packs the new values once and keeps them until the next write, as it does for a new
// tensor. Nothing is copied.
import type * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-wasm's backend this needs (backend_wasm.ts; not public API, checked in tests). */
interface WasmBackendInternals {
  dataIdMap: { get: (dataId: object) => { id: number; memoryOffset: number; shape: number[] } | undefined };
  dataIdNextNumber: number;
  wasm: { tfjs: { disposeData: (id: number) => void; registerTensor: (id: number, size: number, at: number) => void } };
}

const hasInternals = (b: unknown): b is WasmBackendInternals => {
  const w = b as Partial<WasmBackendInternals>;
  return typeof w.dataIdNextNumber === 'number' && typeof w.wasm?.tfjs?.registerTensor === 'function';
};

/** Note that `t`'s memory was changed in place (see the top of this file); a no-op off wasm. */
export function markWrittenInPlace(backend: tf.KernelBackend, t: tf.TensorInfo): void {
  if (!('typedArrayFromHeap' in backend)) return; // only wasm caches by id
  if (!hasInternals(backend)) throw new Error('tfjs-wasm changed: a weight written in place cannot be re-registered');
  const data = backend.dataIdMap.get(t.dataId);
  if (!data) return;
  // dispose_data forgets the id (and its packed copies) without freeing the memory; JS frees that.
  backend.wasm.tfjs.disposeData(data.id);
  data.id = backend.dataIdNextNumber++;
  const size = data.shape.reduce((a, b) => a * b, 1);
  backend.wasm.tfjs.registerTensor(data.id, size, data.memoryOffset);
}
