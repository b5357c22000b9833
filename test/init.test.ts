// The MLP's weight initialisations: each draws what PyTorch's nn.init of the same name draws
// (bounds and standard deviations), from the seed.
import { expect, test } from 'vitest';
import { initKernel } from '../src/engine/mlp';
import { Rng } from '../src/data/rng';
import type { Activation, InitKind } from '../src/experiment';

const stats = (w: Float32Array) => {
  const mean = w.reduce((s, v) => s + v, 0) / w.length;
  const std = Math.sqrt(w.reduce((s, v) => s + (v - mean) ** 2, 0) / w.length);
  return { mean, std, max: Math.max(...w.map(Math.abs)) };
};

const fanIn = 200;
const fanOut = 100;
// Uniform on ±a has standard deviation a/√3.
const cases: [InitKind, Activation, { bound?: number; std: number }][] = [
  ['glorotUniform', 'relu', { bound: Math.sqrt(6 / 300), std: Math.sqrt(6 / 300) / Math.sqrt(3) }],
  ['glorotNormal', 'tanh', { std: Math.sqrt(2 / 300) }],
  ['he', 'tanh', { bound: Math.sqrt(6 / 200), std: Math.sqrt(6 / 200) / Math.sqrt(3) }],
  ['gaussian', 'relu', { std: 0.3 }],
  // Auto: He before the rectifiers, Glorot otherwise.
  ['auto', 'relu', { bound: Math.sqrt(6 / 200), std: Math.sqrt(6 / 200) / Math.sqrt(3) }],
  ['auto', 'tanh', { bound: Math.sqrt(6 / 300), std: Math.sqrt(6 / 300) / Math.sqrt(3) }],
];

test.each(cases)('%s before %s draws with the expected spread', (init, activation, expected) => {
  const w = initKernel(new Rng(3), fanIn, fanOut, activation, init, 0.3);
  expect(w).toHaveLength(fanIn * fanOut);
  const s = stats(w);
  expect(Math.abs(s.mean)).toBeLessThan(0.05 * expected.std);
  expect(Math.abs(s.std / expected.std - 1)).toBeLessThan(0.03);
  if (expected.bound) {
    expect(s.max).toBeLessThanOrEqual(expected.bound);
    expect(s.max).toBeGreaterThan(0.99 * expected.bound);
  } else {
    expect(s.max).toBeGreaterThan(3 * expected.std); // a normal's tails, not a uniform's edge
  }
  // The same seed draws the same weights.
  expect(initKernel(new Rng(3), fanIn, fanOut, activation, init, 0.3)).toEqual(w);
});

test('zeros are zeros', () => {
  expect(initKernel(new Rng(3), 4, 3, 'tanh', 'zeros', 0.3).every((v) => v === 0)).toBe(true);
});
