// Augmentation's changes checked on images whose answer is known: a shift moves every pixel by whole pixels, a
// flip mirrors, a quarter turn turns; the same seed gives the same batch on cpu and wasm; digits are never flipped.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { activateBackend } from '../src/engine/backend';
import { augmentRows } from '../src/engine/augment';
import { drawChanges, inverseMap, shiftRows, type ImageChange } from '../src/data/augment';
import { buildDataset } from '../src/data/dataset';
import { Rng } from '../src/data/rng';
import { defaultSpec, datasetDefaults, validateSpec, describeFieldError } from '../src/experiment';

const SIDE = 5;
const IMAGE = { height: SIDE, width: SIDE, channels: 1 };
/** Pixel (r, c) holds 1 + 5r + c: every pixel tells where it came from. */
const ramp = Float32Array.from({ length: SIDE * SIDE }, (_, i) => 1 + i);
const at = (img: Float32Array, r: number, c: number) =>
  r >= 0 && r < SIDE && c >= 0 && c < SIDE ? img[r * SIDE + c] : 0;

function changed(change: ImageChange): Float32Array {
  return tf.tidy(() => {
    const images = tf.tensor4d(ramp, [1, SIDE, SIDE, 1]);
    const map = tf.tensor2d([inverseMap(change, IMAGE)], [1, 8]);
    return tf.image.transform(images, map, 'bilinear', 'constant', 0).dataSync() as Float32Array;
  });
}

describe.each(['cpu', 'wasm'] as const)('on %s', (backend) => {
  test('a shift, a flip and a quarter turn move pixels where they should', async () => {
    await activateBackend(backend);
    const none = { dx: 0, dy: 0, degrees: 0, flip: false };
    const expectImage = (got: Float32Array, want: (r: number, c: number) => number) =>
      got.forEach((v, i) => expect(v, `pixel ${i}`).toBeCloseTo(want(Math.floor(i / SIDE), i % SIDE), 4));
    expectImage(changed({ ...none, dx: 2, dy: -1 }), (r, c) => at(ramp, r + 1, c - 2));
    expectImage(changed({ ...none, flip: true }), (r, c) => at(ramp, r, SIDE - 1 - c));
    // 90° counter-clockwise on screen: the top row becomes the left column, read upwards.
    expectImage(changed({ ...none, degrees: 90 }), (r, c) => at(ramp, c, SIDE - 1 - r));
  });

  test('the same seed gives the same augmented batch; another seed another one', async () => {
    await activateBackend(backend);
    const rows = tf.tensor2d([...ramp, ...ramp.map((v) => v * 2)], [2, SIDE * SIDE]);
    const augment = { shift: 2, rotation: 15, flip: true };
    const read = (seed: number) => {
      const out = augmentRows(rows, IMAGE, augment, seed);
      const values = Array.from(out.dataSync());
      out.dispose();
      return values;
    };
    const before = tf.memory().numTensors;
    expect(read(7)).toEqual(read(7));
    expect(read(7)).not.toEqual(read(8));
    expect(tf.memory().numTensors).toBe(before);
    rows.dispose();
  });
});

test('changes stay within the spec’s bounds, and each kind appears', () => {
  const changes = drawChanges(new Rng(3), 400, { shift: 2, rotation: 10, flip: true });
  expect(new Set(changes.map((c) => c.dx))).toEqual(new Set([-2, -1, 0, 1, 2]));
  expect(changes.every((c) => Math.abs(c.degrees) <= 10)).toBe(true);
  const flips = changes.filter((c) => c.flip).length;
  expect(flips).toBeGreaterThan(150);
  expect(flips).toBeLessThan(250);
  expect(drawChanges(new Rng(3), 5, { shift: 0, rotation: 0, flip: false })).toEqual(
    new Array(5).fill({ dx: 0, dy: 0, degrees: 0, flip: false }),
  );
});

test('digits are never flipped, and only images are augmented: each refusal names its field', () => {
  const spec = defaultSpec();
  spec.dataset = {
    ...spec.dataset,
    kind: 'mnist',
    ...datasetDefaults('mnist'),
    augment: { shift: 2, rotation: 10, flip: true },
  };
  const digits = validateSpec(spec);
  expect(digits.ok ? [] : digits.errors.map(describeFieldError)).toEqual([
    'Flip: is off for digits: a mirrored 2, 3, 4, 5, 6, 7 or 9 is not that digit (dataset.augment.flip)',
  ]);
  spec.dataset.kind = 'fashionMnist';
  spec.dataset.samples = 1000;
  expect(validateSpec(spec).ok).toBe(true);
  const plane = defaultSpec();
  plane.dataset.augment = { shift: 1, rotation: 0, flip: false };
  const refused = validateSpec(plane);
  expect(refused.ok ? [] : refused.errors.map((e) => e.field)).toEqual(['dataset.augment']);
});

test('held-out images shifted (shiftHeldOut) move as the same shift does in training, and never the training ones', async () => {
  // shiftRows against tf.image.transform's shift, on a ramp and on colour.
  await activateBackend('cpu');
  for (const change of [
    { dx: 2, dy: -1, degrees: 0, flip: false },
    { dx: -3, dy: 4, degrees: 0, flip: false },
  ])
    expect(Array.from(shiftRows(ramp, IMAGE, [change]))).toEqual(Array.from(changed(change)));
  const rgb = Float32Array.from({ length: 2 * 2 * 3 }, (_, i) => i + 1);
  expect(Array.from(shiftRows(rgb, { height: 2, width: 2, channels: 3 }, [{ dx: 1, dy: 0 }]))).toEqual([
    0, 0, 0, 1, 2, 3, 0, 0, 0, 7, 8, 9,
  ]);
  const mnist = {
    images: new Uint8Array(readFileSync('datasets/mnist-images.u8')),
    labels: new Uint8Array(readFileSync('datasets/mnist-labels.u8')),
  };
  const d = {
    ...defaultSpec().dataset,
    kind: 'mnist' as const,
    ...datasetDefaults('mnist'),
    samples: 500,
    testSplit: 0.1,
  };
  const still = buildDataset(d, 3, { mnist });
  const moved = buildDataset({ ...d, shiftHeldOut: 3 }, 3, { mnist });
  expect(moved.train.x).toEqual(still.train.x);
  expect(moved.validation.y).toEqual(still.validation.y);
  expect(moved.validation.x).not.toEqual(still.validation.x);
  expect(moved.test.x).not.toEqual(still.test.x);
  expect(buildDataset({ ...d, shiftHeldOut: 3 }, 3, { mnist }).validation.x).toEqual(moved.validation.x);
  // Each image is one of its shifts within 3 pixels (digits lie inside the 28×28 frame, so none is cut off).
  const image = { height: 28, width: 28, channels: 1 };
  for (let i = 0; i < 5; i++) {
    const one = still.validation.x.subarray(i * 784, (i + 1) * 784);
    const target = Array.from(moved.validation.x.subarray(i * 784, (i + 1) * 784));
    const found = [-3, -2, -1, 0, 1, 2, 3].some((dx) =>
      [-3, -2, -1, 0, 1, 2, 3].some((dy) =>
        Array.from(shiftRows(one, image, [{ dx, dy }])).every((v, k) => v === target[k]),
      ),
    );
    expect(found).toBe(true);
  }
  const plane = validateSpec({ ...defaultSpec(), dataset: { ...defaultSpec().dataset, shiftHeldOut: 2 } });
  expect(plane.ok ? [] : plane.errors.map(describeFieldError)).toEqual([
    'Shift held-out images: applies to images only: set it to 0 (dataset.shiftHeldOut)',
  ]);
});
