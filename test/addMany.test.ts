// tfjs-webgpu's AddN with more inputs than a shader may bind returns garbage silently; addMany
// adds in groups. These run on software WebGPU, whose limit (8 storage buffers) is the common one.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend';
import { addMany } from '../src/engine/kernels/addMany';
import { clipByGlobalNorm } from '../src/engine/optimizers';

beforeAll(async () => {
  expect((await activateBackend('webgpu')).active).toBe('webgpu');
});

test('addMany sums 1 to 30 tensors on webgpu as JavaScript does, leaving no tensors behind', async () => {
  for (const n of [1, 2, 7, 8, 9, 15, 30]) {
    const values = Array.from({ length: n }, (_, i) => [i + 1, -2 * i, 0.5]);
    const tensors = values.map((v) => tf.tensor1d(v));
    const before = tf.memory().numTensors;
    const sum = addMany(tensors);
    expect(tf.memory().numTensors).toBe(before + 1);
    const want = [0, 1, 2].map((k) => values.reduce((s, v) => s + v[k], 0));
    expect(
      Array.from(await sum.data(), (v) => v + 0),
      `${n} tensors`,
    ).toEqual(want.map((v) => v + 0));
    tf.dispose([sum, ...tensors]);
  }
});

test('gradient clipping on webgpu scales nine gradients (an LSTM’s) to the global norm', async () => {
  const grads: tf.NamedTensorMap = {};
  for (let i = 0; i < 9; i++) grads[`g${i}`] = tf.fill([2 + i], 0.5);
  const norm = Math.sqrt(Array.from({ length: 9 }, (_, i) => (2 + i) * 0.25).reduce((a, b) => a + b));
  const clipped = clipByGlobalNorm(grads, 1);
  for (const [name, g] of Object.entries(clipped))
    for (const v of await g.data()) expect(v, name).toBeCloseTo(0.5 / (norm + 1e-6), 6);
  tf.dispose([...Object.values(grads), ...Object.values(clipped)]);
});

test('src/ sums tensors through addMany, never tf.addN directly', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));
  const direct = files('src')
    .filter((f) => f.endsWith('.ts') && !f.endsWith('addMany.ts'))
    .filter((f) => readFileSync(f, 'utf8').includes('.addN('));
  expect(direct).toEqual([]);
});
