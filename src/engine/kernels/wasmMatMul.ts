// A matrix product written as WebAssembly SIMD over tfjs-wasm's memory: C = act(A·B + bias), with
// A given as it is (M×K) or transposed (stored K×M). A layer's training step multiplies by matrices
// that are new at every step (the weights after the optimizer, the activations, the gradients),
// and tfjs-wasm's XNNPACK matmul builds a packed operator for every new second operand and cannot
// take a transposed first one without a transpose kernel before it. This kernel copies B's
// columns into eight-wide panels once per call, then multiplies four rows of A against one panel
// at a time (eight accumulators of four lanes), reading A as stored either way. So x·W + b with
// relu, and xᵀ·dz, are each one kernel: 1.4–2.2× tfjs-wasm's products at MNIST's shapes and 1.44×
// at 1024³ (side by side, 2-core EPYC).
import {
  get,
  I32,
  i32,
  instantiateFirstValid,
  isShared,
  memarg,
  moduleBytes,
  op,
  set,
  simd,
  simdOp,
  V128,
  F32,
  whileLoop,
} from './wasmEncoding';

export interface MatMulForm {
  /** A stored transposed (K×M): the product is Aᵀ·B for the stored A. */
  transposeA: boolean;
  /** A bias per column added (its address among the arguments). */
  bias: boolean;
  relu: boolean;
}

/**
 * (M, N, K, addresses of A, B, C, the bias (or 0), scratch for B's panels (packedSize floats),
 * then rows per chunk): writes C (M×N, row-major).
 */
export type CompiledMatMul = (...args: number[]) => void;

/** Floats of scratch the product needs for B (K×N): its whole eight-column panels. */
export const packedSize = (k: number, n: number) => k * (n - (n % 8));

/** Rows of A per chunk: about 32 KB of A, so that a chunk stays in cache while B's panels pass. */
export const rowsPerChunk = (k: number) => Math.max(4, Math.floor(8192 / k) & ~3);

const V128_CONST = 0x0c;
/** Rows of A per block: four by eight columns is 8 accumulators of the 16 registers x86 gives SIMD (six rows measured slower). */
const ROWS = 4;
const zeros = [...simdOp(V128_CONST), ...Array<number>(16).fill(0)];

