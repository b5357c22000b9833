// The person's own images: files sorted into classes by folder (and what is left out, named), the kept copy made
// into any size and colour, stored records checked as untrusted, the dataset's splits, the spec's fields, and a CNN
// that learns them on wasm. Decoding itself is the browser's (test/e2e/userData.test.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  KEPT_PIXELS,
  KEPT_SIDE,
  OWN_IMAGE_LIMITS,
  checkOwnImages,
  decodeOwnImages,
  encodeOwnImages,
  ownImageSet,
  ownImagesProblem,
  resizeKept,
  sortIntoClasses,
  type OwnImages,
} from '../src/data/ownImages';
import { buildDataset } from '../src/data/dataset';
import { problemShape } from '../src/data/shapes';
import { Rng } from '../src/data/rng';
import { datasetDefaults, defaultSpec, migrateSpec, switchModel, validateSpec } from '../src/experiment';
import { activateBackend } from '../src/engine/backend';
import { Trainer } from '../src/engine/trainer';
import type { EpochMetrics, EpochViews } from '../src/engine/types';
import { readRunFile } from '../src/export/runFile';
import { cli, specFile, tempDir } from './cliHarness';
import { cnnOnOwnImages } from './helpers/imageFiles';

describe('sorting files into classes by folder', () => {
  test('the top folder, its class folders or a zip of either come to the same classes', () => {
    const within = ['pets/cat/a.jpg', 'pets/dog/b.PNG', 'pets/cat/c.webp'];
    const expected = { classes: ['cat', 'dog'], classOf: [0, 1, 0], skipped: [] };
    expect(sortIntoClasses(within)).toEqual(expected);
    expect(sortIntoClasses(within.map((p) => p.replace('pets/', '')))).toEqual(expected);
    expect(sortIntoClasses(within.map((p) => `downloads/${p}`))).toEqual(expected);
  });

  test('system files pass silently; other files that are not images, or outside a class folder, are named', () => {
    const sorted = sortIntoClasses([
      'set/a/1.png',
      'set/.DS_Store',
      '__MACOSX/set/a/._1.png',
      'set/notes.txt',
      'set/b/2.gif',
      'set/b/Thumbs.db',
      'set/loose.png',
    ]);
    expect(sorted.classes).toEqual(['a', 'b']);
    expect(sorted.classOf).toEqual([0, null, null, null, 1, null, null]);
    expect(sorted.skipped).toEqual([
      'set/notes.txt: not an image (PNG, JPEG, GIF, WebP, BMP or AVIF)',
      'set/loose.png: not in a class folder',
    ]);
  });

  test('classes are in natural order (class 2 before class 10), and a class keeps images from its sub-folders', () => {
    const sorted = sortIntoClasses(['10/x.png', '2/y.png', '2/deeper/z.png']);
    expect(sorted.classes).toEqual(['2', '10']);
    expect(sorted.classOf).toEqual([1, 0, 0]);
  });
});

describe('what makes a set unusable', () => {
  const set = (counts: number[]) => ({
    classes: counts.map((_, i) => `class ${i}`),
    labels: Uint8Array.from(counts.flatMap((n, c) => Array<number>(n).fill(c))),
    n: counts.reduce((a, b) => a + b, 0),
  });
  test('one class, too few images in a class (named, with its count), too many classes or images', () => {
    expect(ownImagesProblem(set([8]))).toBe(
      "only one class (“class 0”) was found: put each class's images in a folder of its own, at least two",
    );
    expect(ownImagesProblem(set([8, 3, 9]))).toBe(
      'the class “class 1” (3) has fewer than 5 images: add some or remove it',
    );
    expect(ownImagesProblem(set(Array<number>(OWN_IMAGE_LIMITS.classes + 1).fill(5)))).toBe(
      '51 classes, more than the 50 allowed',
    );
    expect(ownImagesProblem(set([15_000, 5_001]))).toBe(
      '20,001 images, more than the 20,000 this browser can keep and train on',
    );
    expect(ownImagesProblem(set([5, 5]))).toBeNull();
  });
});

/** A kept image (64×64 RGB) from a function of (row, col, channel). */
function kept(pixel: (r: number, c: number, k: number) => number): Uint8Array {
  const out = new Uint8Array(KEPT_PIXELS);
  for (let r = 0; r < KEPT_SIDE; r++)
    for (let c = 0; c < KEPT_SIDE; c++) for (let k = 0; k < 3; k++) out[(r * KEPT_SIDE + c) * 3 + k] = pixel(r, c, k);
  return out;
}

