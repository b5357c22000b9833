// The optimizer's update formulas compiled to a WebAssembly function that runs over tfjs-wasm's
// own memory, four elements at a time (SIMD), in place: one pass per variable reading w, g and the
// slots once and writing w and the slots once. tfjs' elementwise kernels take a dozen passes
// for Adam, each a kernel call: 7.5 ms a step on MNIST's 784×1024 layer against 1.3 ms compiled
// (wasm, 2-core EPYC, side by side).
import { parseAssignment, type BinaryOp, type Formula } from './formulas';
import { HYPER_NAMES, type HyperValues, type UpdateFormulas } from './optimizerUpdate';
import {
  F32,
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
  tee,
  V128,
  whileLoop,
} from './wasmEncoding';

/** (n, pointer to w, to g, to each slot, each hyper-parameter): updates n elements in place. */
type CompiledUpdate = (...args: number[]) => void;

/** The module's bytes: one exported function "update" importing env.memory (shared or not). */
export function updateModuleBytes(
  f: UpdateFormulas,
  { sharedMemory, simd: useSimd }: { sharedMemory: boolean; simd: boolean },
): Uint8Array<ArrayBuffer> {
  const names = ['w', 'g', ...f.slots, ...HYPER_NAMES];
  const arrays = 2 + f.slots.length; // w, g, the slots: in memory; the rest are numbers
  const assignments = f.assignments.map((a) => parseAssignment(a, names));
  const written = [...new Set(assignments.map((a) => a.target))].filter((t) => t !== 1); // g is never stored
  if (assignments.some((a) => a.target >= arrays)) throw new Error('an update formula assigns a hyper-parameter');

  // Locals: parameters n, the array pointers, the hyper-parameters; then the byte offset, the
  // loop's end, each name as a v128 (four lanes) and each array's element as an f32 (the tail).
  const nParam = 0;
  const pointer = (k: number) => 1 + k;
  const hyperParam = (k: number) => 1 + arrays + (k - arrays);
  const offset = 1 + names.length;
  const end = offset + 1;
  const lanes = (k: number) => end + 1 + k;
  const scalar = (k: number) => end + 1 + names.length + k;
  // Scratch for sign(x), which reads x twice: four lanes, and one.
  const scratchLanes = end + 1 + names.length + arrays;
  const scratch = scratchLanes + 1;

  const address = (k: number) => [...get(pointer(k)), ...get(offset), op.i32Add];

  const expression = (e: Formula, wide: boolean): number[] => {
    switch (e.op) {
      case 'name':
        return get(wide ? lanes(e.index) : e.index < arrays ? scalar(e.index) : hyperParam(e.index));
      case 'neg':
      case 'sqrt':
        return [...expression(e.a, wide), ...(wide ? simdOp(simd[e.op]) : [e.op === 'neg' ? op.f32Neg : op.f32Sqrt])];
      case 'sign':
        return [...expression(e.a, wide), ...(wide ? signOfLanes : signOfScalar)];
      default:
        return [...expression(e.a, wide), ...expression(e.b, wide), ...binaryOp(e.op, wide)];
    }
  };
  const binaryOp = (o: BinaryOp, wide: boolean) => {
    const scalarOp = { '+': op.f32Add, '-': op.f32Sub, '*': op.f32Mul, '/': op.f32Div, max: op.f32Max }[o];
    const simdCode = { '+': simd.add, '-': simd.sub, '*': simd.mul, '/': simd.div, max: simd.max }[o];
    return wide ? simdOp(simdCode) : [scalarOp];
  };

  // sign(x) as (x > 0) − (x < 0): SIMD comparisons give −1 (all bits set) where true, so there
  // it is (x < 0) − (x > 0); scalar ones give 1.
  const zeroLanes = [op.f32Const, 0, 0, 0, 0, ...simdOp(simd.splat)];
  const signOfLanes = [
    ...[...tee(scratchLanes), ...zeroLanes, ...simdOp(simd.lt)],
    ...[...get(scratchLanes), ...zeroLanes, ...simdOp(simd.gt)],
    ...simdOp(simd.i32Sub),
    ...simdOp(simd.convertI32S),
  ];
  const signOfScalar = [
    ...[...tee(scratch), op.f32Const, 0, 0, 0, 0, op.f32Gt],
    ...[...get(scratch), op.f32Const, 0, 0, 0, 0, op.f32Lt],
    op.i32Sub,
    op.f32ConvertI32S,
  ];

  /** while (offset < end) { load; assign; store; offset += step } */
  const loop = (wide: boolean) => {
    const local = wide ? lanes : scalar;
    const load = wide ? simdOp(simd.load) : [op.f32Load];
    const store = wide ? simdOp(simd.store) : [op.f32Store];
    return whileLoop(
      [...get(offset), ...get(end), op.i32GeU],
      [
        ...Array.from({ length: arrays }, (_, k) => [...address(k), ...load, ...memarg(), ...set(local(k))]).flat(),
        ...assignments.flatMap((a) => [...expression(a.value, wide), ...set(local(a.target))]),
        ...written.flatMap((k) => [...address(k), ...get(local(k)), ...store, ...memarg()]),
        ...[...get(offset), ...i32(wide ? 16 : 4), op.i32Add, ...set(offset)],
      ],
    );
  };

  const fourAtATime = [
    // Four lanes of each hyper-parameter, once.
    ...HYPER_NAMES.flatMap((_, j) => [
      ...get(hyperParam(arrays + j)),
      ...simdOp(simd.splat),
      ...set(lanes(arrays + j)),
    ]),
    // The whole groups of four: end = (n & ~3) · 4 bytes.
    ...[...get(nParam), ...i32(-4), op.i32And, ...i32(2), op.i32Shl, ...set(end)],
    ...loop(true),
  ];
  const code = [
    ...(useSimd ? fourAtATime : []),
    // The rest (n mod 4 elements, or all without SIMD) one at a time: end = n · 4 bytes.
    ...[...get(nParam), ...i32(2), op.i32Shl, ...set(end)],
    ...loop(false),
  ];
  const params = [I32, ...Array<number>(arrays).fill(I32), ...Array<number>(HYPER_NAMES.length).fill(F32)];
  // v128 locals only with SIMD (an engine without it rejects the type); the unused stay zero.
  const locals: [number, number][] = [
    [2, I32],
    [names.length, useSimd ? V128 : F32],
    [arrays, F32],
    [1, useSimd ? V128 : F32],
    [1, F32],
  ];
  return moduleBytes('update', params, locals, code, sharedMemory);
}

const compiled = new WeakMap<WebAssembly.Memory, Map<string, CompiledUpdate | null>>();

/**
 * The formulas as a function over `memory` (compiled once per memory): four lanes at a time, or
 * one where the engine lacks SIMD; null if neither compiles (tests compile every optimizer's).
 */
export function wasmUpdate(f: UpdateFormulas, memory: WebAssembly.Memory): CompiledUpdate | null {
  let byKey = compiled.get(memory);
  if (!byKey) compiled.set(memory, (byKey = new Map<string, CompiledUpdate | null>()));
  if (!byKey.has(f.key)) {
    const sharedMemory = isShared(memory);
    const forms = [true, false].map((simd) => updateModuleBytes(f, { sharedMemory, simd }));
    byKey.set(f.key, instantiateFirstValid(forms, memory, 'update'));
  }
  return byKey.get(f.key)!;
}

/** The hyper-parameters in the order the compiled function takes them. */
export const hyperArgs = (h: HyperValues): number[] => HYPER_NAMES.map((n) => h[n]);
