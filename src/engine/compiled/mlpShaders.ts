// The WGSL of the compiled MLP step (compiled/mlpStep.ts), generated once per run with the run's
// shapes written in as constants. A step is 2L + 2 dispatches for L layers (one more with L1/L2 or
// clipping), against ~55 tfjs kernels for the default 2-8-8-1 network:
// - forward, one per layer: the batch's rows gathered from the training set by the epoch's order
//   (first layer), times [W; b], with the activation, dropout and a residual skip in the epilogue;
// - the loss and its gradient in the logits, for the whole batch, in one workgroup;
// - backward, one per layer, two products in one dispatch (its workgroups split between them):
//   [h, 1]ᵀ·dZ, the gradient of W and b at once (b's row is the column of ones), and dZ·Wᵀ (plus
//   the gradient through a skip) times dropout's multiplier and f′ of the layer below, that layer's dZ;
// - then kernels.ts' penalty (with L1/L2 or clipping) and update over every parameter.
// The parameter arenas lay each layer's W [in × out] and b [out] end to end, which is the matrix
// [W; b] of (in + 1) × out: the product with a column of ones appended is the layer with its bias.
import type { Activation, ClassificationLoss } from '../../experiment/types';
import type { Task } from '../losses';
import {
  activationWgsl,
  derivativeWgsl,
  HELPERS,
  lit,
  product,
  REDUCE,
  SHARED,
  THREADS,
  tiles,
  type Element,
} from './wgsl';
import { header, SCALAR_LOSS, type Binding, type KernelSource, type ParameterArena } from './kernels';

/** Where everything of one run lives, in floats: the parameter arenas' layer blocks and the activation arena's parts. */
export interface MlpLayout extends ParameterArena {
  rows: number;
  /** Inputs, then each layer's units. */
  widths: number[];
  /** Each layer's activation (the last one's is linear: the loss reads logits). */
  activations: Activation[];
  /** Each layer's dropout rate on its outputs (the last one's is 0). */
  dropout: number[];
  /** Where each layer's dropout multipliers start in the mask arena ([rows × units]; −1: no dropout). */
  masks: number[];
  maskFloats: number;
  /** Whether each layer adds its input to its output (after dropout); its input is as wide as it is. */
  residual: boolean[];
  /** dL/d(output) of each layer in the activation arena, [rows × units]: kept for a residual layer's skip. */
  da: number[];
  /** Each layer's [W; b] block in the parameter, gradient and slot arenas. */
  blocks: number[];
  /** The activation arena: z, the output (f(z), after dropout and skip) and dL/dz of each layer, [rows × units] each. */
  z: number[];
  a: number[];
  dz: number[];
  activationFloats: number;
}

export function mlpLayout(
  rows: number,
  widths: number[],
  activations: Activation[],
  dropout: number[] = activations.map(() => 0),
  residual: boolean[] = activations.map(() => false),
): MlpLayout {
  const blocks: number[] = [];
  const masks: number[] = [];
  let maskFloats = 0;
  let parameters = 0;
  const z: number[] = [];
  const a: number[] = [];
  const dz: number[] = [];
  const da: number[] = [];
  let floats = 0;
  for (let l = 0; l + 1 < widths.length; l++) {
    blocks.push(parameters);
    parameters += (widths[l] + 1) * widths[l + 1];
    const part = rows * widths[l + 1];
    z.push(floats);
    a.push(floats + part);
    dz.push(floats + 2 * part);
    da.push(floats + 3 * part);
    floats += 4 * part;
    masks.push(dropout[l] > 0 ? maskFloats : -1);
    if (dropout[l] > 0) maskFloats += part;
  }
  return {
    rows,
    widths,
    activations,
    dropout,
    masks,
    maskFloats,
    residual,
    da,
    blocks,
    parameters,
    matrices: blocks.map((at, l) => [at, at + widths[l] * widths[l + 1]]),
    z,
    a,
    dz,
    activationFloats: floats,
  };
}

/** The input of layer l at (row, i): the training row the epoch's order puts there (l = 0), or the layer below's output. */
function layerInput(p: MlpLayout, l: number): Element {
  const n = p.widths[l];
  return l === 0
    ? (r, i) => `x[u32(perm[step.first + ${r}]) * ${n}u + ${i}]`
    : (r, i) => `acts[${p.a[l - 1]}u + ${r} * ${n}u + ${i}]`;
}

