// The WGSL of the compiled recurrent step (compiled/recurrentStep.ts): LSTM, GRU and vanilla RNN
// stacks with the model's embedding and head (sequenceModels.ts), generated once per run with the
// run's shapes written in. For L layers over T timesteps a step is 2LT + 2L + 5 dispatches (one
// more with L1/L2 or clipping; one less for series, which have no embedding):
// - per layer, the input projection of every timestep at once, [x, 1]·[Wx; b] (the first layer's
//   rows gathered by token from the embedding inside the product's loads), then one dispatch per
//   timestep: h_{t−1}·Wh for every gate of a unit in one thread, with the cell's equations after;
// - the head over every position (series: the last), the loss and its gradient in the logits;
// - backward (recurrentBackward.ts), the head's weight gradient and dL/dh in one dispatch; per layer one dispatch per
//   timestep, last to first: dL/dh_t = (from above) + dZ_{t+1}·Whᵀ (+ the carried cell), then the
//   gates' gradients for that timestep; then the layer's three products in one dispatch: [x, 1]ᵀ·dZ,
//   [h_{t−1}]ᵀ·dZ and dZ·Wxᵀ (the gradient of the layer below's output, or of the embedded tokens);
// - the embedding's gradient, each table row summing the positions holding its token.
// Rows are positions, b·T + t, as the tf-op path lays [batch, time, ·] tensors out.
import type { RecurrentCell } from '../../experiment/types';
import { GATES } from '../../experiment/types';
import { header, SCALAR_LOSS, type Binding, type KernelSource, type ParameterArena } from './kernels';
import { HELPERS, lit, product, productsMain, REDUCE, THREADS, tileFor } from './wgsl';

/** Where everything of one run lives, in floats. Per-layer arrays hold −1 where a layer has no such part. */
export interface RecurrentLayout extends ParameterArena {
  cell: RecurrentCell;
  batch: number;
  time: number;
  /** Positions per batch, batch × time. */
  rows: number;
  /** The token alphabet's size; null for a series (one value per step in, one forecast out). */
  vocab: number | null;
  /** Each layer's input width (the embedding's, or 1 for a series) and units. */
  inputs: number[];
  units: number[];
  dropout: number[];
  outputs: number;
  /** Rows of the head: every position, or (series) each sequence's last. */
  headRows: number;
  /** Parameters: the embedding table, each layer's [Wx; bx] and Wh (GRU: [Wh; bh]) blocks, the head's [W; b]. */
  embeddingAt: number;
  xBlock: number[];
  hBlock: number[];
  headBlock: number;
  /** Activations, [rows × width] each: the gates (pre-activations, then activated), the LSTM's cells, the GRU's h·Wh + b of n, h. */
  gates: number[];
  cells: number[];
  recurrentN: number[];
  h: number[];
  /** Gradients: of the gates' pre-activations, of the GRU's h-side n, the carried cell (LSTM) or h (GRU), dL/dh from above. */
  dGates: number[];
  dRecurrentN: number[];
  dCarry: number[];
  dUp: number[];
  logits: number;
  dLogits: number;
  /** dL/d(embedded tokens), [rows × embedding]. */
  dEmbedded: number;
  /** Each layer's dropout multipliers in the mask arena ([rows × units]). */
  masks: number[];
  maskFloats: number;
  activationFloats: number;
}

