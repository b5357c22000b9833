// Just enough of WebAssembly's binary format to write our kernels (wasmUpdate.ts, wasmMatMul.ts)
// byte by byte: no toolchain, no eval. Each module imports tfjs-wasm's memory and exports one
// function; compiling it needs only what tfjs-wasm itself needs. (WebAssembly core spec 5.3–5.5;
// SIMD instructions follow the prefix 0xfd.)

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export const op = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  f32Load: 0x2a,
  f32Store: 0x38,
  i32Const: 0x41,
  f32Const: 0x43,
  i32Eqz: 0x45,
  i32GtU: 0x4b,
  i32GeU: 0x4f,
  f32Lt: 0x5d,
  f32Gt: 0x5e,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Shl: 0x74,
  f32Neg: 0x8c,
  f32Sqrt: 0x91,
  f32Add: 0x92,
  f32Sub: 0x93,
  f32Mul: 0x94,
  f32Div: 0x95,
  f32Max: 0x97,
  f32ConvertI32S: 0xb2,
} as const;
export const simd = {
  load: 0x00,
  load32Splat: 0x09,
  store: 0x0b,
  splat: 0x13,
  lt: 0x43,
  gt: 0x44,
  i32Sub: 0xb1,
  convertI32S: 0xfa,
  neg: 0xe1,
  sqrt: 0xe3,
  add: 0xe4,
  sub: 0xe5,
  mul: 0xe6,
  div: 0xe7,
  max: 0xe9,
} as const;

/** Unsigned LEB128, as the binary format writes counts and indices. */
export function uleb(n: number): number[] {
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
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && byte & 0x40)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

export const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
const name = (s: string) => vec([...s].map((c) => [c.charCodeAt(0)]));
export const simdOp = (code: number) => [0xfd, ...uleb(code)];
/** A load's or store's alignment hint (2⁰: any) and constant offset in bytes. */
export const memarg = (offset = 0) => [0, ...uleb(offset)];

export const get = (local: number) => [op.localGet, ...uleb(local)];
export const set = (local: number) => [op.localSet, ...uleb(local)];
export const tee = (local: number) => [op.localTee, ...uleb(local)];
export const i32 = (n: number) => [op.i32Const, ...sleb(n)];

/** while (condition) { body }: `condition` leaves an i32 on the stack; its negation is `exit`. */
export function whileLoop(exit: number[], body: number[]): number[] {
  return [op.block, 0x40, op.loop, 0x40, ...exit, op.brIf, 1, ...body, op.br, 0, op.end, op.end];
}

/**
 * A module importing env.memory (shared or not: tfjs-wasm's threaded build shares its memory) and
 * exporting `exported`, a function of `params` returning nothing, with `locals` (count, type) and `code`.
 */
export function moduleBytes(
  exported: string,
  params: number[],
  locals: [number, number][],
  code: number[],
  sharedMemory: boolean,
): Uint8Array<ArrayBuffer> {
  const body = [...vec(locals.map(([count, type]) => [...uleb(count), type])), ...code, op.end];
  const limits = sharedMemory ? [0x03, 0, ...uleb(65536)] : [0x00, 0];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // \0asm, version 1
    ...section(1, vec([[0x60, ...vec(params.map((p) => [p])), 0]])), // type 0: params → ()
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, ...limits]])), // import the memory
    ...section(3, vec([[0]])), // function 0 has type 0
    ...section(7, vec([[...name(exported), 0x00, 0]])), // export it
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
}

export const isShared = (memory: WebAssembly.Memory) =>
  typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;

/** The first of `candidates` (module bytes, best first) this engine accepts, instantiated over `memory`. */
export function instantiateFirstValid(
  candidates: Uint8Array<ArrayBuffer>[],
  memory: WebAssembly.Memory,
  exported: string,
): ((...args: number[]) => void) | null {
  const bytes = candidates.find((b) => WebAssembly.validate(b));
  if (!bytes) return null;
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
  return instance.exports[exported] as (...args: number[]) => void;
}
