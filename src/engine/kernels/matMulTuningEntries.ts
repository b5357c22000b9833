// The matmul shader choices webgpu measured (kernels/matMulTuning.ts), as entries that travel
// between the worker and the page's storage. No tfjs: the page checks what it reads back with it.

/** tfjs' own choice (-1) and its packed 32×32-tile shader (3, MatMulPackedProgram). */
export const MATMUL_PROGRAMS: readonly number[] = [-1, 3];

/** "rows×cols|rows×cols|ab": both operands' shapes and whether each is transposed. */
const KEY = /^\d{1,6}(x\d{1,6}){1,3}\|\d{1,6}(x\d{1,6}){1,3}\|[01]{2}$/;

/** At most this many shapes per device are kept: more than any few models use. */
export const MAX_MATMUL_TUNINGS = 500;

/** The entries of `raw` that are well-formed [shape key, program type] pairs, at most MAX_MATMUL_TUNINGS. */
export function validMatMulTunings(raw: unknown): [string, number][] {
  if (!Array.isArray(raw)) return [];
  return raw
    .filter(
      (e): e is [string, number] =>
        Array.isArray(e) &&
        e.length === 2 &&
        typeof e[0] === 'string' &&
        KEY.test(e[0]) &&
        MATMUL_PROGRAMS.includes(e[1] as number),
    )
    .slice(-MAX_MATMUL_TUNINGS);
}
