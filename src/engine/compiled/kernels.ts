// What every compiled step's kernels share (mlpShaders.ts, recurrentShaders.ts): the buffers they
// bind by name, the step's uniforms, and the last two kernels of any step — the penalty and the
// optimizer's update over every parameter in one dispatch.
import { HYPER_NAMES, type UpdateFormulas } from '../kernels/optimizerUpdate';
import { lit, REDUCE, THREADS } from './wgsl';

/** A buffer a kernel binds, by name (the plan supplies the GPU buffer for each). */
export type Binding =
  | 'x'
  | 'y'
  | 'perm'
  | 'masks'
  | 'tokens'
  | 'targets'
  | 'targetMask'
  | 'params'
  | 'grads'
  | 'acts'
  | 'scalars'
  | 'step'
  | 'time'
  | `slot${number}`;

export interface KernelSource {
  label: string;
  code: string;
  /** In binding order (@binding(0), (1), …). */
  bindings: Binding[];
  workgroups: [number, number, number];
  /** One dispatch per value, in order, each seeing it as `time.t` (a recurrent layer's timesteps); absent: one. */
  times?: number[];
}

const DECLARATIONS: Record<string, string> = {
  x: 'var<storage, read> x: array<f32>',
  y: 'var<storage, read> y: array<f32>',
  perm: 'var<storage, read> perm: array<i32>',
  masks: 'var<storage, read> masks: array<f32>',
  tokens: 'var<storage, read> tokens: array<i32>',
  targets: 'var<storage, read> targets: array<i32>',
  targetMask: 'var<storage, read> targetMask: array<f32>',
  step: 'var<uniform> step: Step',
  time: 'var<uniform> time: Time',
};

/** The bindings the kernels only read. */
export const isReadOnly = (b: Binding) => DECLARATIONS[b]?.startsWith('var<storage, read>') ?? false;
export const isUniform = (b: Binding) => b === 'step' || b === 'time';

/**
 * The step's uniforms: the batch's first row in the epoch's order, then the optimizer's
 * hyper-parameters (HYPER_NAMES order) for weight matrices at h[0…], for biases at h[16…].
 */
const STEP_STRUCT = 'struct Step { first: u32, p0: u32, p1: u32, p2: u32, h: array<vec4<f32>, 8> }';
export const STEP_UNIFORM_BYTES = 16 + 8 * 16;
export const BIAS_HYPER_AT = 16;
/** A timestep's uniform: t, in its own 256-byte slot (WebGPU's uniform offset alignment). */
const TIME_STRUCT = 'struct Time { t: u32, p0: u32, p1: u32, p2: u32 }';
export const TIME_STRIDE = 256;

/** scalars[…]: the batch's loss (penalty included), the gradients' sum of squares. */
export const SCALAR_LOSS = 0;
const SCALAR_GRAD_SQUARES = 1;
export const SCALAR_FLOATS = 4;

/** The structs and the declarations of `bindings`, in order. */
export function header(bindings: Binding[]): string {
  const decl = (b: Binding) => DECLARATIONS[b] ?? `var<storage, read_write> ${b}: array<f32>`;
  return [STEP_STRUCT, TIME_STRUCT, ...bindings.map((b, i) => `@group(0) @binding(${i}) ${decl(b)};`)].join('\n');
}

/** The parameter arena: its size in floats and the [start, end) ranges of its weight matrices (the rest are biases). */
export interface ParameterArena {
  parameters: number;
  matrices: [number, number][];
}

/** Whether parameter i is in a weight matrix (not a bias): L1/L2 and "matrices only" decay apply to those. */
function isMatrixWgsl(p: ParameterArena): string {
  const tests = p.matrices.map(([start, end]) => `(i >= ${start}u && i < ${end}u)`);
  return `fn isMatrix(i: u32) -> bool {
  return ${tests.length ? tests.join(' || ') : 'false'};
}`;
}

/**
 * L1/L2: λ₁·sign(w) + 2λ₂·w added to the weight matrices' gradients (tfjs differentiates |w| as −1
 * at 0) and λ₁Σ|W| + λ₂ΣW² to the loss; the gradients' sum of squares for clipping. One workgroup.
 */