describe('the kept copy at any size and colour', () => {
  test('64 → 32 averages each 2×2 block; 64 → 64 is the image itself', () => {
    const image = kept((r, c, k) => (r * 7 + c * 13 + k * 50) % 256);
    const half = new Uint8Array(32 * 32 * 3);
    resizeKept(image, 32, true, half);
    for (const [r, c, k] of [
      [0, 0, 0],
      [5, 17, 2],
      [31, 31, 1],
    ]) {
      const at = (rr: number, cc: number) => image[(rr * 64 + cc) * 3 + k];
      const mean = (at(2 * r, 2 * c) + at(2 * r + 1, 2 * c) + at(2 * r, 2 * c + 1) + at(2 * r + 1, 2 * c + 1)) / 4;
      expect(half[(r * 32 + c) * 3 + k]).toBe(Math.round(mean));
    }
    const same = new Uint8Array(KEPT_PIXELS);
    resizeKept(image, 64, true, same);
    expect(same).toEqual(image);
  });

  test('28 px (not a divisor of 64) keeps a flat image flat and a left–right split in place; grey is BT.601 luma', () => {
    const flat = new Uint8Array(28 * 28);
    resizeKept(
      kept((_r, _c, k) => [200, 100, 50][k]),
      28,
      false,
      flat,
    );
    expect(new Set(flat)).toEqual(new Set([Math.round(0.299 * 200 + 0.587 * 100 + 0.114 * 50)]));
    const split = new Uint8Array(28 * 28 * 3);
    resizeKept(
      kept((_r, c) => (c < 32 ? 0 : 255)),
      28,
      true,
      split,
    );
    expect(split[(10 * 28 + 13) * 3]).toBe(0); // column 13 covers input 29.7–32
    expect(split[(10 * 28 + 14) * 3]).toBe(255);
  });
});

/** Stripes across (class 0) or down (class 1), in a random colour, period and phase, with noise. */
function stripesSet(perClass: number, seed: number): OwnImages {
  const rng = new Rng(seed);
  const n = 2 * perClass;
  const pixels = new Uint8Array(n * KEPT_PIXELS);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const across = i % 2 === 0;
    const period = 8 + Math.floor(rng.next() * 8);
    const phase = Math.floor(rng.next() * period);
    const ink = [0, 1, 2].map(() => 80 + Math.floor(rng.next() * 175));
    labels[i] = across ? 0 : 1;
    pixels.set(
      kept((r, c, k) => {
        const on = Math.floor(((across ? r : c) + phase) / (period / 2)) % 2 === 0;
        return Math.max(0, Math.min(255, (on ? ink[k] : 20) + Math.round((rng.next() - 0.5) * 60)));
      }),
      i * KEPT_PIXELS,
    );
  }
  return { classes: ['across', 'down'], labels, pixels, n, source: 'stripes', skipped: [], skippedCount: 0 };
}

describe('kept records are untrusted', () => {
  const good = stripesSet(5, 1);
  test('a good record passes; a damaged one is named', () => {
    expect(checkOwnImages(good)).toEqual(good);
    expect(checkOwnImages({ ...good, pixels: good.pixels.subarray(1) })).toBe(
      'its pixels are not 10 images of 64×64 in colour',
    );
    expect(checkOwnImages({ ...good, labels: Uint8Array.from(good.labels, () => 2) })).toBe(
      'a label is not one of its 2 classes',
    );
    expect(checkOwnImages({ ...good, classes: ['a', 'a'] })).toBe('a class is named twice');
    expect(checkOwnImages({ ...good, classes: ['a', 7] })).toBe('its class names are not names');
    expect(checkOwnImages('images')).toBe('it is not a set of images');
  });
});