/** Layer l's forward pass for the batch: z = h·W + b and its output f(z) (times dropout's multiplier, plus h for a skip). */
export function forwardKernel(p: MlpLayout, l: number): KernelSource {
  const [nIn, nOut] = [p.widths[l], p.widths[l + 1]];
  const w = p.blocks[l];
  const top = l === p.widths.length - 2;
  const at = (base: number) => `${base}u + row * ${nOut}u + col`;
  // Dropout: tf.dropout's multiplier (0, or 1 / keep) for this row and unit, drawn for the step by mlpStep.ts.
  const kept = p.masks[l] >= 0 ? ` * masks[${at(p.masks[l])}]` : '';
  // A residual layer adds its input (as wide as its output) after dropout, as mlp.ts does.
  const skip = p.residual[l] ? ` + acts[${at(p.a[l - 1])}]` : '';
  const output = `${activationWgsl(p.activations[l], 'z')}${kept}${skip}`;
  const store = `let z = value + params[${w + nIn * nOut}u + col];
  acts[${at(p.z[l])}] = z;${top ? '' : `\n  acts[${at(p.a[l])}] = ${output};`}`;
  const bindings: Binding[] = [
    'step',
    ...(l === 0 ? (['x', 'perm'] as const) : []),
    ...(kept ? (['masks'] as const) : []),
    'params',
    'acts',
  ];
  const code = `${header(bindings)}
${HELPERS}
${SHARED}
${product('layer', p.rows, nOut, nIn, layerInput(p, l), (k, j) => `params[${w}u + ${k} * ${nOut}u + ${j}]`, store)}
@compute @workgroup_size(${THREADS})
fn main(@builtin(workgroup_id) g: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  layer(g.y, g.x, t);
}`;
  return { label: `forward ${l}`, code, bindings, workgroups: [tiles(nOut), tiles(p.rows), 1] };
}

/**
 * Layer l's backward pass, two products in one dispatch: [h, 1]ᵀ·dZ into the gradient arena
 * (W's rows, then b's), and for l > 0 the layer below's dZ = (dZ·Wᵀ) ⊙ f′(z below).
 */
export function backwardKernel(p: MlpLayout, l: number): KernelSource {
  const [nIn, nOut] = [p.widths[l], p.widths[l + 1]];
  const w = p.blocks[l];
  const input = layerInput(p, l);
  const dz = (r: string, j: string) => `acts[${p.dz[l]}u + ${r} * ${nOut}u + ${j}]`;
  const weightTiles = tiles(nIn + 1) * tiles(nOut);
  const gradient = product(
    'weightGrad',
    nIn + 1,
    nOut,
    p.rows,
    (i, r) => `inputOrOne(${r}, ${i})`,
    dz,
    `grads[${w}u + row * ${nOut}u + col] = value;`,
  );
  let below = '';
  let belowTiles = 0;
  if (l > 0) {
    const at = (base: number) => `acts[${base}u + row * ${nIn}u + col]`;
    const dropped = p.masks[l - 1] >= 0;
    // dL/d(the output of layer l − 1): through W, plus straight through layer l's skip where it has one;
    // kept where layer l − 1 has a skip of its own, for the layer below.
    const outputGrad = p.residual[l] ? `value + ${at(p.da[l])}` : 'value';
    const keep = p.residual[l - 1] ? `${at(p.da[l - 1])} = da;\n  ` : '';
    const upstream = dropped ? `(da * masks[${p.masks[l - 1]}u + row * ${nIn}u + col])` : 'da';
    // Where dropout scaled the output or a skip was added to it, f′ comes from z.
    const fromOutput = dropped || p.residual[l - 1] ? null : at(p.a[l - 1]);
    const derivative = derivativeWgsl(p.activations[l - 1], upstream, at(p.z[l - 1]), fromOutput);
    below = product(
      'inputGrad',
      p.rows,
      nIn,
      nOut,
      dz,
      (j, i) => `params[${w}u + ${i} * ${nOut}u + ${j}]`,
      `let da = ${outputGrad};\n  ${keep}${at(p.dz[l - 1])} = ${derivative};`,
    );
    belowTiles = tiles(p.rows) * tiles(nIn);
  }
  const bindings: Binding[] = [
    'step',
    ...(l === 0 ? (['x', 'perm'] as const) : []),
    ...(l > 0 && p.masks[l - 1] >= 0 ? (['masks'] as const) : []),
    'params',
    'grads',
    'acts',
  ];
  const code = `${header(bindings)}
${HELPERS}
${SHARED}
fn inputOrOne(r: u32, i: u32) -> f32 {
  if (i == ${nIn}u) { return 1.0; }
  return ${input('r', 'i')};
}
${gradient}
${below}
@compute @workgroup_size(${THREADS})
fn main(@builtin(workgroup_id) g: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  if (g.x < ${weightTiles}u) {
    weightGrad(g.x / ${tiles(nOut)}u, g.x % ${tiles(nOut)}u, t);
  }${
    l > 0
      ? ` else {
    let k = g.x - ${weightTiles}u;
    inputGrad(k / ${tiles(nIn)}u, k % ${tiles(nIn)}u, t);
  }`
      : ''
  }
}`;
  return { label: `backward ${l}`, code, bindings, workgroups: [weightTiles + belowTiles, 1, 1] };
}

