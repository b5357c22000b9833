import { expect, test } from 'vitest';
import {
  matMulModuleBytes,
  rowsPerChunk,
  type CompiledMatMul,
  type MatMulForm,
} from '../src/engine/kernels/wasmMatMul';
import { Rng } from '../src/data/rng';

// Every form of the compiled product (A as stored or transposed, with and without a bias and a
// relu), over unshared and shared memory, on shapes that reach every block the kernel has: eight
// columns at a time, four, one; four rows at a time, one. Against a plain triple loop in doubles.
const forms: MatMulForm[] = [false, true].flatMap((transposeA) =>
  [false, true].flatMap((bias) => [false, true].map((relu) => ({ transposeA, bias, relu }))),
);
const shapes = [
  [1, 1, 1],
  [4, 8, 2],
  [7, 13, 5],
  [9, 21, 3],
  [64, 36, 30],
];

test.each([false, true])('the compiled matmul equals a triple loop in every form (shared memory: %s)', (shared) => {
  const memory = new WebAssembly.Memory({ initial: 4, maximum: 16, shared });
  const heap = new Float32Array(memory.buffer);
  const rng = new Rng(11);
  for (const form of forms) {
    const matmul = new WebAssembly.Instance(new WebAssembly.Module(matMulModuleBytes(form, shared)), {
      env: { memory },
    }).exports.matmul as CompiledMatMul;
    for (const [m, n, k] of shapes)
      for (const chunk of [4, 6, rowsPerChunk(k)]) {
        const random = (length: number) => Float32Array.from({ length }, () => rng.uniform(-1, 1));
        const [a, b, bias] = [random(m * k), random(k * n), random(n)];
        // Laid out with gaps; C's gap must stay untouched.
        const [atA, atB, atBias, atC] = [16, 16 + m * k + 8, 16 + m * k + k * n + 16, 16 + m * k + k * n + n + 24];
        const atScratch = atC + m * n + 16;
        heap.set(a, atA);
        heap.set(b, atB);
        heap.set(bias, atBias);
        heap.fill(-9, atC, atC + m * n + 8);
        // Chunks of four rows, six (four, then one at a time) and the size the kernel picks.
        matmul(m, n, k, 4 * atA, 4 * atB, 4 * atC, form.bias ? 4 * atBias : 0, 4 * atScratch, chunk);
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            let sum = form.bias ? bias[j] : 0;
            for (let p = 0; p < k; p++) sum += (form.transposeA ? a[p * m + i] : a[i * k + p]) * b[p * n + j];
            if (form.relu) sum = Math.max(sum, 0);
            expect(Math.abs(heap[atC + i * n + j] - sum)).toBeLessThan(1e-5);
          }
        expect(Array.from(heap.subarray(atC + m * n, atC + m * n + 8))).toEqual(Array(8).fill(-9));
      }
  }
});
