import { OFFICIAL_TEST_IMAGES, isPlane, isSeries, type DatasetSpec, type FeatureName } from '../experiment/types';
import { heldOutShare } from '../experiment/validate';
import type { ImageShape } from '../experiment/cnn';
import { DATASET_LABELS, IMAGE_CLASS_NAMES } from '../experiment/labels';
import type { ImagePart, ImageSet } from './imageSet';
import { deriveSeed, Rng } from './rng';
import { drawChanges, shiftRows } from './augment';
import { DOMAIN, generate2d, taskOf, withDrawn } from './twoD';
import { featurize } from './features';
import { fitStandardizer, standardize, type Standardizer } from './normalize';
import { MNIST_PIXELS, MNIST_SIDE, parseMnist, splitMnist } from './mnist';
import { seriesWindows } from './sequenceDataset';
import { tableData, tableDomain, tableHasPlane, type Table } from './table';

export interface Split {
  /** Model inputs: one standardised feature row per example. */
  x: Float32Array;
  /** Targets: class index or regression value, one per example. */
  y: Float32Array;
  n: number;
  /** Plane datasets: the raw (x1, x2) points, for drawing (empty otherwise). */
  points: Float32Array;
}

export interface TabularDataset {
  task: 'binary' | 'regression' | 'multiclass';
  inputDim: number;
  /** Width of the model's output layer: 1 for a sigmoid class score or a regression value, else one per class. */
  outputDim: number;
  /**
   * Datasets drawn on a plane (the 2-D sets, a table of two numeric inputs and two classes): how
   * model inputs are made from (x1, x2), and the window drawn; null for images and series.
   */
  plane: {
    features: FeatureName[];
    standardizer: Standardizer;
    domain: { x: [number, number]; y: [number, number] };
  } | null;
  /** Images: their size (a row holds an image's pixels, row by row, channels last); absent for other data. */
  image?: ImageShape;
  /** Images whose classes have names (Fashion-MNIST's clothes, your images' folders). */
  classes?: string[];
  /** Your own images (shown as they are, not as ink on paper as MNIST's are). */
  ownImages?: true;
  /** Series (windows as inputs) and table regression: the training targets' mean and spread, to show values in their units. */
  scale: { mean: number; std: number } | null;
  /** Your own table: the class names (classification) and input names after encoding. */
  table: { classes: string[] | null; inputNames: string[] } | null;
  train: Split;
  validation: Split;
  /** Held out like validation but looked at once, at the end of a run (n = 0 when the spec asks for none). */
  test: Split;
}

/** Bytes of the shipped data files a dataset needs (loaded by the worker or, in Node, from disk). */
export interface DatasetFiles {
  mnist?: { images: Uint8Array; labels: Uint8Array };
  /** Full MNIST or Fashion-MNIST, with its official test part. */
  images?: ImageSet;
  /** The names or speeches file, or the user's own text. */
  text?: string;
  /** Byte pairs already learned for this run (kept with it, or learned with progress): not learned again. */
  merges?: Int32Array;
  /** Told how far cutting the text into tokens has come (bytes or characters done, of all), now and then. */
  onTokenizing?: (done: number, total: number) => void;
  /** The person's own table, parsed. */
  table?: Table;
  /** Your own images' class names (their folders), for `images`. */
  classNames?: string[];
}

/** Rows [from, to) of a split (inputs `width` wide). */
function rows(s: Split, from: number, to: number, width: number): Split {
  return {
    x: s.x.slice(from * width, to * width),
    y: s.y.slice(from, to),
    n: to - from,
    points: s.points.length ? s.points.slice(2 * from, 2 * to) : s.points,
  };
}

/**
 * The held-out examples split in two: the first part validation, the rest test, in the proportion
 * of the spec's validation and test splits (all validation when there is no test split).
 */
export function splitHeldOut(
  held: Split,
  nTrain: number,
  spec: Pick<DatasetSpec, 'validationSplit'>,
  width: number,
): { validation: Split; test: Split } {
  const nVal = Math.min(held.n, Math.round((nTrain + held.n) * spec.validationSplit));
  return { validation: rows(held, 0, nVal, width), test: rows(held, nVal, held.n, width) };
}