export function recurrentLayout(s: {
  cell: RecurrentCell;
  batch: number;
  time: number;
  vocab: number | null;
  embedding: number;
  layers: { units: number; dropout: number }[];
}): RecurrentLayout {
  const G = GATES[s.cell];
  const rows = s.batch * s.time;
  const inputs = s.layers.map((_, l) => (l === 0 ? (s.vocab ? s.embedding : 1) : s.layers[l - 1].units));
  const units = s.layers.map((l) => l.units);
  const outputs = s.vocab ?? 1;
  let parameters = 0;
  const matrices: [number, number][] = [];
  const matrix = (size: number, biasRow: number) => {
    const at = parameters;
    matrices.push([at, at + size]);
    parameters += size + biasRow;
    return at;
  };
  const embeddingAt = s.vocab ? matrix(s.vocab * s.embedding, 0) : -1;
  const xBlock: number[] = [];
  const hBlock: number[] = [];
  units.forEach((H, l) => {
    xBlock.push(matrix(inputs[l] * G * H, G * H));
    hBlock.push(matrix(H * G * H, s.cell === 'gru' ? G * H : 0));
  });
  const top = units[units.length - 1];
  const headBlock = matrix(top * outputs, outputs);
  let floats = 0;
  const part = (size: number, wanted = true) => {
    if (!wanted) return -1;
    floats += size;
    return floats - size;
  };
  const lstm = s.cell === 'lstm';
  const gru = s.cell === 'gru';
  const gates = units.map((H) => part(rows * G * H));
  const cells = units.map((H) => part(rows * H, lstm));
  const recurrentN = units.map((H) => part(rows * H, gru));
  const h = units.map((H) => part(rows * H));
  const dGates = units.map((H) => part(rows * G * H));
  const dRecurrentN = units.map((H) => part(rows * H, gru));
  const dCarry = units.map((H) => part(rows * H, lstm || gru));
  const dUp = units.map((H) => part(rows * H));
  const headRows = s.vocab ? rows : s.batch;
  const logits = part(headRows * outputs);
  const dLogits = part(headRows * outputs);
  const dEmbedded = part(rows * s.embedding, s.vocab !== null);
  let maskFloats = 0;
  const masks = s.layers.map((l, i) => {
    if (l.dropout <= 0) return -1;
    maskFloats += rows * units[i];
    return maskFloats - rows * units[i];
  });
  return {
    cell: s.cell,
    batch: s.batch,
    time: s.time,
    rows,
    vocab: s.vocab,
    inputs,
    units,
    dropout: s.layers.map((l) => l.dropout),
    outputs,
    headRows,
    parameters,
    matrices,
    embeddingAt,
    xBlock,
    hBlock,
    headBlock,
    gates,
    cells,
    recurrentN,
    h,
    dGates,
    dRecurrentN,
    dCarry,
    dUp,
    logits,
    dLogits,
    dEmbedded,
    masks,
    maskFloats,
    activationFloats: floats,
  };
}

/** The data a kernel reading sequences binds: token ids, or (series) the values. */
export const sequenceData = (p: RecurrentLayout): Binding => (p.vocab ? 'tokens' : 'x');

/** source(r): where position r of the batch is in the training set, by the epoch's order. */
export const sourceWgsl = (p: RecurrentLayout) => `fn source(r: u32) -> u32 {
  return u32(perm[step.first + r / ${p.time}u]) * ${p.time}u + r % ${p.time}u;
}`;

/** " * layer l's dropout multiplier at `at`" (its index in [rows × units]); empty where the layer has no dropout. */
export const keptBy = (p: RecurrentLayout, l: number, at: string) =>
  p.masks[l] >= 0 ? ` * masks[${p.masks[l]}u + ${at}]` : '';

/** The bindings reading layer l's dropout multipliers needs. */
const masksOf = (p: RecurrentLayout, l: number): Binding[] => (p.masks[l] >= 0 ? ['masks'] : []);

/** h of layer l at position r, unit i, times its dropout multiplier. */
export function output(p: RecurrentLayout, l: number, r: string, i: string): string {
  const at = `(${r}) * ${p.units[l]}u + ${i}`;
  return `acts[${p.h[l]}u + ${at}]${keptBy(p, l, at)}`;
}

