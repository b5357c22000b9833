// The backward kernels of the compiled recurrent step (recurrentShaders.ts has the layout, the
// forward ones and the loss): the head's, each layer's timesteps last to first and its three
// products, and the embedding's gradient.
import { GATES } from '../../experiment/types';
import { header, type Binding, type KernelSource } from './kernels';
import { headInputWgsl, headSource, inputWgsl, keptBy, sourceWgsl, type RecurrentLayout } from './recurrentShaders';
import { HELPERS, product, productsMain, THREADS, tileFor } from './wgsl';

/** The head's backward pass in one dispatch: [h, 1]ᵀ·dLogits (its W and b), and dL/dh of the top layer's output. */
export function headBackwardKernel(p: RecurrentLayout): KernelSource {
  const top = p.units.length - 1;
  const Ht = p.units[top];
  const V = p.outputs;
  const input = headInputWgsl(p);
  const bindings: Binding[] = [...input.bindings, 'params', 'grads', 'acts'];
  const weightTile = tileFor(Ht + 1, V);
  const upTile = tileFor(p.headRows, Ht);
  const { main, workgroups, shared } = productsMain([
    { name: 'headGrad', m: Ht + 1, n: V, tile: weightTile },
    { name: 'upGrad', m: p.headRows, n: Ht, tile: upTile },
  ]);
  const dLogits = (r: string, k: string) => `acts[${p.dLogits}u + ${r} * ${V}u + ${k}]`;
  const at = `${headSource(p, 'row')} * ${Ht}u + col`;
  const code = `${header(bindings)}
${shared}
${input.code}
${product('headGrad', Ht + 1, V, p.headRows, (i, r) => `topOrOne(${r}, ${i})`, dLogits, `grads[${p.headBlock}u + row * ${V}u + col] = value;`, weightTile)}
${product(
  'upGrad',
  p.headRows,
  Ht,
  V,
  dLogits,
  (k, j) => `params[${p.headBlock}u + ${j} * ${V}u + ${k}]`,
  `acts[${p.dUp[top]}u + ${at}] = value${keptBy(p, top, at)};`,
  upTile,
)}
${main}`;
  return { label: 'head backward', code, bindings, workgroups };
}

/** The gates' gradients at position r, unit col, given dh (dL/dh_t in all); writes dGates (and the carry). */
function cellBackward(p: RecurrentLayout, l: number): string {
  const H = p.units[l];
  const GH = GATES[p.cell] * H;
  const T = p.time;
  const gate = (g: number, r = 'r') => `acts[${p.gates[l]}u + ${r} * ${GH}u + ${g * H}u + col]`;
  const dGate = (g: number) => `acts[${p.dGates[l]}u + r * ${GH}u + ${g * H}u + col]`;
  const carry = (r: string) => `acts[${p.dCarry[l]}u + ${r} * ${H}u + col]`;
  const previous = (base: number) => `select(0.0, acts[${base}u + (r - 1u) * ${H}u + col], time.t > 0u)`;
  const later = `time.t + 1u < ${T}u`;
  if (p.cell === 'rnn')
    return `let hv = acts[${p.h[l]}u + r * ${H}u + col];
  ${dGate(0)} = dh * (1.0 - hv * hv);`;
  if (p.cell === 'lstm')
    return `let i = ${gate(0)};
  let f = ${gate(1)};
  let g = ${gate(2)};
  let o = ${gate(3)};
  let tc = tanhOf(acts[${p.cells[l]}u + r * ${H}u + col]);
  var dc = dh * o * (1.0 - tc * tc);
  if (${later}) { dc += ${carry('(r + 1u)')} * ${gate(1, '(r + 1u)')}; }
  ${carry('r')} = dc;
  ${dGate(0)} = dc * g * i * (1.0 - i);
  ${dGate(1)} = dc * ${previous(p.cells[l])} * f * (1.0 - f);
  ${dGate(2)} = dc * i * (1.0 - g * g);
  ${dGate(3)} = dh * tc * o * (1.0 - o);`;
  return `var dhAll = dh;
  if (${later}) { dhAll += ${carry('(r + 1u)')} * ${gate(1, '(r + 1u)')}; }
  ${carry('r')} = dhAll;
  let rr = ${gate(0)};
  let z = ${gate(1)};
  let n = ${gate(2)};
  let dn = dhAll * (1.0 - z) * (1.0 - n * n);
  ${dGate(0)} = dn * acts[${p.recurrentN[l]}u + r * ${H}u + col] * rr * (1.0 - rr);
  ${dGate(1)} = dhAll * (${previous(p.h[l])} - n) * z * (1.0 - z);
  ${dGate(2)} = dn;
  acts[${p.dRecurrentN[l]}u + r * ${H}u + col] = dn * rr;`;
}

/** dL/d(h·Wh + b) at position r, column k: the gates' gradients, except the GRU's n (r times it). */
function recurrentGradWgsl(p: RecurrentLayout, l: number): string {
  const H = p.units[l];
  const GH = GATES[p.cell] * H;
  const n =
    p.cell === 'gru'
      ? `if (k >= ${2 * H}u) { return acts[${p.dRecurrentN[l]}u + r * ${H}u + k - ${2 * H}u]; }\n  `
      : '';
  return `fn recurrentGrad(r: u32, k: u32) -> f32 {
  ${n}return acts[${p.dGates[l]}u + r * ${GH}u + k];
}`;
}

/**
 * Layer l's timestep time.t backward, one dispatch per timestep (last to first): dL/dh_t = the
 * gradient from above plus dZ_{t+1}·Whᵀ (a product over every gate), then the cell's gradients.
 */
