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
  'lr',
  'momentum',
  'beta1',
  'beta2',
  'oneMinusBeta1',
  'oneMinusBeta2',
  'bc1',
  'bc2',
  'rho',
  'oneMinusRho',
  'rmspropMomentum',
  'eps',
  'wd',
  'decay',
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
export function fusedUpdate(
  formulas: UpdateFormulas,
  w: tf.Tensor,
  g: tf.Tensor,
  slots: tf.Tensor[],
  hyper: HyperValues,
): tf.Tensor[] {
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
type JsUpdate = (
  w: Float32Array,
  g: Float32Array,
  s: Float32Array[],
  outW: Float32Array,
  outS: Float32Array[],
  h: HyperValues,
) => void;
const jsCache = new Map<string, JsUpdate>();

/**
 * The update as closures over a small register file (w, g, the slots, the hyper-parameters):
 * no code is generated at run time, so the page runs under a Content-Security-Policy without
 * 'unsafe-eval' (the cpu backend used to build this loop with `new Function`).
 */
function jsUpdate(f: UpdateFormulas): JsUpdate {
  let fn = jsCache.get(f.key);
  if (!fn) {
    const names = ['w', 'g', ...f.slots, ...HYPER_NAMES];
    const steps = f.assignments.map((a) => compileAssignment(a, names));
    const nSlots = f.slots.length;
    const hyperAt = 2 + nSlots;
    fn = (W, G, S, outW, outS, h) => {
      const r = new Float64Array(names.length);
      HYPER_NAMES.forEach((n, k) => (r[hyperAt + k] = h[n]));
      for (let i = 0, n = W.length; i < n; i++) {
        r[0] = W[i];
        r[1] = G[i];
        for (let k = 0; k < nSlots; k++) r[2 + k] = S[k][i];
        for (const [target, value] of steps) r[target] = value(r);
        outW[i] = r[0];
        for (let k = 0; k < nSlots; k++) outS[k][i] = r[2 + k];
      }
    };
    jsCache.set(f.key, fn);
  }
  return fn;
}

type Expr = (r: Float64Array) => number;

/** "name = expression" → [register, closure]. Expressions: + − * /, unary −, parentheses, names, sqrt(x), max(x, y). */
function compileAssignment(text: string, names: string[]): [number, Expr] {
  const tokens = text.match(/[A-Za-z_]\w*|[-+*/(),=]/g) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const take = (want?: string) => {
    const t = tokens[at++];
    if (t === undefined || (want !== undefined && t !== want))
      throw new Error(`optimizer formula "${text}": expected ${want ?? 'more'} at token ${at}`);
    return t;
  };
  const register = (name: string) => {
    const k = names.indexOf(name);
    if (k < 0) throw new Error(`optimizer formula "${text}": unknown name ${name}`);
    return k;
  };
  const factor = (): Expr => {
    const t = take();
    if (t === '-') {
      const x = factor();
      return (r) => -x(r);
    }
    if (t === '(') {
      const x = sum();
      take(')');
      return x;
    }
    if (peek() === '(') {
      take('(');
      const a = sum();
      if (t === 'sqrt') {
        take(')');
        return (r) => Math.sqrt(a(r));
      }
      if (t === 'max') {
        take(',');
        const b = sum();
        take(')');
        return (r) => Math.max(a(r), b(r));
      }
      throw new Error(`optimizer formula "${text}": unknown function ${t}`);
    }
    const k = register(t);
    return (r) => r[k];
  };
  const product = (): Expr => {
    let x = factor();
    while (peek() === '*' || peek() === '/') {
      const op = take();
      const a = x,
        b = factor();
      x = op === '*' ? (r) => a(r) * b(r) : (r) => a(r) / b(r);
    }
    return x;
  };
  const sum = (): Expr => {
    let x = product();
    while (peek() === '+' || peek() === '-') {
      const op = take();
      const a = x,
        b = product();
      x = op === '+' ? (r) => a(r) + b(r) : (r) => a(r) - b(r);
    }
    return x;
  };
  const target = register(take());
  take('=');
  const value = sum();
  if (at !== tokens.length) throw new Error(`optimizer formula "${text}": unexpected ${peek()}`);
  return [target, value];
}

function cpuLikeKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const { formulas, hyper } = attrs;
  const w = inputs.w;
  const slotInputs = formulas.slots.map((_, k) => inputs[`s${k}`]);
  // Allocate every output before taking views: on wasm an allocation can move the heap.
  const outW = newOutput(backend, w);
  const outS = slotInputs.map((s) => newOutput(backend, s));
  jsUpdate(formulas)(
    heapView(backend, w),
    heapView(backend, inputs.g),
    slotInputs.map((s) => heapView(backend, s)),
    heapView(backend, outW),
    outS.map((o) => heapView(backend, o)),
    hyper,
  );
  return [outW, ...outS];
}

/** The GPU programs' inputs, in the order of `programInputNames`, and the outputs they compute. */
const programInputs = (inputs: tf.NamedTensorMap, f: UpdateFormulas) => [
  inputs.w,
  inputs.g,
  ...f.slots.map((_, k) => inputs[`s${k}`]),
];
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

  constructor(
    private formulas: UpdateFormulas,
    private target: string,
    shape: number[],
  ) {
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
    gpu.runWebGPUProgram(new UpdateProgram(formulas, target, inputs.w.shape), ordered, 'float32', uniforms),
  );
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
    gl.runWebGLProgram(new WebGLUpdateProgram(formulas, target, inputs.w.shape), ordered, 'float32', uniforms),
  );
}

// Not on wasm: there tfjs' SIMD elementwise kernels beat a JavaScript loop (measured for Adam on
// MNIST's 784×128 layer: about 1.4 ms per step against 1.9 ms), so the tf-op update stays.
tf.registerKernel({ kernelName: KERNEL, backendName: 'cpu', kernelFunc: cpuLikeKernel as unknown as tf.KernelFunc });
tf.registerKernel({ kernelName: KERNEL, backendName: 'webgpu', kernelFunc: webgpuKernel as unknown as tf.KernelFunc });
tf.registerKernel({ kernelName: KERNEL, backendName: 'webgl', kernelFunc: webglKernel as unknown as tf.KernelFunc });