/** WGSL of input(r, i) (layer l's input at position r) and inputOrOne(r, i) (a column of ones after it), with the bindings they read. */
export function inputWgsl(p: RecurrentLayout, l: number): { code: string; bindings: Binding[] } {
  const n = p.inputs[l];
  let value: string;
  if (l > 0) value = output(p, l - 1, 'r', 'i');
  else if (p.vocab) value = `params[${p.embeddingAt}u + u32(tokens[source(r)]) * ${n}u + i]`;
  else value = 'x[source(r)]';
  const code = `${l === 0 ? sourceWgsl(p) : ''}
fn input(r: u32, i: u32) -> f32 {
  return ${value};
}
fn inputOrOne(r: u32, i: u32) -> f32 {
  if (i == ${n}u) { return 1.0; }
  return input(r, i);
}`;
  const reads: Binding[] = l === 0 ? ['step', 'perm', sequenceData(p)] : masksOf(p, l - 1);
  return { code, bindings: reads };
}

/** Layer l's input projection for every position: gates = [x, 1]·[Wx; b]. */
export function projectionKernel(p: RecurrentLayout, l: number): KernelSource {
  const n = p.inputs[l];
  const width = GATES[p.cell] * p.units[l];
  const input = inputWgsl(p, l);
  const bindings: Binding[] = [...input.bindings, 'params', 'acts'];
  const tile = tileFor(p.rows, width);
  const { main, workgroups, shared } = productsMain([{ name: 'project', m: p.rows, n: width, tile }]);
  const code = `${header(bindings)}
${shared}
${input.code}
${product(
  'project',
  p.rows,
  width,
  n + 1,
  (r, i) => `inputOrOne(${r}, ${i})`,
  (k, j) => `params[${p.xBlock[l]}u + ${k} * ${width}u + ${j}]`,
  `acts[${p.gates[l]}u + row * ${width}u + col] = value;`,
  tile,
)}
${main}`;
  return { label: `projection ${l}`, code, bindings, workgroups };
}

/** Rows and units of a timestep's workgroup, and the depth of its staged tiles. */
const STEP_ROWS = 8;
const STEP_UNITS = 32;
const STEP_DEPTH = 8;
const STEP_THREADS = STEP_ROWS * STEP_UNITS;

/** The cell's equations at position r for unit j, given acc[g] = (h_{t−1}·Wh) of gate g. */
function cellForward(p: RecurrentLayout, l: number): string {
  const H = p.units[l];
  const GH = GATES[p.cell] * H;
  const pre = (g: number) => `acts[at + ${g * H}u + j]`;
  const hOut = `acts[${p.h[l]}u + r * ${H}u + j]`;
  const previous = (base: number) => `select(0.0, acts[${base}u + (r - 1u) * ${H}u + j], time.t > 0u)`;
  const head = `let r = b * ${p.time}u + time.t;
  let at = ${p.gates[l]}u + r * ${GH}u;`;
  if (p.cell === 'rnn') return `${head}\n  ${hOut} = tanhOf(${pre(0)} + acc[0]);`;
  if (p.cell === 'lstm')
    return `${head}
  let i = sigmoid(${pre(0)} + acc[0]);
  let f = sigmoid(${pre(1)} + acc[1]);
  let g = tanhOf(${pre(2)} + acc[2]);
  let o = sigmoid(${pre(3)} + acc[3]);
  let c = f * ${previous(p.cells[l])} + i * g;
  ${pre(0)} = i;
  ${pre(1)} = f;
  ${pre(2)} = g;
  ${pre(3)} = o;
  acts[${p.cells[l]}u + r * ${H}u + j] = c;
  ${hOut} = o * tanhOf(c);`;
  const bias = (g: number) => `params[${p.hBlock[l] + H * GH + g * H}u + j]`;
  return `${head}
  let hn = acc[2] + ${bias(2)};
  let rr = sigmoid(${pre(0)} + acc[0] + ${bias(0)});
  let z = sigmoid(${pre(1)} + acc[1] + ${bias(1)});
  let n = tanhOf(${pre(2)} + rr * hn);
  let hp = ${previous(p.h[l])};
  ${pre(0)} = rr;
  ${pre(1)} = z;
  ${pre(2)} = n;
  acts[${p.recurrentN[l]}u + r * ${H}u + j] = hn;
  ${hOut} = n + z * (hp - n);`;
}

