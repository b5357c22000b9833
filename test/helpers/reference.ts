// Checking our layers against reference values (PyTorch's fixtures, tf's own ops): element-by-element closeness,
// and a function's output with its gradients.
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';

/** Each value within `tol` of the reference, relative where the reference is above 1 in size. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what = '', tol = 1e-4): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    expect(Math.abs(actual[i] - expected[i]), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`).toBeLessThan(
      tol * Math.max(1, Math.abs(expected[i])),
    );
  }
}

/**
 * Every value within `tol` of the reference, relative to the reference's largest magnitude (at least 1e-3): for
 * f32 sums taken in another order, as our compiled kernels take them.
 */
export function expectCloseToScale(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  tol = 2e-5,
): void {
  expect(actual.length, what).toBe(expected.length);
  const scale = Math.max(1e-3, ...Array.from(expected, Math.abs));
  for (let i = 0; i < expected.length; i++)
    expect(Math.abs(actual[i] - expected[i]), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(
      tol * scale,
    );
}

/**
 * The output of f and the gradients of loss = Σ f·R with respect to every named tensor, read back (asynchronously:
 * WebGPU in Node cannot read synchronously).
 */
export async function gradsOf(
  f: (p: Record<string, tf.Tensor>) => tf.Tensor,
  params: Record<string, tf.Tensor>,
  R: tf.Tensor,
): Promise<{ out: Float32Array; grads: Record<string, Float32Array> }> {
  const names = Object.keys(params);
  const [out, ...grads] = tf.tidy(() => [
    f(params),
    ...tf.grads((...xs: tf.Tensor[]) =>
      f(Object.fromEntries(names.map((n, i) => [n, xs[i]])))
        .mul(R)
        .sum(),
    )(names.map((k) => params[k])),
  ]);
  const values = await Promise.all([out, ...grads].map((t) => t.data() as Promise<Float32Array>));
  tf.dispose([out, ...grads]);
  return { out: values[0], grads: Object.fromEntries(names.map((n, i) => [n, values[i + 1]])) };
}
