// Named tensors as plain data (checkpoints, weight files): the checks that need no tfjs.
import type { TensorData } from './types';

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/**
 * Whether `got` holds exactly the tensors `expected` names, with the same shapes; the first
 * problem as a sentence naming the tensor and both shapes, or null when they fit.
 */
export function tensorMismatch(
  expected: { name: string; shape: readonly number[] }[],
  got: readonly TensorData[],
): string | null {
  const byName = new Map(got.map((t) => [t.name, t]));
  for (const e of expected) {
    const t = byName.get(e.name);
    if (!t) return `the tensor ${e.name} (shape ${shapeText(e.shape)}) is missing`;
    if (t.shape.length !== e.shape.length || t.shape.some((d, i) => d !== e.shape[i])) {
      return `the tensor ${e.name} has shape ${shapeText(t.shape)}, but this model's is ${shapeText(e.shape)}`;
    }
    if (t.values.length !== e.shape.reduce((a, b) => a * b, 1)) {
      return `the tensor ${e.name} holds ${t.values.length} values, but its shape ${shapeText(e.shape)} needs ${e.shape.reduce((a, b) => a * b, 1)}`;
    }
  }
  const known = new Set(expected.map((e) => e.name));
  const extra = got.find((t) => !known.has(t.name));
  return extra ? `the tensor ${extra.name} is not part of this model` : null;
}

/** Bytes the tensors take as float32. */
export function tensorBytes(tensors: readonly TensorData[]): number {
  return tensors.reduce((sum, t) => sum + t.values.length * 4, 0);
}