/**
 * Row r's loss, with dL/dz (times 1/rows, for the batch mean) written in place of its logits in
 * the top layer's dz: PyTorch's definitions, as outputLoss.ts writes them in JavaScript.
 */
function rowLossWgsl(task: Task, loss: ClassificationLoss, p: MlpLayout): string {
  const top = p.widths.length - 2;
  const c = p.widths[top + 1];
  const scale = lit(1 / p.rows);
  const z = (k: string) => `acts[${p.z[top]}u + r * ${c}u + ${k}]`;
  const d = (k: string) => `acts[${p.dz[top]}u + r * ${c}u + ${k}]`;
  const target = 'y[u32(perm[step.first + r])]';
  if (task === 'regression')
    return `let diff = ${z('0u')} - ${target};
  ${d('0u')} = 2.0 * diff * ${scale};
  return diff * diff;`;
  if (task === 'binary') {
    const common = `let z = ${z('0u')};
  let label = ${target};
  let p = 1.0 / (1.0 + exp(-z));`;
    return loss === 'mse'
      ? `${common}
  ${d('0u')} = 2.0 * (p - label) * p * (1.0 - p) * ${scale};
  return (p - label) * (p - label);`
      : `${common}
  ${d('0u')} = (p - label) * ${scale};
  return max(z, 0.0) - z * label + log(1.0 + exp(-abs(z)));`;
  }
  const softmax = `let label = u32(${target});
  var top = ${z('0u')};
  for (var k = 1u; k < ${c}u; k++) { top = max(top, ${z('k')}); }
  var sum = 0.0;
  for (var k = 0u; k < ${c}u; k++) { sum += exp(${z('k')} - top); }
  let logSumExp = top + log(sum);`;
  if (loss === 'crossEntropy')
    return `${softmax}
  for (var k = 0u; k < ${c}u; k++) {
    ${d('k')} = (exp(${z('k')} - logSumExp) - select(0.0, 1.0, k == label)) * ${scale};
  }
  return logSumExp - ${z('label')};`;
  return `${softmax}
  var value = 0.0;
  var weighted = 0.0;
  for (var k = 0u; k < ${c}u; k++) {
    let p = exp(${z('k')} - logSumExp);
    let e = p - select(0.0, 1.0, k == label);
    value += e * e;
    weighted += p * 2.0 * e / ${lit(c)};
  }
  for (var k = 0u; k < ${c}u; k++) {
    let p = exp(${z('k')} - logSumExp);
    let dp = 2.0 * (p - select(0.0, 1.0, k == label)) / ${lit(c)};
    ${d('k')} = p * (dp - weighted) * ${scale};
  }
  return value / ${lit(c)};`;
}

/** The batch's mean loss into scalars[0], and dL/dz of the logits; one workgroup. */
export function lossKernel(p: MlpLayout, task: Task, loss: ClassificationLoss): KernelSource {
  const bindings: Binding[] = ['step', 'y', 'perm', 'acts', 'scalars'];
  const code = `${header(bindings)}
${REDUCE}
fn rowLoss(r: u32) -> f32 {
  ${rowLossWgsl(task, loss, p)}
}
@compute @workgroup_size(${THREADS})
fn main(@builtin(local_invocation_index) t: u32) {
  var local = 0.0;
  for (var r = t; r < ${p.rows}u; r += ${THREADS}u) { local += rowLoss(r); }
  let total = workgroupSum(t, local);
  if (t == 0u) { scalars[${SCALAR_LOSS}] = total / ${lit(p.rows)}; }
}`;
  return { label: 'loss', code, bindings, workgroups: [1, 1, 1] };
}
