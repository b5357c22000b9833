// Every use of tfjs' private parts is here: a tensor's memory on the backends whose memory is the
// CPU's (the cpu backend keeps a typed array per tensor, the wasm backend a range of its heap),
// tfjs-wasm's module (its memory, thread count, tensor registry), and on webgpu the device and each
// tensor's GPU buffer. Our kernels for those backends (fused optimizer steps in place, batch
// gathering, the host MLP, the compiled matmul, the compiled WebGPU step) are loops over these
// views or shaders over these buffers. tfjs is frozen, yet an upgrade may change what it keeps where: each backend is
// checked once, structurally and on a real tensor (internalsProblem), and where the check fails
// our paths switch off (fastPathsOn) and training goes on through plain tf ops — slower, never wrong.
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
  wasm?: {
    asm?: { memory?: WebAssembly.Memory; get_threads_count?: () => number };
    wasmMemory?: WebAssembly.Memory;
    HEAPU8?: Uint8Array;
    _get_threads_count?: () => number;
  };
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

/** The threads tfjs-wasm's products run on (1 for its single-threaded builds). */
export function wasmThreads(backend: tf.KernelBackend): number {
  const module = (backend as unknown as WasmModuleMemory).wasm;
  return (module?._get_threads_count ?? module?.asm?.get_threads_count)?.() ?? 1;
}

/** The parts of tfjs-wasm's backend that registering a tensor's memory again needs (backend_wasm.ts). */
interface WasmTensorRegistry {
  dataIdMap: { get: (dataId: object) => { id: number; memoryOffset: number; shape: number[] } | undefined };
  dataIdNextNumber: number;
  wasm: { tfjs: { disposeData: (id: number) => void; registerTensor: (id: number, size: number, at: number) => void } };
}

/**
 * Register `t`'s memory on wasm under a new id: dispose_data forgets the old one (and the copies
 * XNNPACK packed of it) without freeing the memory (see inPlaceWrites.ts).
 */
export function registerWasmTensorAgain(backend: tf.KernelBackend, t: tf.TensorInfo): void {
  const registry = backend as unknown as WasmTensorRegistry;
  const data = registry.dataIdMap.get(t.dataId);
  if (!data) return;
  registry.wasm.tfjs.disposeData(data.id);
  data.id = registry.dataIdNextNumber++;
  registry.wasm.tfjs.registerTensor(data.id, tf.util.sizeFromShape(data.shape), data.memoryOffset);
}

/** What the compiled WebGPU step uses of tfjs-webgpu's backend (backend_webgpu.ts). */
interface WebGpuBackendParts {
  device: GPUDevice;
  tensorMap: { get: (dataId: object) => { resource?: unknown; values: unknown; refCount: number } | undefined };
  uploadToGPU: (dataId: object) => void;
  makeTensorInfo: (shape: number[], dtype: tf.DataType) => tf.TensorInfo;
  commandEncoder: GPUCommandEncoder | null;
  endComputePassEncoder: () => void;
  submitQueue: () => void;
}
const webgpuParts = (backend: tf.KernelBackend) => backend as unknown as WebGpuBackendParts;

/** The GPU device tfjs-webgpu runs on. */
export const webgpuDevice = (backend: tf.KernelBackend): GPUDevice => webgpuParts(backend).device;

/** The GPU buffer holding `t`'s values on webgpu (uploaded first if they are still on the CPU). */
export function gpuBufferOf(backend: tf.KernelBackend, t: tf.TensorInfo): GPUBuffer {
  const parts = webgpuParts(backend);
  parts.uploadToGPU(t.dataId);
  return parts.tensorMap.get(t.dataId)!.resource as GPUBuffer;
}

/** How many tensors share `t`'s memory (tf.clone and assign share it). */
export const sharersOf = (backend: tf.KernelBackend, t: tf.TensorInfo): number => backend.refCount(t.dataId);

/**
 * After a shader of ours wrote `t`'s buffer: drop the copy of its values tfjs keeps on the CPU
 * once they were read, which would otherwise be returned by the next read instead.
 */
export function forgetCpuCopy(backend: tf.KernelBackend, t: tf.TensorInfo): void {
  const data = webgpuParts(backend).tensorMap.get(t.dataId);
  if (data) data.values = null;
}

/** Submits what tfjs-webgpu has recorded but not yet submitted, so work of ours submitted next runs after it. */
export function submitTfjsCommands(backend: tf.KernelBackend): void {
  const parts = webgpuParts(backend);
  if (!parts.commandEncoder) return;
  parts.endComputePassEncoder();
  parts.submitQueue();
}

/** A new float32 tensor on webgpu whose buffer (from tfjs' pool) is ready for a shader or copy of ours to fill. */
export function newGpuTensor(backend: tf.KernelBackend, shape: number[]): { tensor: tf.Tensor; buffer: GPUBuffer } {
  const info = webgpuParts(backend).makeTensorInfo(shape, 'float32');
  const buffer = gpuBufferOf(backend, info);
  return { tensor: tf.engine().makeTensorFromTensorInfo(info), buffer };
}