/** The module's bytes for one form of the product. */
export function matMulModuleBytes(form: MatMulForm, sharedMemory: boolean): Uint8Array<ArrayBuffer> {
  // Parameters, then locals.
  const [M, N, K, A, B, C, BIAS, P, MC] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [i, j, k, pb, aStride, bStride, i0, iEnd] = [9, 10, 11, 12, 13, 14, 15, 16];
  const R = ROWS;
  const pa = (r: number) => 17 + r; // a row pointer into A per row of the block (one when A is transposed)
  const acc = (r: number, c: number) => 17 + R + 2 * r + c; // v128 accumulators, rows × two column groups
  const bv = (c: number) => 17 + 3 * R + c; // v128: B's row, columns c·4 … c·4+3
  const av = 19 + 3 * R; // v128: one element of A in all four lanes
  const facc = (r: number) => 20 + 3 * R + r; // f32 accumulators (the last columns, one at a time)
  const fb = 20 + 4 * R;

  /** The block of rows i … i+rows−1 by columns j … j+4·groups−1 (groups 0: the one column j). */
  const block = (rows: number, groups: number) => {
    const scalar = groups === 0;
    const packed = groups === 2; // eight columns read from their packed panel
    const setup = [
      ...Array.from({ length: rows }, (_, r) =>
        form.transposeA
          ? r === 0
            ? [...get(A), ...get(i), ...i32(2), op.i32Shl, op.i32Add, ...set(pa(0))] // A[0][i] stored at (0·M + i)
            : []
          : [
              ...get(i),
              ...i32(r),
              op.i32Add,
              ...get(K),
              op.i32Mul,
              ...i32(2),
              op.i32Shl,
              ...get(A),
              op.i32Add,
              ...set(pa(r)),
            ],
      ).flat(),
      ...(packed
        ? [...get(j), ...get(K), op.i32Mul, ...i32(2), op.i32Shl, ...get(P), op.i32Add, ...set(pb)] // panel j/8 of P
        : [...get(j), ...i32(2), op.i32Shl, ...get(B), op.i32Add, ...set(pb)]),
      ...Array.from({ length: rows }, (_, r) =>
        scalar
          ? [op.f32Const, 0, 0, 0, 0, ...set(facc(r))]
          : Array.from({ length: groups }, (_, c) => [...zeros, ...set(acc(r, c))]).flat(),
      ).flat(),
      ...[...get(K), ...set(k)],
    ];
    // A[i+r][k]: its own row pointer, or (transposed) the r-th element of the stored row k.
    const loadA = (r: number) =>
      form.transposeA
        ? [...get(pa(0)), ...(scalar ? [op.f32Load] : simdOp(simd.load32Splat)), ...memarg(4 * r)]
        : [...get(pa(r)), ...(scalar ? [op.f32Load] : simdOp(simd.load32Splat)), ...memarg()];
    const step = [
      ...(scalar
        ? [...get(pb), op.f32Load, ...memarg(), ...set(fb)]
        : Array.from({ length: groups }, (_, c) => [
            ...get(pb),
            ...simdOp(simd.load),
            ...memarg(16 * c),
            ...set(bv(c)),
          ]).flat()),
      ...Array.from({ length: rows }, (_, r) =>
        scalar
          ? [...get(facc(r)), ...loadA(r), ...get(fb), op.f32Mul, op.f32Add, ...set(facc(r))]
          : [
              ...loadA(r),
              ...set(av),
              ...Array.from({ length: groups }, (_, c) => [
                ...get(acc(r, c)),
                ...get(av),
                ...get(bv(c)),
                ...simdOp(simd.mul),
                ...simdOp(simd.add),
                ...set(acc(r, c)),
              ]).flat(),
            ],
      ).flat(),
      // Next k: A's rows move one element (or, transposed, one stored row); B moves one row.
      ...(form.transposeA
        ? [...get(pa(0)), ...get(aStride), op.i32Add, ...set(pa(0))]
        : Array.from({ length: rows }, (_, r) => [...get(pa(r)), ...i32(4), op.i32Add, ...set(pa(r))]).flat()),
      ...[...get(pb), ...(packed ? i32(32) : get(bStride)), op.i32Add, ...set(pb)],
      ...[...get(k), ...i32(1), op.i32Sub, ...set(k)],
    ];
    // C[i+r][j + 4c …] = act(acc + bias[j + 4c …]).
    const store = Array.from({ length: rows }, (_, r) =>
      Array.from({ length: scalar ? 1 : groups }, (_, c) => [
        ...[...get(i), ...i32(r), op.i32Add, ...get(N), op.i32Mul, ...get(j), op.i32Add, ...i32(2), op.i32Shl],
        ...[...get(C), op.i32Add],
        ...(scalar ? get(facc(r)) : get(acc(r, c))),
        ...(form.bias
          ? [
              ...[...get(j), ...i32(2), op.i32Shl, ...get(BIAS), op.i32Add],
              ...(scalar
                ? [op.f32Load, ...memarg(), op.f32Add]
                : [...simdOp(simd.load), ...memarg(16 * c), ...simdOp(simd.add)]),
            ]
          : []),
        ...(form.relu ? (scalar ? [op.f32Const, 0, 0, 0, 0, op.f32Max] : [...zeros, ...simdOp(simd.max)]) : []),
        ...(scalar ? [op.f32Store, ...memarg()] : [...simdOp(simd.store), ...memarg(16 * c)]),
      ]).flat(),
    ).flat();
    return [...setup, ...whileLoop([...get(k), op.i32Eqz], step), ...store];
  };

  /** Rows i0 … iEnd−1 of columns j … j+width−1: four at a time, then one. */
  const rowsOfChunk = (groups: number) => [
    ...[...get(i0), ...set(i)],
    ...[R, 1].flatMap((rows) =>
      // while (iEnd − i ≥ rows)
      whileLoop(
        [...i32(rows), ...get(iEnd), ...get(i), op.i32Sub, op.i32GtU],
        [...block(rows, groups), ...get(i), ...i32(rows), op.i32Add, ...set(i)],
      ),
    ),
  ];

  // B's columns eight at a time copied into panels, each K rows of 32 bytes end to end: a block
  // then reads one cache line after another, where B's own rows lie N·4 bytes apart (4 KB at
  // N = 1024, all in one set of the L1 cache). j and the first row pointer serve as cursors.
  const pack = [
    ...[...i32(0), ...set(j)],
    ...[...get(P), ...set(pb)],
    ...whileLoop(
      [...i32(8), ...get(N), ...get(j), op.i32Sub, op.i32GtU],
      [
        ...[...get(j), ...i32(2), op.i32Shl, ...get(B), op.i32Add, ...set(pa(0))],
        ...[...get(K), ...set(k)],
        ...whileLoop(
          [...get(k), op.i32Eqz],
          [
            ...[0, 16].flatMap((at) => [
              ...[...get(pb), ...get(pa(0)), ...simdOp(simd.load), ...memarg(at)],
              ...[...simdOp(simd.store), ...memarg(at)],
            ]),
            ...[...get(pb), ...i32(32), op.i32Add, ...set(pb)],
            ...[...get(pa(0)), ...get(bStride), op.i32Add, ...set(pa(0))],
            ...[...get(k), ...i32(1), op.i32Sub, ...set(k)],
          ],
        ),
        ...[...get(j), ...i32(8), op.i32Add, ...set(j)],
      ],
    ),
  ];

  const code = [
    ...[...get(form.transposeA ? M : K), ...i32(2), op.i32Shl, ...set(aStride)],
    ...[...get(N), ...i32(2), op.i32Shl, ...set(bStride)],
    ...pack,
    // Rows MC at a time (their A stays in cache across every column); within: columns eight at a
    // time, then four, then one.
    ...[...i32(0), ...set(i0)],
    ...whileLoop(
      [...get(i0), ...get(M), op.i32GeU],
      [
        // iEnd = min(i0 + MC, M)
        ...[...get(M), ...get(i0), ...get(MC), op.i32Add, ...get(i0), ...get(MC), op.i32Add, ...get(M), op.i32GtU],
        ...[op.select, ...set(iEnd)],
        ...[...i32(0), ...set(j)],
        ...[2, 1, 0].flatMap((groups) => {
          const width = groups ? 4 * groups : 1;
          return whileLoop(
            [...i32(width), ...get(N), ...get(j), op.i32Sub, op.i32GtU],
            [...rowsOfChunk(groups), ...get(j), ...i32(width), op.i32Add, ...set(j)],
          );
        }),
        ...[...get(i0), ...get(MC), op.i32Add, ...set(i0)],
      ],
    ),
  ];
  const locals: [number, number][] = [
    [8 + R, I32], // i, j, k, pb, aStride, bStride, i0, iEnd, a row pointer per row
    [2 * R + 3, V128], // accumulators, b 0–1, a
    [R + 1, F32], // scalar accumulators, b
  ];
  return moduleBytes('matmul', Array<number>(9).fill(I32), locals, code, sharedMemory);
}

const compiled = new WeakMap<WebAssembly.Memory, Map<string, CompiledMatMul | null>>();

/** The product in this form over `memory` (compiled once per memory); null where SIMD is missing. */
export function wasmMatMul(form: MatMulForm, memory: WebAssembly.Memory): CompiledMatMul | null {
  let byForm = compiled.get(memory);
  if (!byForm) compiled.set(memory, (byForm = new Map<string, CompiledMatMul | null>()));
  const key = `${form.transposeA}${form.bias}${form.relu}`;
  if (!byForm.has(key))
    byForm.set(key, instantiateFirstValid([matMulModuleBytes(form, isShared(memory))], memory, 'matmul'));
  return byForm.get(key)!;
}