describe('the spec and the dataset', () => {
  const ownSpec = () => {
    const spec = defaultSpec();
    spec.dataset = { ...spec.dataset, kind: 'userImages', ...datasetDefaults('userImages') };
    switchModel(spec, 'cnn');
    return spec;
  };

  test('size and colour are checked fields; links from before them open at 32 px in colour', () => {
    const spec = ownSpec();
    expect(validateSpec(spec).ok).toBe(true);
    const bad = validateSpec({ ...spec, dataset: { ...spec.dataset, ownImages: { side: 30, colour: 'yes' } } });
    expect(bad.ok ? [] : bad.errors.map((e) => `${e.label}: ${e.message}`)).toEqual([
      'Image size: must be one of 16, 28, 32, 64 pixels, got 30',
      'Colour: must be true or false',
    ]);
    const old = JSON.parse(JSON.stringify(defaultSpec()));
    delete old.dataset.ownImages;
    const opened = validateSpec(migrateSpec(old));
    expect(opened.ok && opened.spec.dataset.ownImages).toEqual({ side: 32, colour: true });
  });

  test('the model is built for the size, colour and classes; without images there is no shape yet', () => {
    const spec = ownSpec();
    spec.dataset.ownImages = { side: 16, colour: false };
    expect(problemShape(spec, null, null, 3)).toEqual({
      kind: 'tabular',
      inputDim: 256,
      outputDim: 3,
      image: { height: 16, width: 16, channels: 1 },
    });
    expect(problemShape(spec, null, null, null)).toBeNull();
  });

  test('shuffled by the seed into training, validation and test, with the folders as class names', () => {
    const images = stripesSet(50, 2);
    const spec = ownSpec().dataset;
    spec.testSplit = 0.1;
    const set = ownImageSet(images, 32, true);
    const ds = buildDataset(spec, 7, { images: set, classNames: images.classes });
    expect([ds.train.n, ds.validation.n, ds.test.n]).toEqual([70, 20, 10]);
    expect(ds.inputDim).toBe(32 * 32 * 3);
    expect(ds.image).toEqual({ height: 32, width: 32, channels: 3 });
    expect(ds.classes).toEqual(['across', 'down']);
    expect(ds.ownImages).toBe(true);
    expect(buildDataset(spec, 7, { images: set, classNames: images.classes }).train.y).toEqual(ds.train.y);
    expect(buildDataset(spec, 8, { images: set, classNames: images.classes }).train.y).not.toEqual(ds.train.y);
    // At most `samples` of them.
    expect(buildDataset({ ...spec, samples: 40 }, 7, { images: set }).train.n).toBe(28);
  });
});

test('the CLI trains on the file the app downloads for your images (--data), and says what is missing or wrong', async () => {
  const dir = tempDir('own-images');
  const images = stripesSet(40, 4);
  const file = join(dir, 'stripes.imgz');
  writeFileSync(file, gzipSync(encodeOwnImages(images)));
  const spec = specFile(dir, cnnOnOwnImages(defaultSpec(), 16, 4));
  const out = join(dir, 'runs.json');
  const trained = await cli(['train', spec, '--data', file, '--out', out]);
  expect(trained.status).toBe(0);
  const runs = readRunFile(readFileSync(out, 'utf8'));
  expect(runs.ok && runs.runs[0].run.epochs.at(-1)!.valAccuracy).toBeGreaterThanOrEqual(0.8);
  expect(await cli(['train', spec])).toMatchObject({
    status: 2,
    stderr: expect.stringMatching(/your own images, which are not in the spec: give the file the app downloads/),
  });
  const digits = join(dir, 'digits.imgz');
  writeFileSync(digits, readFileSync('datasets/mnist-full.imgz'));
  expect((await cli(['train', spec, '--data', digits])).stderr).toMatch(
    /digits\.imgz is not a file of your images as the app downloads them \(64×64 in colour, with class names\)/,
  );
  // Decoding it gives back what was encoded.
  expect(decodeOwnImages(encodeOwnImages(images), 'stripes')).toEqual({ ...images, source: 'stripes' });
}, 120_000);

test('a CNN learns your images on wasm, shows its mistakes in colour, and leaks nothing', async () => {
  await activateBackend('wasm');
  const images = stripesSet(60, 3);
  const spec = cnnOnOwnImages(defaultSpec(), 16, 8);
  const epochs: EpochMetrics[] = [];
  const views: EpochViews[] = [];
  const tensors: number[] = [];
  const before = tf.memory().numTensors;
  const files = { images: ownImageSet(images, 16, true), classNames: images.classes };
  const status = await new Trainer(
    spec,
    {
      onEpoch: (m, v) => {
        epochs.push(m);
        views.push(v);
        tensors.push(tf.memory().numTensors);
      },
    },
    { files },
  ).run();
  expect(status).toBe('completed');
  expect(epochs.at(-1)!.valAccuracy).toBeGreaterThanOrEqual(0.9);
  expect(epochs.at(-1)!.trainLoss).toBeLessThan(epochs[0].trainLoss / 2);
  const classes = views[0].classes!;
  expect(classes.labels).toEqual(['across', 'down']);
  expect(classes.image).toEqual({ height: 16, width: 16, channels: 3, ink: false });
  for (const m of classes.misclassified) expect(m.pixels).toHaveLength(16 * 16 * 3);
  expect(new Set(tensors).size).toBe(1);
  expect(tf.memory().numTensors).toBe(before);
  await activateBackend('cpu');
}, 120_000);
