// Direct access to a tensor's memory on the backends whose memory is the CPU's: the cpu backend
// keeps a typed array per tensor, the wasm backend a range of its heap. Our custom kernels for
// those backends (a fused optimizer step, batch gathering) are plain loops over these views.
import * as tf from '@tensorflow/tfjs';

type TypedArray = Float32Array | Int32Array;

interface CpuBackend {
  data: { get: (dataId: object) => { values: TypedArray } };
  makeTensorInfo: (shape: number[], dtype: tf.DataType, values?: TypedArray) => tf.TensorInfo;
}
interface WasmBackend {
  makeOutput: (shape: number[], dtype: tf.DataType) => tf.TensorInfo;
  typedArrayFromHeap: (info: tf.TensorInfo) => TypedArray;
}

const isWasm = (b: tf.KernelBackend): b is tf.KernelBackend & WasmBackend => 'typedArrayFromHeap' in b;

const wasmViews = new WeakMap<object, TypedArray>();

/**
 * A writable view of the tensor's values. On wasm it is valid only until the next allocation
 * (the heap may grow and move), so allocate every output first.
 */
export function heapView<T extends TypedArray = Float32Array>(backend: tf.KernelBackend, t: tf.TensorInfo): T {
  if (isWasm(backend)) {
    // A tensor's memory never moves on wasm, but the heap's buffer is replaced when it grows: a
    // view is kept per tensor until then (a tiny model's step takes two dozen views).
    const heap = (backend as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer;
    let view = wasmViews.get(t.dataId);
    if (view?.buffer !== heap) wasmViews.set(t.dataId, (view = backend.typedArrayFromHeap(t)));
    return view as T;
  }
  return (backend as unknown as CpuBackend).data.get(t.dataId).values as T;
}

/** A new, uninitialised tensor like `like` (or of the given shape) on this backend. */
export function newOutput(backend: tf.KernelBackend, like: tf.TensorInfo, shape: number[] = like.shape): tf.TensorInfo {
  if (isWasm(backend)) return backend.makeOutput(shape, like.dtype);
  const size = tf.util.sizeFromShape(shape);
  const values = like.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
  return (backend as unknown as CpuBackend).makeTensorInfo(shape, like.dtype, values);
}

interface WasmModuleMemory {
  wasm?: { asm?: { memory?: WebAssembly.Memory }; wasmMemory?: WebAssembly.Memory };
  getMemoryOffset?: (dataId: object) => number;
}

/** tfjs-wasm's memory (exported by the single-threaded build, imported and shared by the threaded one); null off wasm. */
export function wasmMemoryOf(backend: tf.KernelBackend): WebAssembly.Memory | null {
  if (!isWasm(backend)) return null;
  const module = (backend as unknown as WasmModuleMemory).wasm;
  return module?.asm?.memory ?? module?.wasmMemory ?? null;
}

/** Where a tensor's values start in tfjs-wasm's memory, in bytes. */
export function wasmAddress(backend: tf.KernelBackend, t: tf.TensorInfo): number {
  return (backend as unknown as Required<WasmModuleMemory>).getMemoryOffset(t.dataId);
}
