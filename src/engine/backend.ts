import * as tf from '@tensorflow/tfjs';
// Registering backends is a side effect of importing them; webgpu registers itself only where
// navigator.gpu exists (browsers, or Node with the `webgpu` package installed on globalThis).
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { BACKENDS, type BackendChoice, type BackendName } from '../experiment/types';
import { WASM_THREADS_MIN_CORES, type BackendReport } from './types';
import { fastPathsOff } from './kernels/tfjsInternals';
import { compiledBytesAlive } from './compiled/plan';

/** The order tried: the chosen backend first, then the ones after it (webgpu → webgl → wasm → cpu). */
export function fallbackChain(choice: BackendChoice): BackendName[] {
  const start = choice === 'auto' ? 0 : BACKENDS.indexOf(choice);
  return BACKENDS.slice(start);
}

function unavailableReason(name: BackendName): string | null {
  if (name in tf.engine().registryFactory) return null;
  if (name === 'webgpu') return 'webgpu: this browser has no WebGPU (navigator.gpu is missing)';
  return `${name}: not available in this environment`;
}

/**
 * tfjs' threaded wasm starts half the cores, up to 4: below 4 cores that is a single thread, which
 * trains slower than the plain SIMD build (headless Chromium on 2 cores, medians of 3 rounds: the
 * default MLP 4,758 vs 6,329 examples/s, the MNIST MLP 7,246 vs 7,836). Call before wasm starts.
 */
export function wasmThreadsFor(cores: number): void {
  if (cores < WASM_THREADS_MIN_CORES) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
}

/**
 * Switch tfjs to the first backend of the chain that initialises, saying why others were skipped.
 * `avoid`: backends that stopped working earlier in this tab (a lost WebGPU device), skipped.
 */
export async function activateBackend(
  choice: BackendChoice,
  avoid: readonly BackendName[] = [],
): Promise<BackendReport> {
  const fallbacks: string[] = [];
  for (const name of fallbackChain(choice)) {
    if (avoid.includes(name)) {
      fallbacks.push(`${name}: stopped working earlier in this tab`);
      continue;
    }
    const missing = unavailableReason(name);
    if (missing) {
      fallbacks.push(missing);
      continue;
    }
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        const report: BackendReport =
          name === 'wasm' ? { active: name, fallbacks, threads: getThreadsCount() } : { active: name, fallbacks };
        const off = fastPathsOff();
        return off ? { ...report, fastPathsOff: off } : report;
      }
      fallbacks.push(`${name}: failed to initialise`);
    } catch (e) {
      fallbacks.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  throw new Error(`No tfjs backend could start: ${fallbacks.join('; ')}`);
}

/** The GPU tfjs' webgpu backend runs on, as its adapter tells (vendor, architecture); null off webgpu. */
export function webgpuAdapter(): string | null {
  if (tf.getBackend() !== 'webgpu') return null;
  // tfjs keeps the adapter's vendor and architecture in fields its types mark private.
  const info = (tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo;
  return [info?.vendor, info?.architecture].filter(Boolean).join(' ') || 'unnamed adapter';
}

/** Bytes held by tensors, and on GPU backends the bytes in use and allocated on the device. */
export function memoryFigures(): {
  numTensors: number;
  tensorBytes: number;
  gpuBytes: number | null;
  gpuBytesAllocated: number | null;
} {
  const m = tf.memory() as tf.MemoryInfo & {
    numBytesInGPU?: number;
    numBytesInGPUAllocated?: number;
    numBytesAllocatedInGPU?: number;
  };
  // The compiled step's arenas are GPU memory of ours, beside tfjs' tensors.
  const ours = compiledBytesAlive();
  const plus = (bytes: number | undefined) => (bytes === undefined ? null : bytes + ours);
  return {
    numTensors: m.numTensors,
    tensorBytes: m.numBytes,
    gpuBytes: plus(m.numBytesInGPU),
    gpuBytesAllocated: plus(m.numBytesAllocatedInGPU ?? m.numBytesInGPUAllocated),
  };
}

/**
 * Errors after which a backend cannot be trusted again in this worker: a wasm abort (its heap is
 * gone), running out of memory, a lost WebGPU device or WebGL context.
 */
export function isFatalBackendError(message: string): boolean {
  return /Aborted\(|RuntimeError: (abort|unreachable)|out of memory|\bOOM\b|device (is |was )?(lost|destroyed)|GPUDevice.*lost|context lost|CONTEXT_LOST/i.test(
    message,
  );
}

/** Call `onLost` with the reason if the active backend's GPU device goes away (WebGPU only). */
export function watchDeviceLoss(onLost: (reason: string) => void): void {
  const device = (tf.backend() as unknown as { device?: { lost?: Promise<{ reason?: string; message?: string }> } })
    .device;
  void device?.lost?.then((info) => onLost(info.message || info.reason || 'the GPU device was lost'));
}

/** What a software rasteriser calls itself in adapter and renderer strings. */
const SOFTWARE_GPU = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render/i;

interface AdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
}

/**
 * The GPU backends that would run on a software rasteriser here (SwiftShader is what every machine
 * without a GPU driver gets), with its name: "auto" never times them, as they are never the fastest
 * and compiling their shaders alone takes seconds. Asks the adapter and the WebGL renderer without
 * starting a tfjs backend; a GPU that cannot be asked is taken as real.
 */
export async function softwareGpus(): Promise<Partial<Record<BackendName, string>>> {
  const out: Partial<Record<BackendName, string>> = {};
  try {
    const gpu = (globalThis.navigator as { gpu?: { requestAdapter: () => Promise<AdapterLike | null> } } | undefined)
      ?.gpu;
    const adapter = gpu ? await gpu.requestAdapter() : null;
    if (adapter) {
      const info = adapter.info ?? {};
      const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ');
      if (adapter.isFallbackAdapter || info.isFallbackAdapter || SOFTWARE_GPU.test(name))
        out.webgpu = softwareName(name);
    }
  } catch {
    // no answer: treated as a real GPU, and timed
  }
  try {
    const Canvas = (globalThis as { OffscreenCanvas?: new (w: number, h: number) => OffscreenCanvas }).OffscreenCanvas;
    const gl = Canvas ? new Canvas(1, 1).getContext('webgl2') : null;
    if (gl) {
      const ext = gl.getExtension('WEBGL_debug_renderer_info');
      const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
      if (SOFTWARE_GPU.test(renderer)) out.webgl = softwareName(renderer);
      gl.getExtension('WEBGL_lose_context')?.loseContext();
    }
  } catch {
    // likewise
  }
  return out;
}

/** "SwiftShader" rather than the whole adapter string. */
function softwareName(description: string): string {
  return description.match(SOFTWARE_GPU)?.[0].replace(/^swiftshader$/i, 'SwiftShader') ?? 'software';
}
