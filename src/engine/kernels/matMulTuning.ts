// On webgpu, tfjs picks one of several matmul shaders from the shapes by a rule tuned on real
// GPUs; on other devices another shader can be several times faster (on SwiftShader, Chromium's
// software GPU, the packed shader runs MNIST's 64×784·784×128 in 37 ms, the chosen one in 121 ms).
// So, as cuDNN's benchmark mode does, we time the candidates once per shape on this device, before
// the first epoch's batches, and use the fastest from then on. What was measured can be handed
// back on the next visit (the page keeps it per device), so only new shapes are timed again.
import * as tf from '@tensorflow/tfjs';
import { MATMUL_PROGRAMS as CANDIDATES, validMatMulTunings } from './matMulTuningEntries';

const FLAG = 'WEBGPU_MATMUL_PROGRAM_TYPE';

/** Shape key → the fastest program type measured for it. */
const fastest = new Map<string, number>();
/** While a pass is recorded: the shapes it multiplied. */
let recording: Set<string> | null = null;

const keyOf = (a: number[], b: number[], transposeA: boolean, transposeB: boolean) =>
  `${a.join('x')}|${b.join('x')}|${transposeA ? 1 : 0}${transposeB ? 1 : 0}`;

/** Run a matmul (`run`) of a by b with the shader measured fastest for these shapes, if any. */
export function withTunedMatMul<T>(
  a: tf.Tensor,
  b: tf.Tensor,
  transposeA: boolean,
  transposeB: boolean,
  run: () => T,
): T {
  if (tf.getBackend() !== 'webgpu') return run();
  const key = keyOf(a.shape, b.shape, transposeA, transposeB);
  recording?.add(key);
  const program = fastest.get(key);
  if (program === undefined || program === -1) return run();
  const env = tf.env();
  const before = env.getNumber(FLAG);
  env.set(FLAG, program);
  try {
    return run();
  } finally {
    env.set(FLAG, before);
  }
}

/**
 * Run `pass` once (its results are thrown away) to learn the matmul shapes it uses, then time
 * every candidate shader on each shape not measured before. Does nothing off webgpu.
 */
export async function tuneMatMuls(pass: () => void): Promise<void> {
  if (tf.getBackend() !== 'webgpu') return;
  recording = new Set();
  try {
    tf.tidy(pass);
  } finally {
    const keys = [...recording].filter((k) => !fastest.has(k));
    recording = null;
    for (const key of keys) fastest.set(key, await fastestProgram(key));
  }
}

/** Take choices measured earlier on this device (untrusted: entries that are not one are ignored). */
export function rememberMatMulTunings(entries: unknown): void {
  for (const [key, program] of validMatMulTunings(entries)) if (!fastest.has(key)) fastest.set(key, program);
}

/** The program types chosen so far, by shape (kept by the page, and for tests). */
export function tunedMatMuls(): ReadonlyMap<string, number> {
  return fastest;
}

async function fastestProgram(key: string): Promise<number> {
  const [aShape, bShape, flags] = key.split('|');
  const dims = (s: string) => s.split('x').map(Number);
  const a = tf.randomUniform(dims(aShape));
  const b = tf.randomUniform(dims(bShape));
  const env = tf.env();
  const before = env.getNumber(FLAG);
  let best = { program: -1, ms: Infinity };
  try {
    for (const program of CANDIDATES) {
      env.set(FLAG, program);
      const times: number[] = [];
      // The first run compiles the shader; the median of the next three is its time.
      for (let i = 0; i < 4; i++) {
        const start = performance.now();
        const out = tf.matMul(a, b, flags[0] === '1', flags[1] === '1');
        await out.data();
        out.dispose();
        if (i > 0) times.push(performance.now() - start);
      }
      const ms = times.sort((x, y) => x - y)[1];
      if (ms < best.ms) best = { program, ms };
    }
  } finally {
    env.set(FLAG, before);
    tf.dispose([a, b]);
  }
  return best.program;
}
