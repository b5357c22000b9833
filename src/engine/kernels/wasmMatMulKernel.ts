// The compiled product (wasmMatMul.ts) as a tfjs kernel on wasm, for linear.ts: x·W (+ bias,
// relu) and xᵀ·dz without a transpose. Only where tfjs-wasm runs on one thread: its threaded
// build (a cross-origin isolated page on a machine with four cores or more) splits XNNPACK's
// products over up to four threads, and ours, on one, has not been measured against that there.
import * as tf from '@tensorflow/tfjs';
import { fastPathsOn, newOutput, wasmAddress, wasmMemoryOf, wasmThreads } from './tfjsInternals';
import { packedSize, rowsPerChunk, wasmMatMul, type CompiledMatMul, type MatMulForm } from './wasmMatMul';

const KERNEL = 'PlaygroundMatMul';

const usable = new WeakMap<tf.KernelBackend, boolean>();
let enabled = true;

/** Off: XNNPACK's product even where ours runs (tests of that path, and the bench's side-by-side). */
export function useCompiledMatMul(on: boolean): void {
  enabled = on;
}

/** Whether the active backend runs the compiled product (wasm, one thread, an engine that compiles it). */
export function compiledMatMulAvailable(): boolean {
  if (!enabled || tf.getBackend() !== 'wasm' || !fastPathsOn()) return false;
  const backend = tf.backend();
  let ok = usable.get(backend);
  if (ok === undefined) {
    const memory = wasmMemoryOf(backend);
    ok =
      wasmThreads(backend) === 1 &&
      memory !== null &&
      wasmMatMul({ transposeA: false, bias: false, relu: false }, memory) !== null;
    usable.set(backend, ok);
  }
  return ok;
}

/** act(a·b + bias), or with aᵀ for a stored transposed; on wasm only (see compiledMatMulAvailable). */
export function compiledMatMul(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  {
    transposeA = false,
    bias = null,
    relu = false,
  }: { transposeA?: boolean; bias?: tf.Tensor1D | null; relu?: boolean },
): tf.Tensor2D {
  const inputs: tf.NamedTensorMap = bias ? { a, b, bias } : { a, b };
  return tf.engine().runKernel(KERNEL, inputs, { transposeA, relu }) as tf.Tensor2D;
}

function kernelFunc({
  inputs,
  backend,
  attrs,
}: {
  inputs: { a: tf.TensorInfo; b: tf.TensorInfo; bias?: tf.TensorInfo };
  backend: tf.KernelBackend;
  attrs: { transposeA: boolean; relu: boolean };
}): tf.TensorInfo {
  const { a, b, bias } = inputs;
  const form: MatMulForm = { transposeA: attrs.transposeA, bias: bias !== undefined, relu: attrs.relu };
  const [m, k] = form.transposeA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const n = b.shape[1];
  if (b.shape[0] !== k) throw new Error(`matmul: inner sizes differ (${k} and ${b.shape[0]})`);
  const out = newOutput(backend, a, [m, n]);
  const scratch = newOutput(backend, a, [Math.max(1, packedSize(k, n))]); // allocated before any address is taken
  const matmul = wasmMatMul(form, wasmMemoryOf(backend)!) as CompiledMatMul;
  const at = (t: tf.TensorInfo) => wasmAddress(backend, t);
  matmul(m, n, k, at(a), at(b), at(out), bias ? at(bias) : 0, at(scratch), rowsPerChunk(k));
  backend.disposeData(scratch.dataId);
  return out;
}

tf.registerKernel({ kernelName: KERNEL, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