export function stepBackwardKernel(p: RecurrentLayout, l: number): KernelSource {
  const H = p.units[l];
  const GH = GATES[p.cell] * H;
  const T = p.time;
  const top = l === p.units.length - 1;
  const bindings: Binding[] = ['time', 'params', 'acts'];
  const tile = tileFor(p.batch, H);
  const { main, workgroups, shared } = productsMain([{ name: 'recurrent', m: p.batch, n: H, tile }]);
  const up = `acts[${p.dUp[l]}u + r * ${H}u + col]`;
  // A series' forecast reads only the last timestep: the head's gradient reaches h there alone.
  const fromAbove = top && !p.vocab ? `select(0.0, ${up}, time.t == ${T - 1}u)` : up;
  const code = `${header(bindings)}
${HELPERS}
${shared}
${recurrentGradWgsl(p, l)}
fn later(b: u32, k: u32) -> f32 {
  if (time.t + 1u >= ${T}u) { return 0.0; }
  return recurrentGrad(b * ${T}u + time.t + 1u, k);
}
${product(
  'recurrent',
  p.batch,
  H,
  GH,
  (b, k) => `later(${b}, ${k})`,
  (k, j) => `params[${p.hBlock[l]}u + ${j} * ${GH}u + ${k}]`,
  `let r = row * ${T}u + time.t;
  let dh = ${fromAbove} + value;
  ${cellBackward(p, l)}`,
  tile,
)}
${main}`;
  const times = Array.from({ length: T }, (_, t) => T - 1 - t);
  return { label: `layer ${l} backward`, code, bindings, workgroups, times };
}

/**
 * Layer l's weight gradients and the gradient below, three products in one dispatch: [x, 1]ᵀ·dZ
 * ([Wx; b]), [h_{t−1}, (1)]ᵀ·dZ (Wh, the GRU's [Wh; bh]), and dZ·Wxᵀ — dL/d(the layer below's
 * output), times its dropout multipliers, or dL/d(the embedded tokens); a series' first layer has none.
 */
export function layerGradientsKernel(p: RecurrentLayout, l: number): KernelSource {
  const H = p.units[l];
  const GH = GATES[p.cell] * H;
  const n = p.inputs[l];
  const T = p.time;
  const input = inputWgsl(p, l);
  const hRows = H + (p.cell === 'gru' ? 1 : 0);
  const below = l > 0 || p.vocab !== null;
  const parts = [
    { name: 'inputWeights', m: n + 1, n: GH, tile: tileFor(n + 1, GH) },
    { name: 'recurrentWeights', m: hRows, n: GH, tile: tileFor(hRows, GH) },
    ...(below ? [{ name: 'below', m: p.rows, n, tile: tileFor(p.rows, n) }] : []),
  ];
  const { main, workgroups, shared } = productsMain(parts);
  const dGates = (r: string, k: string) => `acts[${p.dGates[l]}u + ${r} * ${GH}u + ${k}]`;
  let belowStore = '';
  if (l > 0) {
    const at = `row * ${n}u + col`;
    belowStore = `acts[${p.dUp[l - 1]}u + ${at}] = value${keptBy(p, l - 1, at)};`;
  } else if (p.vocab) belowStore = `acts[${p.dEmbedded}u + row * ${n}u + col] = value;`;
  const bindings: Binding[] = [...input.bindings, 'params', 'grads', 'acts'];
  const code = `${header(bindings)}
${shared}
${input.code}
${recurrentGradWgsl(p, l)}
fn previousOrOne(r: u32, i: u32) -> f32 {
  if (i == ${H}u) { return 1.0; }
  if (r % ${T}u == 0u) { return 0.0; }
  return acts[${p.h[l]}u + (r - 1u) * ${H}u + i];
}
${product('inputWeights', n + 1, GH, p.rows, (i, r) => `inputOrOne(${r}, ${i})`, dGates, `grads[${p.xBlock[l]}u + row * ${GH}u + col] = value;`, parts[0].tile)}
${product(
  'recurrentWeights',
  hRows,
  GH,
  p.rows,
  (i, r) => `previousOrOne(${r}, ${i})`,
  (r, k) => `recurrentGrad(${r}, ${k})`,
  `grads[${p.hBlock[l]}u + row * ${GH}u + col] = value;`,
  parts[1].tile,
)}
${below ? product('below', p.rows, n, GH, dGates, (k, i) => `params[${p.xBlock[l]}u + ${i} * ${GH}u + ${k}]`, belowStore, parts[2].tile) : ''}
${main}`;
  return { label: `layer ${l} gradients`, code, bindings, workgroups };
}

/** The embedding table's gradient: each row the sum of dL/d(embedded) over the positions holding its token. */
export function embeddingGradientKernel(p: RecurrentLayout): KernelSource {
  const width = p.inputs[0];
  const size = (p.vocab ?? 0) * width;
  const bindings: Binding[] = ['step', 'perm', 'tokens', 'grads', 'acts'];
  const groups = Math.ceil(size / THREADS);
  const gx = Math.min(groups, 65_535);
  const code = `${header(bindings)}
${sourceWgsl(p)}
@compute @workgroup_size(${THREADS})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let e = (wg.y * ${gx}u + wg.x) * ${THREADS}u + t;
  if (e >= ${size}u) { return; }
  let token = i32(e / ${width}u);
  let i = e % ${width}u;
  var sum = 0.0;
  for (var r = 0u; r < ${p.rows}u; r++) {
    if (tokens[source(r)] == token) { sum += acts[${p.dEmbedded}u + r * ${width}u + i]; }
  }
  grads[${p.embeddingAt}u + e] = sum;
}`;
  return { label: 'embedding gradient', code, bindings, workgroups: [gx, Math.ceil(groups / gx), 1] };
}
