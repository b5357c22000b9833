// WGSL building blocks of the compiled step's kernels (mlpShaders.ts): float literals, each
// activation and its derivative, a tiled matrix product with caller-supplied loads and store, and a
// workgroup sum.
import type { Activation } from '../../experiment/types';
import { GELU_C, LEAKY_SLOPE } from '../backprop';

/** A WGSL f32 literal. */
export const lit = (v: number) => {
  const s = String(v);
  return /[.eE]/.test(s) ? s : `${s}.0`;
};

/** f(z) in WGSL. tanh by its exponential (WGSL's tanh may give NaN for large |z| on some drivers). */
export function activationWgsl(activation: Activation, z: string): string {
  switch (activation) {
    case 'linear':
      return z;
    case 'relu':
      return `max(${z}, 0.0)`;
    case 'tanh':
      return `tanhOf(${z})`;
    case 'sigmoid':
      return `1.0 / (1.0 + exp(-${z}))`;
    case 'leakyRelu':
      return `select(${lit(LEAKY_SLOPE)} * ${z}, ${z}, ${z} > 0.0)`;
    case 'elu':
      return `select(exp(${z}) - 1.0, ${z}, ${z} > 0.0)`;
    case 'silu':
      return `${z} / (1.0 + exp(-${z}))`;
    case 'gelu':
      return `0.5 * ${z} * (1.0 + tanhOf(${lit(GELU_C)} * (${z} + 0.044715 * ${z} * ${z} * ${z})))`;
  }
}

/**
 * d · f′ in WGSL, from the pre-activation z or (cheaper where it serves) the output a; `a` null:
 * the stored output is not f(z) (dropout scaled it), so f′ comes from z.
 */
export function derivativeWgsl(activation: Activation, d: string, z: string, a: string | null): string {
  switch (activation) {
    case 'linear':
      return d;
    case 'relu':
      return `select(0.0, ${d}, ${z} > 0.0)`;
    case 'tanh':
      return a ? `${d} * (1.0 - ${a} * ${a})` : `${d} * (1.0 - tanhOf(${z}) * tanhOf(${z}))`;
    case 'sigmoid':
      return a ? `${d} * ${a} * (1.0 - ${a})` : `${d} * sigmoidGrad(${z})`;
    case 'leakyRelu':
      return `${d} * select(${lit(LEAKY_SLOPE)}, 1.0, ${z} > 0.0)`;
    case 'elu':
      return `${d} * select(exp(${z}), 1.0, ${z} > 0.0)`;
    case 'silu':
      return `${d} * siluGrad(${z})`;
    case 'gelu':
      return `${d} * geluGrad(${z})`;
  }
}

export const HELPERS = `
fn tanhOf(v: f32) -> f32 {
  let e = exp(-2.0 * abs(v));
  return sign(v) * (1.0 - e) / (1.0 + e);
}
fn sigmoidGrad(z: f32) -> f32 {
  let s = 1.0 / (1.0 + exp(-z));
  return s * (1.0 - s);
}
fn siluGrad(z: f32) -> f32 {
  let s = 1.0 / (1.0 + exp(-z));
  return s * (1.0 + z * (1.0 - s));
}
fn geluGrad(z: f32) -> f32 {
  let t = tanhOf(${lit(GELU_C)} * (z + 0.044715 * z * z * z));
  return 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * ${lit(GELU_C)} * (1.0 + 3.0 * 0.044715 * z * z);
}`;

/** Tile edge (rows and columns a workgroup computes) and depth of the products, and the threads a workgroup runs. */
export const TILE = 64;
// Depth 8: on SwiftShader (software WebGPU) a 64×64 tile's shader compiles in ~0.5 s at depth 8
// against ~1.3 s at 16 (its inner loop is unrolled), and a run compiles one per kernel.
const DEPTH = 8;
// 64 threads, each 8×8 of a 64×64 tile (4×4 of a 32×32 one): on SwiftShader a product of 256³ ran at
// 0.29 GFLOP/s against 0.18 with 256 threads of 4×4, and compiled in 0.38 s against 0.53.
export const THREADS = 64;
const GRID = 8;
export const tiles = (n: number, tile = TILE) => Math.ceil(n / tile);
/** The tile for an m×n product: 32 where 64 would leave fewer than 8 workgroups. */
export const tileFor = (m: number, n: number) => (tiles(m) * tiles(n) < 8 ? 32 : TILE);

/** The workgroup tiles of products with tiles up to `tile` (sized to it: their size slows compiling too). */
export const shared = (tile = TILE) => `
var<workgroup> tileA: array<f32, ${tile * DEPTH}>;
var<workgroup> tileB: array<f32, ${tile * DEPTH}>;`;
export const SHARED = shared();