/**
 * Layer l's timestep time.t, one dispatch per timestep: each thread one (sequence, unit), its every
 * gate's h_{t−1}·Wh from tiles of h and Wh staged in workgroup memory, then the cell's equations.
 */
export function stepForwardKernel(p: RecurrentLayout, l: number): KernelSource {
  const H = p.units[l];
  const G = GATES[p.cell];
  const GH = G * H;
  const [R, U, D] = [STEP_ROWS, STEP_UNITS, STEP_DEPTH];
  const bindings: Binding[] = ['time', 'params', 'acts'];
  const code = `${header(bindings)}
${HELPERS}
fn sigmoid(v: f32) -> f32 { return 1.0 / (1.0 + exp(-v)); }
var<workgroup> hTile: array<f32, ${R * D}>;
var<workgroup> wTile: array<f32, ${D * G * U}>;
fn hPrevious(b: u32, k: u32) -> f32 {
  if (time.t == 0u || b >= ${p.batch}u || k >= ${H}u) { return 0.0; }
  return acts[${p.h[l]}u + (b * ${p.time}u + time.t - 1u) * ${H}u + k];
}
fn recurrentWeight(k: u32, g: u32, j: u32) -> f32 {
  if (k >= ${H}u || j >= ${H}u) { return 0.0; }
  return params[${p.hBlock[l]}u + k * ${GH}u + g * ${H}u + j];
}
fn cell(b: u32, j: u32, acc: array<f32, ${G}>) {
  ${cellForward(p, l)}
}
@compute @workgroup_size(${STEP_THREADS})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let localRow = t / ${U}u;
  let localUnit = t % ${U}u;
  var acc: array<f32, ${G}>;
  for (var k0 = 0u; k0 < ${H}u; k0 += ${D}u) {
    if (t < ${R * D}u) { hTile[t] = hPrevious(wg.y * ${R}u + t / ${D}u, k0 + t % ${D}u); }
    for (var q = 0u; q < ${(D * G * U) / STEP_THREADS}u; q++) {
      let e = t + q * ${STEP_THREADS}u;
      let kg = e / ${U}u;
      wTile[e] = recurrentWeight(k0 + kg / ${G}u, kg % ${G}u, wg.x * ${U}u + e % ${U}u);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${D}u; kk++) {
      let hv = hTile[localRow * ${D}u + kk];
      for (var g = 0u; g < ${G}u; g++) { acc[g] += hv * wTile[(kk * ${G}u + g) * ${U}u + localUnit]; }
    }
    workgroupBarrier();
  }
  let b = wg.y * ${R}u + localRow;
  let j = wg.x * ${U}u + localUnit;
  if (b < ${p.batch}u && j < ${H}u) { cell(b, j, acc); }
}`;
  const times = Array.from({ length: p.time }, (_, t) => t);
  return {
    label: `layer ${l} forward`,
    code,
    bindings,
    workgroups: [Math.ceil(H / U), Math.ceil(p.batch / R), 1],
    times,
  };
}

/** The top layer's output row feeding head row `row`: every position, or (series) the sequence's last. */
export const headSource = (p: RecurrentLayout, row: string) =>
  p.vocab ? row : `(${row} * ${p.time}u + ${p.time - 1}u)`;

/**
 * WGSL of topOrOne(row, k): the head's input at its row (the top layer's output, dropout applied)
 * with a column of ones after it; with the bindings it reads.
 */
export function headInputWgsl(p: RecurrentLayout): { code: string; bindings: Binding[] } {
  const top = p.units.length - 1;
  const code = `fn topOrOne(row: u32, k: u32) -> f32 {
  if (k == ${p.units[top]}u) { return 1.0; }
  return ${output(p, top, headSource(p, 'row'), 'k')};
}`;
  return { code, bindings: masksOf(p, top) };
}

