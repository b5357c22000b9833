// The big image sets as `npm run datasets` writes them: full MNIST is the official 60,000 + 10,000 digits (its
// known class counts), Fashion-MNIST 6,000 + 1,000 images per class; a damaged file is refused with what is wrong;
// and a spec on them trains on a seeded sample of the training images and tests on every official test image.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { decodeImageSet, encodeImageSet, type ImageSet } from '../src/data/imageSet';
import { buildDataset } from '../src/data';
import { datasetDefaults, defaultSpec, exampleCounts, type DatasetSpec } from '../src/experiment';

const load = (file: string) => decodeImageSet(gunzipSync(readFileSync(`datasets/${file}`)), file);
const classCounts = (labels: Uint8Array) => labels.reduce((c, l) => (c[l]++, c), new Array<number>(10).fill(0));

describe('the shipped image sets', () => {
  test('full MNIST holds the official training and test digits (their published class counts)', () => {
    const set = load('mnist-full.imgz');
    expect([set.height, set.width, set.channels, set.classes]).toEqual([28, 28, 1, 10]);
    expect(classCounts(set.train.labels)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(classCounts(set.test.labels)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    expect(set.train.images.length).toBe(60_000 * 784);
  });

  test('Fashion-MNIST: 1,000 test images of each of its 10 classes, the rest (6,000; 6,002 T-shirts) for training', () => {
    const set = load('fashion-mnist.imgz');
    expect(classCounts(set.train.labels)).toEqual([6002, ...new Array(9).fill(6000)]);
    expect(classCounts(set.test.labels)).toEqual(new Array(10).fill(1000));
  });
});

describe('the image-set file', () => {
  const tiny: ImageSet = {
    height: 2,
    width: 3,
    channels: 1,
    classes: 2,
    train: { images: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), labels: Uint8Array.from([0, 1]), n: 2 },
    test: { images: Uint8Array.from([13, 14, 15, 16, 17, 18]), labels: Uint8Array.from([1]), n: 1 },
  };

  test('round-trips', () => {
    expect(decodeImageSet(encodeImageSet(tiny), 'tiny')).toEqual(tiny);
  });

  test('a damaged file is refused, saying how', () => {
    const bytes = encodeImageSet(tiny);
    expect(() => decodeImageSet(bytes.subarray(0, 40), 'cut.gz')).toThrow(
      'cut.gz is not a readable image set: 40 bytes for 3 images of 6 bytes and their labels',
    );
    const badLabel = bytes.slice();
    badLabel[32] = 7;
    expect(() => decodeImageSet(badLabel, 'labels.gz')).toThrow('a label is not one of its 2 classes');
    expect(() => decodeImageSet(new TextEncoder().encode('<html>not found</html> and more text'), 'page')).toThrow(
      'does not start with IMG1',
    );
  });

  test('class names ride at the end when there are some (your own images), and must be as many as the classes', () => {
    const named = { ...tiny, names: ['cat', 'dog'] };
    expect(decodeImageSet(encodeImageSet(named), 'named')).toEqual(named);
    expect(() => decodeImageSet(encodeImageSet({ ...tiny, names: ['cat', 'cat'] }), 'twice')).toThrow(
      'twice is not a readable image set: its class names are not a list of 2 names',
    );
  });
});

test('a spec on Fashion-MNIST trains on a seeded sample of the training images and tests on all 10,000 official ones', () => {
  const images = load('fashion-mnist.imgz');
  const spec: DatasetSpec = {
    ...defaultSpec().dataset,
    kind: 'fashionMnist',
    ...datasetDefaults('fashionMnist'),
    samples: 1000,
  };
  const a = buildDataset(spec, 5, { images });
  const b = buildDataset(spec, 5, { images });
  const c = buildDataset(spec, 6, { images });
  expect([a.train.n, a.validation.n, a.test.n]).toEqual([800, 200, 10_000]);
  expect(exampleCounts(spec)).toEqual({ train: 800, validation: 200, test: 10_000 });
  expect(a.train.y).toEqual(b.train.y);
  expect(a.train.y).not.toEqual(c.train.y);
  expect(a.classes?.[9]).toBe('Ankle boot');
  expect(a.image).toEqual({ height: 28, width: 28, channels: 1 });
  // The test images are the official ones, in order, scaled to 0…1.
  expect(Array.from(a.test.x.subarray(0, 784), (v) => Math.round(v * 255))).toEqual(
    Array.from(images.test.images.subarray(0, 784)),
  );
});