function take(points: Float32Array, y: Float32Array, idx: Int32Array): { points: Float32Array; y: Float32Array } {
  const p = new Float32Array(idx.length * 2);
  const t = new Float32Array(idx.length);
  idx.forEach((k, i) => {
    p[2 * i] = points[2 * k];
    p[2 * i + 1] = points[2 * k + 1];
    t[i] = y[k];
  });
  return { points: p, y: t };
}

/**
 * An image set's training part, shuffled by the seed and cut to `samples` images (validation first, the rest
 * training). With an official test part, that is the test split, all of it; without one (your own images) the test
 * split is held out with validation, after it.
 */
function imageDataset(set: ImageSet, spec: DatasetSpec, seed: number, classes?: string[]): TabularDataset {
  const pixels = set.height * set.width * set.channels;
  const noPoints = new Float32Array(0);
  const order = new Rng(deriveSeed(seed, 'split'))
    .permutation(set.train.n)
    .subarray(0, Math.min(spec.samples, set.train.n));
  const official = set.test.n > 0;
  const nHeld = Math.round(order.length * (official ? spec.validationSplit : heldOutShare(spec)));
  const take = (part: ImagePart, idx: ArrayLike<number>): Split => {
    const x = new Float32Array(idx.length * pixels);
    const y = new Float32Array(idx.length);
    for (let i = 0; i < idx.length; i++) {
      const k = idx[i];
      const image = part.images.subarray(k * pixels, (k + 1) * pixels);
      for (let p = 0; p < pixels; p++) x[i * pixels + p] = image[p] / 255;
      y[i] = part.labels[k];
    }
    return { x, y, n: idx.length, points: noPoints };
  };
  const train = take(set.train, order.subarray(nHeld));
  const held = take(set.train, order.subarray(0, nHeld));
  return {
    task: 'multiclass',
    inputDim: pixels,
    outputDim: set.classes,
    image: { height: set.height, width: set.width, channels: set.channels },
    ...(classes ? { classes } : {}),
    plane: null,
    scale: null,
    table: null,
    train,
    ...(official
      ? {
          validation: held,
          test: take(
            set.test,
            Array.from({ length: set.test.n }, (_, i) => i),
          ),
        }
      : splitHeldOut(held, train.n, spec, pixels)),
  };
}

/**
 * The dataset an experiment trains on: points generated from the seed, shuffled into
 * train and validation, turned into features and standardised with training statistics. Images held out are moved
 * when the spec asks (`shiftHeldOut`), each by its own seeded whole-pixel shift; training images never are.
 */
export function buildDataset(spec: DatasetSpec, seed: number, files: DatasetFiles = {}): TabularDataset {
  const ds = buildAsIs(spec, seed, files);
  const image = ds.image;
  if (!image || !(spec.shiftHeldOut > 0)) return ds;
  const rng = new Rng(deriveSeed(seed, 'shiftHeldOut'));
  const shifted = (s: Split): Split => ({
    ...s,
    x: shiftRows(s.x, image, drawChanges(rng, s.n, { shift: spec.shiftHeldOut, rotation: 0, flip: false })),
  });
  return { ...ds, validation: shifted(ds.validation), test: shifted(ds.test) };
}