/** The head over every position (series: each sequence's last): logits = [h, 1]·[W; b]. */
export function headKernel(p: RecurrentLayout): KernelSource {
  const Ht = p.units[p.units.length - 1];
  const input = headInputWgsl(p);
  const bindings: Binding[] = [...input.bindings, 'params', 'acts'];
  const tile = tileFor(p.headRows, p.outputs);
  const { main, workgroups, shared } = productsMain([{ name: 'head', m: p.headRows, n: p.outputs, tile }]);
  const code = `${header(bindings)}
${shared}
${input.code}
${product(
  'head',
  p.headRows,
  p.outputs,
  Ht + 1,
  (r, k) => `topOrOne(${r}, ${k})`,
  (k, j) => `params[${p.headBlock}u + ${k} * ${p.outputs}u + ${j}]`,
  `acts[${p.logits}u + row * ${p.outputs}u + col] = value;`,
  tile,
)}
${main}`;
  return { label: 'head', code, bindings, workgroups };
}

/**
 * The batch's loss into scalars[0] and its gradient in the logits; one workgroup. Tokens: the
 * cross-entropy averaged over positions whose target counts (the mask; all without one), as
 * sequenceLoss. Series: the forecast's mean squared error.
 */
export function lossKernel(p: RecurrentLayout, masked: boolean): KernelSource {
  const V = p.outputs;
  const z = (k: string) => `acts[${p.logits}u + r * ${V}u + ${k}]`;
  const d = (k: string) => `acts[${p.dLogits}u + r * ${V}u + ${k}]`;
  if (!p.vocab) {
    const bindings: Binding[] = ['step', 'perm', 'y', 'acts', 'scalars'];
    const code = `${header(bindings)}
${REDUCE}
@compute @workgroup_size(${THREADS})
fn main(@builtin(local_invocation_index) t: u32) {
  var local = 0.0;
  for (var r = t; r < ${p.batch}u; r += ${THREADS}u) {
    let diff = ${z('0u')} - y[u32(perm[step.first + r])];
    ${d('0u')} = 2.0 * diff / ${lit(p.batch)};
    local += diff * diff;
  }
  let total = workgroupSum(t, local);
  if (t == 0u) { scalars[${SCALAR_LOSS}] = total / ${lit(p.batch)}; }
}`;
    return { label: 'loss', code, bindings, workgroups: [1, 1, 1] };
  }
  const bindings: Binding[] = [
    'step',
    'perm',
    'targets',
    ...(masked ? (['targetMask'] as const) : []),
    'acts',
    'scalars',
  ];
  const code = `${header(bindings)}
${REDUCE}
${sourceWgsl(p)}
fn weightOf(r: u32) -> f32 { return ${masked ? 'targetMask[source(r)]' : '1.0'}; }
@compute @workgroup_size(${THREADS})
fn main(@builtin(local_invocation_index) t: u32) {
  var counted = 0.0;
  for (var r = t; r < ${p.rows}u; r += ${THREADS}u) { counted += weightOf(r); }
  let total = workgroupSum(t, counted);
  workgroupBarrier();
  var local = 0.0;
  for (var r = t; r < ${p.rows}u; r += ${THREADS}u) {
    let w = weightOf(r);
    let label = u32(targets[source(r)]);
    var top = ${z('0u')};
    for (var k = 1u; k < ${V}u; k++) { top = max(top, ${z('k')}); }
    var sum = 0.0;
    for (var k = 0u; k < ${V}u; k++) { sum += exp(${z('k')} - top); }
    let logSumExp = top + log(sum);
    for (var k = 0u; k < ${V}u; k++) {
      ${d('k')} = w * (exp(${z('k')} - logSumExp) - select(0.0, 1.0, k == label)) / total;
    }
    local += w * (logSumExp - ${z('label')});
  }
  let loss = workgroupSum(t, local);
  if (t == 0u) { scalars[${SCALAR_LOSS}] = loss / total; }
}`;
  return { label: 'loss', code, bindings, workgroups: [1, 1, 1] };
}
