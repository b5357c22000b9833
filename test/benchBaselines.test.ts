// The bench's plain tfjs GPT must be the same model as ours, or "ours vs plain" compares unlike things.
import { beforeAll, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend';
import { buildTransformer } from '../src/engine/sequenceModels';
import { TRANSFORMER_OPTION_DEFAULTS } from '../src/experiment';
import { plainGpt, plainGptExamplesPerSec } from '../bench/plainGpt';

beforeAll(async () => {
  await activateBackend('wasm');
});

const shape = { vocab: 11, contextLength: 8, layers: 2, dModel: 16, heads: 4 };

test('the plain tfjs GPT computes what our transformer computes, given the same weights', () => {
  const before = tf.memory().numTensors;
  const ours = buildTransformer({ ...TRANSFORMER_OPTION_DEFAULTS, ...shape, dropout: 0 }, 3);
  const plain = plainGpt(shape, 7);
  expect(plain.variables.map((v) => v.shape)).toEqual(ours.variables.map((v) => v.shape));
  plain.variables.forEach((v, i) => v.assign(ours.variables[i]));
  const tokens = tf.tensor2d(
    Array.from({ length: 3 * 8 }, (_, i) => (i * 7) % 11),
    [3, 8],
    'int32',
  );
  const [a, b] = tf.tidy(() => [ours.forward(tokens).dataSync(), plain.forward(tokens).dataSync()]);
  expect(a.length).toBe(3 * 8 * 11);
  a.forEach((v, i) => expect(b[i]).toBeCloseTo(v, 5));
  tokens.dispose();
  ours.dispose();
  plain.dispose();
  expect(tf.memory().numTensors).toBe(before);
});

test('the plain tfjs GPT trains without leaking tensors', async () => {
  const before = tf.memory().numTensors;
  const n = 16;
  const x = Int32Array.from({ length: n * 8 }, (_, i) => i % 11);
  const y = Int32Array.from(x, (t) => (t + 1) % 11);
  const perSec = await plainGptExamplesPerSec(
    shape,
    { x, y, n },
    { batchSize: 8, learningRate: 1e-2, epochs: 2, seed: 1 },
  );
  expect(perSec).toBeGreaterThan(0);
  expect(tf.memory().numTensors).toBe(before);
});
