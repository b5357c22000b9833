// One kernel per variable for an optimizer step, in place of a dozen elementwise tf ops: a JS
// loop over the tensors' memory on the cpu backend, one WGSL shader per output on webgpu, one
// GLSL shader per output on webgl. The update is written once, as formulas (optimizers.ts), and
// turned into each language here; on wasm into WebAssembly (wasmUpdate.ts, see the end of this file).
import * as tf from '@tensorflow/tfjs';
import { webgpu_util, type WebGPUBackend, type WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import type { GPGPUProgram, MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import { parseAssignment, type Formula, type UnaryOp } from './formulas';
import { fastPathsOn, heapView, newOutput } from './tfjsInternals';

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
  return tf.getKernel(KERNEL, tf.getBackend()) !== undefined && fastPathsOn();
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

/**
 * The formulas as a JavaScript loop over typed arrays: (w, g, slots, outW, outSlots, hyper). Each
 * array is given as segments, updated as one array: the variables that share hyper-parameters
 * are updated in one pass (on a 2-8-8-1 MLP, one pass instead of six costs a third of the time).
 */
export type JsUpdate = (
  w: Float32Array[],
  g: Float32Array[],
  s: Float32Array[][],
  outW: Float32Array[],
  outS: Float32Array[][],
  h: HyperValues,
) => void;
const jsCache = new Map<string, JsUpdate>();

/** The formulas as a JavaScript loop: Adam's written out, any other interpreted. */
export function jsUpdate(f: UpdateFormulas): JsUpdate {
  let fn = jsCache.get(f.key);
  if (!fn) {
    fn = f.assignments.join('; ') === ADAM_ASSIGNMENTS.join('; ') ? adamInOnePass : interpretedUpdate(f);
    jsCache.set(f.key, fn);
  }
  return fn;
}

/**
 * Adam and AdamW (coupled decay wd, decoupled decay), no AMSGrad: these assignments, exactly as
 * the interpreter runs them (same operations in the same order, in double precision), in one pass
 * per element instead of one pass per operation over gathered copies. Adam is the default, and on
 * a tiny model the interpreter took a quarter of a step.
 */
const ADAM_ASSIGNMENTS = [
  'g = g + wd * w',
  'w = decay * w',
  'm = beta1 * m + oneMinusBeta1 * g',
  'v = beta2 * v + oneMinusBeta2 * g * g',
  'w = w - m / (sqrt(v / bc2) + eps) * (lr / bc1)',
];
const adamInOnePass: JsUpdate = (W, G, [M, V], outW, [outM, outV], h) => {
  const { wd, decay, beta1, beta2, oneMinusBeta1, oneMinusBeta2, bc2, eps } = h;
  const stepSize = h.lr / h.bc1;
  for (let s = 0; s < W.length; s++) {
    const [w, g, m, v, ow, om, ov] = [W[s], G[s], M[s], V[s], outW[s], outM[s], outV[s]];
    for (let i = 0; i < w.length; i++) {
      const gi = g[i] + wd * w[i];
      const mi = beta1 * m[i] + oneMinusBeta1 * gi;
      const vi = beta2 * v[i] + oneMinusBeta2 * gi * gi;
      ow[i] = decay * w[i] - (mi / (Math.sqrt(vi / bc2) + eps)) * stepSize;
      om[i] = mi;
      ov[i] = vi;
    }
  }
};

/**
 * The update as closures over a register file (w, g and the slots as whole arrays, the
 * hyper-parameters as numbers), each operation one loop over the variable: no code is generated at
 * run time, so the page runs under a Content-Security-Policy without 'unsafe-eval' (the cpu
 * backend used to build this loop with `new Function`), and no closure runs per element: Adam with
 * weight decay ran 1.5× faster on 8 elements and 4–5× on 1,000 to 131,000 than the closure tree per
 * element it replaced (~500 ns an element; side by side in one process, medians of 5 rounds).
 */
export function interpretedUpdate(f: UpdateFormulas): JsUpdate {
  const names = ['w', 'g', ...f.slots, ...HYPER_NAMES];
  // w, g and the slots are arrays; the hyper-parameters after them are numbers.
  const steps = f.assignments.map((a): [number, Expr] => {
    const { target, value } = parseAssignment(a, names);
    return [target, closureOf(value, 2 + f.slots.length).eval];
  });
  const nSlots = f.slots.length;
  const pools = new Map<number, Pool>();
  return (W, G, S, outW, outS, h) => {
    let n = 0;
    for (const segment of W) n += segment.length;
    let pool = pools.get(n);
    if (!pool) pools.set(n, (pool = new Pool(n, 2 + nSlots)));
    const state = pool.state;
    gather(W, state[0]);
    gather(G, state[1]);
    for (let k = 0; k < nSlots; k++) gather(S[k], state[2 + k]);
    const r: Value[] = [...state, ...HYPER_NAMES.map((name) => h[name])];
    for (const [target, value] of steps) {
      pool.reset();
      const v = value(r, pool);
      if (typeof v === 'number') state[target].fill(v);
      else state[target].set(v);
    }
    scatter(state[0], outW);
    for (let k = 0; k < nSlots; k++) scatter(state[2 + k], outS[k]);
  };
}

/** Segments laid end to end into `into`. */
function gather(segments: Float32Array[], into: Float64Array): void {
  let at = 0;
  for (const segment of segments) {
    for (let i = 0; i < segment.length; i++) into[at + i] = segment[i];
    at += segment.length;
  }
}

/** `from` cut back into segments. */
function scatter(from: Float64Array, segments: Float32Array[]): void {
  let at = 0;
  for (const segment of segments) {
    for (let i = 0; i < segment.length; i++) segment[i] = from[at + i];
    at += segment.length;
  }
}

/** A register: a whole variable's values, or one number (a hyper-parameter, or a result made of them). */
type Value = Float64Array | number;
type Expr = (r: Value[], pool: Pool) => Value;

/**
 * Arrays of one length, reused from call to call (V8 takes 1–2 µs to make a small typed array,
 * more than a small variable's whole update): the state (w, g, slots) and one assignment's
 * intermediate results, reused for the next.
 */
class Pool {
  private readonly arrays: Float64Array[] = [];
  private used = 0;
  readonly state: Float64Array[];
  constructor(
    private readonly n: number,
    stateArrays: number,
  ) {
    this.state = Array.from({ length: stateArrays }, () => new Float64Array(n));
  }
  reset(): void {
    this.used = 0;
  }
  next(): Float64Array {
    if (this.used === this.arrays.length) this.arrays.push(new Float64Array(this.n));
    return this.arrays[this.used++];
  }
}

type F = Float64Array;
/**
 * Each operation on each mix of arrays (v) and numbers (s) as its own function literal, so V8
 * sees one kind of operand at each loop and compiles it tight.
 */
const VV: Record<string, (x: F, y: F, o: F) => void> = {
  '+': (x, y, o) => {
    for (let i = 0; i < o.length; i++) o[i] = x[i] + y[i];
  },
  '-': (x, y, o) => {
    for (let i = 0; i < o.length; i++) o[i] = x[i] - y[i];
  },
  '*': (x, y, o) => {
    for (let i = 0; i < o.length; i++) o[i] = x[i] * y[i];
  },
  '/': (x, y, o) => {
    for (let i = 0; i < o.length; i++) o[i] = x[i] / y[i];
  },
  max: (x, y, o) => {
    for (let i = 0; i < o.length; i++) o[i] = Math.max(x[i], y[i]);
  },
};
const VS: Record<string, (x: F, y: number, o: F) => void> = {
  '+': (x, y, o) => {
    for (let i = 0; i < o.length; i++) o[i] = x[i] + y;
  },
  '-': (x, y, o) => {
    for (let i = 0; i < o.length; i++) o[i] = x[i] - y;
  },
  '*': (x, y, o) => {
    for (let i = 0; i < o.length; i++) o[i] = x[i] * y;
  },
  '/': (x, y, o) => {
    for (let i = 0; i < o.length; i++) o[i] = x[i] / y;
  },
  max: (x, y, o) => {
    for (let i = 0; i < o.length; i++) o[i] = Math.max(x[i], y);
  },
};
const SV: Record<string, (x: number, y: F, o: F) => void> = {
  '+': (x, y, o) => {
    for (let i = 0; i < o.length; i++) o[i] = x + y[i];
  },
  '-': (x, y, o) => {
    for (let i = 0; i < o.length; i++) o[i] = x - y[i];
  },
  '*': (x, y, o) => {
    for (let i = 0; i < o.length; i++) o[i] = x * y[i];
  },
  '/': (x, y, o) => {
    for (let i = 0; i < o.length; i++) o[i] = x / y[i];
  },
  max: (x, y, o) => {
    for (let i = 0; i < o.length; i++) o[i] = Math.max(x, y[i]);
  },
};
const SS: Record<string, (x: number, y: number) => number> = {
  '+': (x, y) => x + y,
  '-': (x, y) => x - y,
  '*': (x, y) => x * y,
  '/': (x, y) => x / y,
  max: (x, y) => Math.max(x, y),
};

/** A compiled expression: whether it yields an array (it reads w, g or a slot) and how to evaluate it. */
interface Node {
  vector: boolean;
  eval: Expr;
}

const UNARY: Record<UnaryOp, { f: (v: number) => number; loop: (x: F, o: F) => void }> = {
  neg: {
    f: (v) => -v,
    loop: (x, o) => {
      for (let i = 0; i < o.length; i++) o[i] = -x[i];
    },
  },
  sqrt: {
    f: Math.sqrt,
    loop: (x, o) => {
      for (let i = 0; i < o.length; i++) o[i] = Math.sqrt(x[i]);
    },
  },
  sign: {
    f: Math.sign,
    loop: (x, o) => {
      for (let i = 0; i < o.length; i++) o[i] = Math.sign(x[i]);
    },
  },
};

function unary(op: UnaryOp, a: Node): Node {
  const { f, loop } = UNARY[op];
  if (!a.vector) return { vector: false, eval: (r, pool) => f(a.eval(r, pool) as number) };
  return {
    vector: true,
    eval: (r, pool) => {
      const x = a.eval(r, pool) as F;
      const out = pool.next();
      loop(x, out);
      return out;
    },
  };
}

function binary(op: string, a: Node, b: Node): Node {
  if (!a.vector && !b.vector) {
    const f = SS[op];
    return { vector: false, eval: (r, pool) => f(a.eval(r, pool) as number, b.eval(r, pool) as number) };
  }
  const loop = (a.vector && b.vector ? VV : a.vector ? VS : SV)[op] as (x: Value, y: Value, o: F) => void;
  return {
    vector: true,
    eval: (r, pool) => {
      const x = a.eval(r, pool);
      const y = b.eval(r, pool);
      const out = pool.next();
      loop(x, y, out);
      return out;
    },
  };
}

/** A parsed formula as closures over the registers; names below `vectors` are arrays. */
function closureOf(f: Formula, vectors: number): Node {
  switch (f.op) {
    case 'name': {
      const k = f.index;
      return { vector: k < vectors, eval: (r) => r[k] };
    }
    case 'neg':
    case 'sqrt':
    case 'sign':
      return unary(f.op, closureOf(f.a, vectors));
    default:
      return binary(f.op, closureOf(f.a, vectors), closureOf(f.b, vectors));
  }
}

function cpuLikeKernel({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo[] {
  const { formulas, hyper } = attrs;
  const w = inputs.w;
  const slotInputs = formulas.slots.map((_, k) => inputs[`s${k}`]);
  // Allocate every output before taking views: on wasm an allocation can move the heap.
  const outW = newOutput(backend, w);
  const outS = slotInputs.map((s) => newOutput(backend, s));
  jsUpdate(formulas)(
    [heapView(backend, w)],
    [heapView(backend, inputs.g)],
    slotInputs.map((s) => [heapView(backend, s)]),
    [heapView(backend, outW)],
    outS.map((o) => [heapView(backend, o)]),
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
 * around it; GLSL's arithmetic, sqrt, sign and max work on vec4 as on floats, so the formulas stand as they are.
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

// Not on wasm: there the optimizer runs the formulas compiled to WebAssembly over the variables'
// own memory, in place (wasmUpdate.ts), which a kernel (new outputs each step) cannot.
tf.registerKernel({ kernelName: KERNEL, backendName: 'cpu', kernelFunc: cpuLikeKernel as unknown as tf.KernelFunc });
tf.registerKernel({ kernelName: KERNEL, backendName: 'webgpu', kernelFunc: webgpuKernel as unknown as tf.KernelFunc });
tf.registerKernel({ kernelName: KERNEL, backendName: 'webgl', kernelFunc: webglKernel as unknown as tf.KernelFunc });
