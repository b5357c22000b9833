import { beforeAll, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend';
import { optimizerPath, surfaceGrid } from '../src/engine/surfacePaths';
import { defaultSpec, OPTIMIZER_KINDS, SURFACE_INFO, SURFACE_KINDS, type OptimizerKind } from '../src/experiment';

beforeAll(async () => {
  await activateBackend('cpu');
});

const optimizer = (kind: OptimizerKind, learningRate: number) => ({
  ...defaultSpec().training.optimizer,
  kind,
  learningRate,
});

test('SGD on the bowl follows the closed form x·(1−lr)ᵗ, y·(1−lr·κ)ᵗ', async () => {
  const path = await optimizerPath('bowl', 10, optimizer('sgd', 0.05), [2, 1], 20);
  expect(path.xs).toHaveLength(21);
  for (const t of [0, 1, 5, 20]) {
    expect(path.xs[t]).toBeCloseTo(2 * 0.95 ** t, 5);
    expect(path.ys[t]).toBeCloseTo(1 * 0.5 ** t, 5);
    expect(path.losses[t]).toBeCloseTo(0.5 * (path.xs[t] ** 2 + 10 * path.ys[t] ** 2), 4);
  }
});

test('every optimizer walks downhill from the default start of every surface but the saddle', async () => {
  const before = tf.memory().numTensors;
  for (const surface of SURFACE_KINDS.filter((s) => s !== 'saddle')) {
    const info = SURFACE_INFO[surface];
    for (const kind of OPTIMIZER_KINDS) {
      const path = await optimizerPath(surface, 10, optimizer(kind, info.learningRates[kind]), info.start, 200);
      expect(path.losses[200], `${kind} on ${surface}`).toBeLessThan(path.losses[0]);
    }
  }
  // The saddle is unbounded below: gradient descent slides off along y.
  const saddle = await optimizerPath('saddle', 1, optimizer('adam', 0.05), SURFACE_INFO.saddle.start, 200);
  expect(Math.abs(saddle.ys[200])).toBeGreaterThan(1);
  expect(tf.memory().numTensors).toBe(before);
});

test('the contour grid evaluates f over the window, top row first', async () => {
  const grid = await surfaceGrid('himmelblau', 1, [-5, 5], [-5, 5], 3);
  const f = (x: number, y: number) => (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2;
  expect(Array.from(grid)).toEqual([
    f(-5, 5),
    f(0, 5),
    f(5, 5),
    f(-5, 0),
    f(0, 0),
    f(5, 0),
    f(-5, -5),
    f(0, -5),
    f(5, -5),
  ]);
});
