// One kernel per variable for an optimizer step, in place of a dozen elementwise tf ops: a JS
// loop over the tensors' memory on the cpu backend, one WGSL shader per output on webgpu, one
// GLSL shader per output on webgl. The update is written once, as formulas (optimizers.ts), and
// turned into each language here. wasm keeps the tf-op update (see the end of this file).
import * as tf from '@tensorflow/tfjs';
import { webgpu_util, type WebGPUBackend, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { heapView, newOutput } from './memory';

/**
 * Hyper-parameters a formula may name. Formulas hold no numeric literals (GPU languages do not
 * mix integers and floats), so the complements (1 − β₁…) are named too.
 */
export const HYPER_NAMES = [
  'lr', 'momentum', 'beta1', 'beta2', 'oneMinusBeta1', 'oneMinusBeta2', 'bc1', 'bc2', 'rho', 'oneMinusRho',
  'eps', 'wd', 'decay',
] as const;
export type HyperValues = Record<(typeof HYPER_NAMES)[number], number>;

/**
 * A fused update: assignments run in order, per element. `w` is the weight, `g` the gradient,
 * each slot its own state; an assignment to a slot or to `w` gives the new value.
 */
export interface UpdateFormulas {
  /** Stable name, part of the kernel's cache key. */
  key: string;
  slots: string[];
  assignments: string[];
}

const KERNEL = 'PlaygroundOptimizerUpdate';

/** Whether the active backend runs the fused update. */
export function fusedUpdateAvailable(): boolean {
  return tf.getKernel(KERNEL, tf.getBackend()) !== undefined;
}

/** New weight and slot values for one variable, in one kernel (two or three on webgpu and webgl). */
export function fusedUpdate(formulas: UpdateFormulas, w: tf.Tensor, g: tf.Tensor, slots: tf.Tensor[], hyper: HyperValues): tf.Tensor[] {
  const inputs: tf.NamedTensorMap = { w, g };
  slots.forEach((s, i) => (inputs[`s${i}`] = s));
  return tf.engine().runKernel(KERNEL, inputs, { formulas, hyper } as unknown as tf.NamedAttrMap) as tf.Tensor[];
}

interface KernelArgs {
  inputs: tf.NamedTensorMap;
  backend: tf.KernelBackend;
  attrs: { formulas: UpdateFormulas; hyper: HyperValues };
}

/** The formulas as a JavaScript loop over typed arrays: (w, g, slots, outW, outSlots, hyper). */
type JsUpdate = (w: Float32Array, g: Float32Array, s: Float32Array[], outW: Float32Array, outS: Float32Array[], h: HyperValues) => void;
const jsCache = new Map<string, JsUpdate>();

function jsUpdate(f: UpdateFormulas): JsUpdate {
  let fn = jsCache.get(f.key);
  if (!fn) {
    // Generated from our own constant formulas (never from user input).
    const body = [
      'const sqrt = Math.sqrt;',
      ...HYPER_NAMES.map((n) => `const ${n} = h.${n};`),
      // Each array in its own local: V8 keeps the loop on plain typed-array loads and stores.
      ...f.slots.map((_, k) => `const in${k} = S[${k}], out${k} = outS[${k}];`),
      'for (let i = 0, n = W.length; i < n; i++) {',
      '  let w = W[i]; let g = G[i];',
      ...f.slots.map((s, k) => `  let ${s} = in${k}[i];`),
      ...f.assignments.map((a) => `  ${a};`),
      '  outW[i] = w;',
      ...f.slots.map((s, k) => `  out${k}[i] = ${s};`),
      '}',
    ].join('\n');
    fn = new Function('W', 'G', 'S', 'outW', 'outS', 'h', body) as JsUpdate;
    jsCache.set(f.key, fn);
  }
  return fn;
}

function cpuLikeKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const { formulas, hyper } = attrs;
  const w = inputs.w;
  const slotInputs = formulas.slots.map((_, k) => inputs[`s${k}`]);
  // Allocate every output before taking views: on wasm an allocation can move the heap.
  const outW = newOutput(backend, w);
  const outS = slotInputs.map((s) => newOutput(backend, s));
  jsUpdate(formulas)(
    heapView(backend, w), heapView(backend, inputs.g), slotInputs.map((s) => heapView(backend, s)),
    heapView(backend, outW), outS.map((o) => heapView(backend, o)), hyper,
  );
  return [outW, ...outS];
}