function buildAsIs(spec: DatasetSpec, seed: number, files: DatasetFiles): TabularDataset {
  const noPoints = new Float32Array(0);
  if (spec.kind === 'userTable') {
    if (!files.table) throw new Error('Your table is not loaded: load a CSV file in the Data panel');
    // Validation and test are held out together, then split (standardised with training rows only).
    const t = tableData(files.table, { ...spec, validationSplit: heldOutShare(spec) }, seed);
    // Two numeric inputs and two classes: drawn on a plane with its decision boundary, like the 2-D sets.
    const flat = tableHasPlane(t.plan);
    const points = (raw: Float32Array) => (flat ? raw : noPoints);
    return {
      task: t.plan.task,
      inputDim: t.inputDim,
      outputDim: t.plan.task === 'multiclass' ? t.plan.classes!.length : 1,
      plane: flat
        ? {
            features: ['x1', 'x2'],
            standardizer: t.standardizer,
            domain: tableDomain(new Float32Array([...t.raw.train, ...t.raw.validation])),
          }
        : null,
      scale: t.scale,
      table: { classes: t.plan.classes, inputNames: t.plan.inputNames },
      train: { ...t.train, points: points(t.raw.train) },
      ...splitHeldOut({ ...t.validation, points: points(t.raw.validation) }, t.train.n, spec, t.inputDim),
    };
  }
  if (isSeries(spec.kind)) {
    // The MLP sees each window of past values as one input row.
    const { train, validation, test, scale } = seriesWindows(spec, seed);
    return {
      task: 'regression',
      inputDim: spec.contextLength,
      outputDim: 1,
      plane: null,
      scale,
      table: null,
      train: { ...train, points: noPoints },
      validation: { ...validation, points: noPoints },
      test: { ...test, points: noPoints },
    };
  }
  if (OFFICIAL_TEST_IMAGES[spec.kind] || spec.kind === 'userImages') {
    const set = files.images;
    if (!set) throw new Error(`${DATASET_LABELS[spec.kind]}: its images are not loaded`);
    const dataset = imageDataset(set, spec, seed, files.classNames ?? IMAGE_CLASS_NAMES[spec.kind]);
    return spec.kind === 'userImages' ? { ...dataset, ownImages: true } : dataset;
  }
  if (!isPlane(spec.kind)) {
    if (!files.mnist) throw new Error('The MNIST files are not loaded');
    const { train, validation } = splitMnist(
      parseMnist(files.mnist.images, files.mnist.labels),
      spec.samples,
      heldOutShare(spec),
      deriveSeed(seed, 'split'),
    );
    return {
      task: 'multiclass',
      inputDim: MNIST_PIXELS,
      outputDim: 10,
      image: { height: MNIST_SIDE, width: MNIST_SIDE, channels: 1 },
      plane: null,
      scale: null,
      table: null,
      train: { ...train, points: noPoints },
      ...splitHeldOut({ ...validation, points: noPoints }, train.n, spec, MNIST_PIXELS),
    };
  }
  const raw = withDrawn(generate2d(spec.kind, spec.samples, spec.noise, deriveSeed(seed, 'data')), spec.drawn);
  const order = new Rng(deriveSeed(seed, 'split')).permutation(raw.n);
  // Held out first in the seeded order: validation, then test; the rest trains.
  const nHeld = Math.round(raw.n * heldOutShare(spec));
  const nVal = Math.min(nHeld, Math.round(raw.n * spec.validationSplit));
  const val = take(raw.x, raw.y, order.subarray(0, nVal));
  const test = take(raw.x, raw.y, order.subarray(nVal, nHeld));
  const train = take(raw.x, raw.y, order.subarray(nHeld));
  const trainRows = featurize(train.points, spec.features);
  const standardizer = fitStandardizer(trainRows, spec.features.length);
  const split = (s: { points: Float32Array; y: Float32Array }, rows: Float32Array): Split => ({
    x: standardize(rows, standardizer),
    y: s.y,
    n: s.y.length,
    points: s.points,
  });
  return {
    task: taskOf(spec.kind),
    inputDim: spec.features.length,
    outputDim: 1,
    plane: { features: [...spec.features], standardizer, domain: { x: [-DOMAIN, DOMAIN], y: [-DOMAIN, DOMAIN] } },
    scale: null,
    table: null,
    train: split(train, trainRows),
    validation: split(val, featurize(val.points, spec.features)),
    test: split(test, featurize(test.points, spec.features)),
  };
}

/**
 * A resolution × resolution grid over the plane's window (row 0 at the top, the largest x2),
 * as model inputs, for drawing what the model predicts everywhere.
 */
export function boundaryGridInputs(plane: NonNullable<TabularDataset['plane']>, resolution: number): Float32Array {
  const points = new Float32Array(resolution * resolution * 2);
  const { x, y } = plane.domain;
  for (let r = 0; r < resolution; r++) {
    for (let c = 0; c < resolution; c++) {
      const i = r * resolution + c;
      points[2 * i] = x[0] + ((c + 0.5) * (x[1] - x[0])) / resolution;
      points[2 * i + 1] = y[1] - ((r + 0.5) * (y[1] - y[0])) / resolution;
    }
  }
  return standardize(featurize(points, plane.features), plane.standardizer);
}
