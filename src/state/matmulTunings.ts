// The webgpu matmul shader choices the worker measured (engine/kernels/matMulTuning.ts), kept in
// localStorage per browser and GPU, so a later visit's first epoch does not time them again.
// What is read back is untrusted and checked; storage that is full or refused costs time only.
import { validMatMulTunings } from '../engine/kernels/matMulTuningEntries';

export const MATMUL_TUNINGS_KEY = 'nn-playground.matmulTunings';
/** Devices kept (a browser update or another GPU is another device); the oldest are dropped. */
const MAX_DEVICES = 8;

/** Every device's choices, as [device, entries] with the newest last. */
function readAll(): [string, [string, number][]][] {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(MATMUL_TUNINGS_KEY) ?? '[]');
    if (!Array.isArray(raw)) return [];
    return raw.flatMap((e): [string, [string, number][]][] =>
      Array.isArray(e) && typeof e[0] === 'string' && e[0].length <= 1000 ? [[e[0], validMatMulTunings(e[1])]] : [],
    );
  } catch {
    return [];
  }
}

/** The kept choices by device, for the worker. */
export function keptMatMulTunings(): Record<string, [string, number][]> {
  return Object.fromEntries(readAll());
}

/** Keep a device's choices (all of them, as the worker sends them), replacing what it had. */
export function keepMatMulTunings(device: string, entries: [string, number][]): void {
  const others = readAll().filter(([d]) => d !== device);
  const all = [...others, [device, validMatMulTunings(entries)]].slice(-MAX_DEVICES);
  try {
    localStorage.setItem(MATMUL_TUNINGS_KEY, JSON.stringify(all));
  } catch {
    // Full or refused: the next visit measures the shapes again.
  }
}