export function penaltyKernel(p: ParameterArena, l1: number, l2: number): KernelSource {
  const bindings: Binding[] = ['params', 'grads', 'scalars'];
  const code = `${header(bindings)}
${REDUCE}
${isMatrixWgsl(p)}
@compute @workgroup_size(${THREADS})
fn main(@builtin(local_invocation_index) t: u32) {
  var squares = 0.0;
  var penalty = 0.0;
  for (var i = t; i < ${p.parameters}u; i += ${THREADS}u) {
    var g = grads[i];
    if (isMatrix(i)) {
      let w = params[i];
      g += ${lit(l1)} * select(-1.0, 1.0, w > 0.0) + ${lit(2 * l2)} * w;
      penalty += ${lit(l1)} * abs(w) + ${lit(l2)} * w * w;
      grads[i] = g;
    }
    squares += g * g;
  }
  let squareSum = workgroupSum(t, squares);
  workgroupBarrier();
  let penaltySum = workgroupSum(t, penalty);
  if (t == 0u) {
    scalars[${SCALAR_GRAD_SQUARES}] = squareSum;
    scalars[${SCALAR_LOSS}] += penaltySum;
  }
}`;
  return { label: 'penalty', code, bindings, workgroups: [1, 1, 1] };
}

/** Workgroups in x of the update's 2-D dispatch (WebGPU allows at most 65,535 in one dimension). */
const updateGrid = (p: ParameterArena): [number, number, number] => {
  const groups = Math.ceil(p.parameters / THREADS);
  const x = Math.min(groups, 65_535);
  return [x, Math.ceil(groups / x), 1];
};

/**
 * The optimizer's formulas (optimizers.ts, with weight decay in front) over every parameter at
 * once, the gradient scaled first when clipping: PyTorch's clip_grad_norm_, min(1, c / (‖g‖ + 1e-6)).
 */
export function updateKernel(p: ParameterArena, formulas: UpdateFormulas, clipNorm: number): KernelSource {
  const slots = formulas.slots.map((_, k) => `slot${k}` as const);
  const bindings: Binding[] = ['step', 'params', 'grads', 'scalars', ...slots];
  const [gx] = updateGrid(p);
  const clip = clipNorm > 0 ? ` * min(1.0, ${lit(clipNorm)} / (sqrt(scalars[${SCALAR_GRAD_SQUARES}]) + 0.000001))` : '';
  const code = `${header(bindings)}
${isMatrixWgsl(p)}
fn hyper(k: u32) -> f32 { return step.h[k / 4u][k % 4u]; }
@compute @workgroup_size(${THREADS})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let i = (wg.y * ${gx}u + wg.x) * ${THREADS}u + t;
  if (i >= ${p.parameters}u) { return; }
  let h = select(${BIAS_HYPER_AT}u, 0u, isMatrix(i));
  ${HYPER_NAMES.map((n, k) => `let ${n} = hyper(h + ${k}u);`).join('\n  ')}
  var w = params[i];
  var g = grads[i]${clip};
  ${formulas.slots.map((s, k) => `var ${s} = slot${k}[i];`).join('\n  ')}
  ${formulas.assignments.map((a) => `${a};`).join('\n  ')}
  params[i] = w;
  ${formulas.slots.map((s, k) => `slot${k}[i] = ${s};`).join('\n  ')}
}`;
  return { label: 'update', code, bindings, workgroups: updateGrid(p) };
}

/** The penalty (with L1/L2 or clipping) and the update: every step's last kernels. */
export function updateKernels(
  p: ParameterArena,
  formulas: UpdateFormulas,
  penalty: { l1: number; l2: number },
  clipNorm: number,
): KernelSource[] {
  return [
    ...(penalty.l1 > 0 || penalty.l2 > 0 || clipNorm > 0 ? [penaltyKernel(p, penalty.l1, penalty.l2)] : []),
    updateKernel(p, formulas, clipNorm),
  ];
}