/** One operand of a product: the value at (i, k) (A) or (k, j) (B), in bounds. */
export type Element = (i: string, k: string) => string;

/**
 * One tile×tile tile of C = A·B (A: m×k, B: k×n) at tile (tileRow, tileCol), each of the 64
 * threads computing (tile/8)² of it in registers from tiles of A and B staged in workgroup memory;
 * `store` receives each in-bounds value of C as (row, col, value). Tiles of 64 (TILE), or 32 where
 * C is small (more workgroups share the work).
 */
export function product(
  name: string,
  m: number,
  n: number,
  k: number,
  a: Element,
  b: Element,
  store: string,
  tile = TILE,
): string {
  const edge = tile / GRID;
  return `
fn ${name}_a(i: u32, k: u32) -> f32 {
  if (i >= ${m}u || k >= ${k}u) { return 0.0; }
  return ${a('i', 'k')};
}
fn ${name}_b(k: u32, j: u32) -> f32 {
  if (k >= ${k}u || j >= ${n}u) { return 0.0; }
  return ${b('k', 'j')};
}
fn ${name}_store(row: u32, col: u32, value: f32) {
  ${store}
}
fn ${name}(tileRow: u32, tileCol: u32, thread: u32) {
  let ty = thread / ${GRID}u;
  let tx = thread % ${GRID}u;
  var acc: array<array<f32, ${edge}>, ${edge}>;
  for (var k0 = 0u; k0 < ${k}u; k0 += ${DEPTH}u) {
    for (var q = 0u; q < ${(tile * DEPTH) / THREADS}u; q++) {
      let e = thread + q * ${THREADS}u;
      tileA[(e % ${DEPTH}u) * ${tile}u + e / ${DEPTH}u] = ${name}_a(tileRow * ${tile}u + e / ${DEPTH}u, k0 + e % ${DEPTH}u);
      tileB[e] = ${name}_b(k0 + e / ${tile}u, tileCol * ${tile}u + e % ${tile}u);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${DEPTH}u; kk++) {
      var av: array<f32, ${edge}>;
      var bv: array<f32, ${edge}>;
      for (var i = 0u; i < ${edge}u; i++) {
        av[i] = tileA[kk * ${tile}u + ty * ${edge}u + i];
        bv[i] = tileB[kk * ${tile}u + tx * ${edge}u + i];
      }
      for (var i = 0u; i < ${edge}u; i++) {
        for (var j = 0u; j < ${edge}u; j++) {
          acc[i][j] += av[i] * bv[j];
        }
      }
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < ${edge}u; i++) {
    for (var j = 0u; j < ${edge}u; j++) {
      let row = tileRow * ${tile}u + ty * ${edge}u + i;
      let col = tileCol * ${tile}u + tx * ${edge}u + j;
      if (row < ${m}u && col < ${n}u) { ${name}_store(row, col, acc[i][j]); }
    }
  }
}`;
}

/** A sum over the workgroup's threads of `local`, left in partial[0] (every thread must call it). */
export const REDUCE = `
var<workgroup> partial: array<f32, ${THREADS}>;
fn workgroupSum(t: u32, local: f32) -> f32 {
  partial[t] = local;
  workgroupBarrier();
  for (var s = ${THREADS / 2}u; s > 0u; s >>= 1u) {
    if (t < s) { partial[t] += partial[t + s]; }
    workgroupBarrier();
  }
  return partial[0];
}`;

/** One of the products a kernel runs side by side (productsMain). */
export interface ProductPart {
  name: string;
  m: number;
  n: number;
  tile: number;
}

/**
 * main() of a kernel running several independent products in one dispatch, its workgroups split
 * between them in order; with the workgroups and the workgroup tiles it needs.
 */
export function productsMain(parts: ProductPart[]): {
  main: string;
  workgroups: [number, number, number];
  /** The workgroup tiles they need. */
  shared: string;
} {
  let start = 0;
  const branches = parts.map(({ name, m, n, tile }) => {
    const cols = tiles(n, tile);
    const branch = `if (w < ${start + tiles(m, tile) * cols}u) {
    let k = w - ${start}u;
    ${name}(k / ${cols}u, k % ${cols}u, t);
    return;
  }`;
    start += tiles(m, tile) * cols;
    return branch;
  });
  const main = `@compute @workgroup_size(${THREADS})
fn main(@builtin(workgroup_id) g: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let w = g.x;
  ${branches.join('\n  ')}
}`;
  return { main, workgroups: [start, 1, 1], shared: shared(Math.max(...parts.map((p) => p.tile))) };
}
