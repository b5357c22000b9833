// The optimizer's update formulas compiled to a WebAssembly function that runs over tfjs-wasm's
// own memory, four elements at a time (SIMD), in place: one pass per variable reading w, g and the
// slots once and writing w and the slots once. tfjs' elementwise kernels take a dozen passes
// for Adam, each a kernel call; on MNIST's 784×1024 layer they took 6.2 ms a step (wasm,
// 2-core EPYC). The module is a few hundred bytes written here byte by byte (no toolchain, no
// eval: compiling WebAssembly needs only what tfjs-wasm itself needs).
import { parseAssignment, type BinaryOp, type Formula } from './formulas';
import { HYPER_NAMES, type HyperValues, type UpdateFormulas } from './optimizerUpdate';

/** (n, pointer to w, to g, to each slot, each hyper-parameter): updates n elements in place. */
type CompiledUpdate = (...args: number[]) => void;

// Value types and instructions used (WebAssembly core spec, 5.3 and 5.4; SIMD opcodes follow 0xfd).
const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const op = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  f32Load: 0x2a,
  f32Store: 0x38,
  i32Const: 0x41,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32And: 0x71,
  i32Shl: 0x74,
  f32Neg: 0x8c,
  f32Sqrt: 0x91,
  f32Add: 0x92,
  f32Sub: 0x93,
  f32Mul: 0x94,
  f32Div: 0x95,
  f32Max: 0x97,
} as const;
const SIMD = 0xfd;
const simd = {
  load: 0x00,
  store: 0x0b,
  splat: 0x13,
  neg: 0xe1,
  sqrt: 0xe3,
  add: 0xe4,
  sub: 0xe5,
  mul: 0xe6,
  div: 0xe7,
  max: 0xe9,
} as const;

/** Unsigned LEB128, as the binary format writes counts and indices. */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}
/** Signed LEB128 (i32.const). */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) return [...out, byte];
    out.push(byte | 0x80);
  }
}
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const name = (s: string) => vec([...s].map((c) => [c.charCodeAt(0)]));
const simdOp = (code: number) => [SIMD, ...uleb(code)];
const memarg = [0, 0]; // alignment hint 2⁰, offset 0

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

  const get = (i: number) => [op.localGet, ...uleb(i)];
  const set = (i: number) => [op.localSet, ...uleb(i)];
  const address = (k: number) => [...get(pointer(k)), ...get(offset), op.i32Add];

  const expression = (e: Formula, wide: boolean): number[] => {
    switch (e.op) {
      case 'name':
        return get(wide ? lanes(e.index) : e.index < arrays ? scalar(e.index) : hyperParam(e.index));
      case 'neg':
      case 'sqrt':
        return [...expression(e.a, wide), ...(wide ? simdOp(simd[e.op]) : [e.op === 'neg' ? op.f32Neg : op.f32Sqrt])];
      default:
        return [...expression(e.a, wide), ...expression(e.b, wide), ...binaryOp(e.op, wide)];
    }
  };
  const binaryOp = (o: BinaryOp, wide: boolean) => {
    const scalarOp = { '+': op.f32Add, '-': op.f32Sub, '*': op.f32Mul, '/': op.f32Div, max: op.f32Max }[o];
    const simdCode = { '+': simd.add, '-': simd.sub, '*': simd.mul, '/': simd.div, max: simd.max }[o];
    return wide ? simdOp(simdCode) : [scalarOp];
  };

  /** while (offset < end) { load; assign; store; offset += step } */
  const loop = (wide: boolean) => {
    const local = wide ? lanes : scalar;
    const load = wide ? simdOp(simd.load) : [op.f32Load];
    const store = wide ? simdOp(simd.store) : [op.f32Store];
    const body = [
      ...Array.from({ length: arrays }, (_, k) => [...address(k), ...load, ...memarg, ...set(local(k))]).flat(),
      ...assignments.flatMap((a) => [...expression(a.value, wide), ...set(local(a.target))]),
      ...written.flatMap((k) => [...address(k), ...get(local(k)), ...store, ...memarg]),
      ...get(offset),
      ...[op.i32Const, ...sleb(wide ? 16 : 4), op.i32Add],
      ...set(offset),
    ];
    return [
      ...[op.block, 0x40, op.loop, 0x40],
      ...[...get(offset), ...get(end), op.i32GeU, op.brIf, 1],
      ...body,
      ...[op.br, 0, op.end, op.end],
    ];
  };

  const fourAtATime = [
    // Four lanes of each hyper-parameter, once.
    ...HYPER_NAMES.flatMap((_, j) => [
      ...get(hyperParam(arrays + j)),
      ...simdOp(simd.splat),
      ...set(lanes(arrays + j)),
    ]),
    // The whole groups of four: end = (n & ~3) · 4 bytes.
    ...[...get(nParam), op.i32Const, ...sleb(-4), op.i32And, op.i32Const, 2, op.i32Shl, ...set(end)],
    ...loop(true),
  ];
  const code = [
    ...(useSimd ? fourAtATime : []),
    // The rest (n mod 4 elements, or all without SIMD) one at a time: end = n · 4 bytes.
    ...[...get(nParam), op.i32Const, 2, op.i32Shl, ...set(end)],
    ...loop(false),
    op.end,
  ];
  // v128 locals only with SIMD (a wasm engine without it rejects the type); the unused stay zero.
  const locals = vec([
    [2, I32],
    [...uleb(names.length), useSimd ? V128 : F32],
    [...uleb(arrays), F32],
  ]);
  const body = [...locals, ...code];

  const params = [I32, ...Array<number>(arrays).fill(I32), ...Array<number>(HYPER_NAMES.length).fill(F32)];
  const limits = sharedMemory ? [0x03, 0, ...uleb(65536)] : [0x00, 0];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // \0asm, version 1
    ...section(1, vec([[0x60, ...vec(params.map((p) => [p])), 0]])), // type: params → ()
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, ...limits]])), // import memory
    ...section(3, vec([[0]])), // function 0 has type 0
    ...section(7, vec([[...name('update'), 0x00, 0]])), // export it
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
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
    const sharedMemory = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const bytes = [true, false]
      .map((simd) => updateModuleBytes(f, { sharedMemory, simd }))
      .find((b) => WebAssembly.validate(b));
    const instance = bytes && new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    byKey.set(f.key, instance ? (instance.exports.update as CompiledUpdate) : null);
  }
  return byKey.get(f.key)!;
}

/** The hyper-parameters in the order the compiled function takes them. */
export const hyperArgs = (h: HyperValues): number[] => HYPER_NAMES.map((n) => h[n]);