/** The GPU programs' inputs, in the order of `programInputNames`, and the outputs they compute. */
const programInputs = (inputs: tf.NamedTensorMap, f: UpdateFormulas) => [inputs.w, inputs.g, ...f.slots.map((_, k) => inputs[`s${k}`])];
const programInputNames = (f: UpdateFormulas) => ['weight', 'grad', ...f.slots.map((_, k) => `slot${k}`)];
const programTargets = (f: UpdateFormulas) => ['w', ...f.slots];

/** One output of the update (`target`: 'w' or a slot) as a WGSL program over flat buffers. */
class UpdateProgram implements WebGPUProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [64, 1, 1];
  size = true;
  uniforms = HYPER_NAMES.map((n) => `${n} : f32`).join(', ') + ',';

  constructor(private formulas: UpdateFormulas, private target: string, shape: number[]) {
    this.variableNames = programInputNames(formulas);
    this.outputShape = shape;
    this.shaderKey = `playground_update_${formulas.key}_${target}`;
    this.dispatchLayout = webgpu_util.flatDispatchLayout(this.outputShape);
    this.dispatch = webgpu_util.computeDispatch(this.dispatchLayout, this.outputShape, this.workgroupSize);
  }

  getUserCode(): string {
    const f = this.formulas;
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          ${HYPER_NAMES.map((n) => `let ${n} = uniforms.${n};`).join(' ')}
          var w = weight[index];
          var g = grad[index];
          ${f.slots.map((s, k) => `var ${s} = slot${k}[index];`).join(' ')}
          ${f.assignments.map((a) => `${a};`).join('\n          ')}
          setOutputAtIndex(index, ${this.target});
        }
      }`;
  }
}

function webgpuKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const { formulas, hyper } = attrs;
  const gpu = backend as unknown as WebGPUBackend;
  const ordered = programInputs(inputs, formulas);
  const uniforms = HYPER_NAMES.map((n) => ({ type: 'float32', data: [hyper[n]] }));
  return programTargets(formulas).map((target) =>
    gpu.runWebGPUProgram(new UpdateProgram(formulas, target, inputs.w.shape), ordered, 'float32', uniforms));
}

/**
 * One output of the update as a GLSL program. It reads and writes packed textures (four values a
 * texel, as tfjs' own elementwise and matmul shaders do), so no pack or unpack pass is added
 * around it; GLSL's arithmetic and sqrt work on vec4 as on floats, so the formulas stand as they are.
 */
class WebGLUpdateProgram implements GPGPUProgram {
  variableNames: string[];
  outputShape: number[];
  userCode: string;
  packedInputs = true;
  packedOutput = true;
  customUniforms = HYPER_NAMES.map((name) => ({ name, type: 'float' as const }));

  constructor(formulas: UpdateFormulas, target: string, shape: number[]) {
    this.variableNames = programInputNames(formulas);
    this.outputShape = shape;
    this.userCode = `
      void main() {
        vec4 w = getWeightAtOutCoords();
        vec4 g = getGradAtOutCoords();
        ${formulas.slots.map((s, k) => `vec4 ${s} = getSlot${k}AtOutCoords();`).join(' ')}
        ${formulas.assignments.map((a) => `${a};`).join('\n        ')}
        setOutput(${target});
      }`;
  }
}

function webglKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const { formulas, hyper } = attrs;
  const gl = backend as unknown as MathBackendWebGL;
  const ordered = programInputs(inputs, formulas);
  const uniforms = HYPER_NAMES.map((n) => [hyper[n]]);
  return programTargets(formulas).map((target) =>
    gl.runWebGLProgram(new WebGLUpdateProgram(formulas, target, inputs.w.shape), ordered, 'float32', uniforms));
}

// Not on wasm: there tfjs' SIMD elementwise kernels beat a JavaScript loop (measured for Adam on
// MNIST's 784×128 layer: about 1.4 ms per step against 1.9 ms), so the tf-op update stays.
tf.registerKernel({ kernelName: KERNEL, backendName: 'cpu', kernelFunc: cpuLikeKernel as unknown as tf.KernelFunc });
tf.registerKernel({ kernelName: KERNEL, backendName: 'webgpu', kernelFunc: webgpuKernel as unknown as tf.KernelFunc });
tf.registerKernel({ kernelName: KERNEL, backendName: 'webgl', kernelFunc: webglKernel as unknown as tf.KernelFunc });