function webgpuProblem(backend: tf.KernelBackend, missing: (what: string) => string): string | null {
  const parts = webgpuParts(backend) as Partial<WebGpuBackendParts>;
  if (typeof parts.device?.createComputePipeline !== 'function') return missing('device');
  for (const key of ['uploadToGPU', 'makeTensorInfo', 'endComputePassEncoder', 'submitQueue'] as const)
    if (typeof parts[key] !== 'function') return missing(key);
  if (typeof parts.tensorMap?.get !== 'function') return missing('tensor map');
  if (!('commandEncoder' in parts)) return missing('command encoder');
  // On a real tensor: its buffer is a GPUBuffer of its size, and a new tensor gets one.
  const probe = tf.tensor1d([1.5, -2, 3.25]);
  try {
    const buffer = gpuBufferOf(backend, probe);
    if (!(buffer instanceof GPUBuffer) || buffer.size < 12) return missing('tensor buffers');
    const made = newGpuTensor(backend, [3]);
    made.tensor.dispose();
    if (!(made.buffer instanceof GPUBuffer)) return missing('new tensor buffers');
  } catch (e) {
    return missing(`tensor buffers (${e instanceof Error ? e.message : String(e)})`);
  } finally {
    probe.dispose();
  }
  return null;
}

/** Why this backend's private parts are not as this code expects; null when they are (or it uses none). */
export function internalsProblem(backend: tf.KernelBackend, name: string): string | null {
  const missing = (what: string) => `tfjs-${name}'s ${what} is not where this version of the playground expects it`;
  if (name === 'webgpu') return webgpuProblem(backend, missing);
  if (name !== 'cpu' && name !== 'wasm') return null;
  const has = (o: unknown, key: string, kind: string) => typeof (o as Record<string, unknown> | null)?.[key] === kind;
  if (name === 'cpu') {
    if (!has((backend as unknown as CpuBackend).data, 'get', 'function')) return missing('tensor data map');
    if (!has(backend, 'makeTensorInfo', 'function')) return missing('makeTensorInfo');
  } else {
    const wasmBackend = backend as unknown as WasmModuleMemory & Partial<WasmTensorRegistry>;
    for (const key of ['typedArrayFromHeap', 'makeOutput', 'getMemoryOffset'])
      if (!has(backend, key, 'function')) return missing(key);
    if (!(wasmBackend.wasm?.HEAPU8 instanceof Uint8Array)) return missing('heap (HEAPU8)');
    if (!wasmMemoryOf(backend)) return missing('WebAssembly memory');
    if (!has(wasmBackend.dataIdMap, 'get', 'function') || typeof wasmBackend.dataIdNextNumber !== 'number')
      return missing('tensor registry (dataIdMap, dataIdNextNumber)');
    if (
      !has(wasmBackend.wasm?.tfjs, 'disposeData', 'function') ||
      !has(wasmBackend.wasm?.tfjs, 'registerTensor', 'function')
    )
      return missing('module functions (disposeData, registerTensor)');
  }
  // On a real tensor: our view of its memory holds its values, and a tensor we fill reads back.
  const probe = tf.tensor1d([1.5, -2, 3.25]);
  try {
    const view = heapView(backend, probe);
    if (view.length !== 3 || view[0] !== 1.5 || view[1] !== -2 || view[2] !== 3.25) return missing('tensor memory');
    if (name === 'wasm') {
      const at = wasmAddress(backend, probe);
      if (new Float32Array(wasmMemoryOf(backend)!.buffer, at, 3)[2] !== 3.25) return missing('memory offsets');
    }
    const out = newOutput(backend, probe);
    heapView(backend, out).set([4, 5, 6]);
    const filled = tf.engine().makeTensorFromTensorInfo(out);
    const back = Array.from(filled.dataSync());
    filled.dispose();
    if (back.join() !== '4,5,6') return missing('output tensors');
  } catch (e) {
    return missing(`tensor memory (${e instanceof Error ? e.message : String(e)})`);
  } finally {
    probe.dispose();
  }
  return null;
}

const checked = new WeakMap<tf.KernelBackend, string | null>();
let forced: string | null = null;

/** Why our paths are off on the active backend; null when they are on (checked once per backend). */
export function fastPathsOff(): string | null {
  const name = tf.getBackend();
  if (name !== 'cpu' && name !== 'wasm' && name !== 'webgpu') return null;
  if (forced) return forced;
  const backend = tf.backend();
  let problem = checked.get(backend);
  if (problem === undefined) checked.set(backend, (problem = internalsProblem(backend, name)));
  return problem;
}

/** Whether our kernels and in-place steps may run on the active backend. */
export const fastPathsOn = (): boolean => fastPathsOff() === null;

/** For tests: behave as if the internals did not match (null: check them again). */
export function simulateInternalsMismatch(problem: string | null): void {
  forced = problem;
}
