import { describe, expect, test } from 'vitest';
import { buildDataset, boundaryGridInputs, deriveSeed, DOMAIN, featurize, generate2d, Rng } from '../src/data';
import { PLANE_DATASETS, isClassification, type DatasetSpec } from '../src/experiment';

const spec = (over: Partial<DatasetSpec> = {}): DatasetSpec => ({
  kind: 'circle',
  samples: 500,
  noise: 0.3,
  validationSplit: 0.2,
  testSplit: 0,
  features: ['x1', 'x2'],
  contextLength: 16,
  digits: 3,
  table: { target: '', task: 'auto' },
  drawn: { added: [], removed: [] },
  augment: { shift: 0, rotation: 0, flip: false },
  ownImages: { side: 32, colour: true },
  shiftHeldOut: 0,
  tokenizer: { kind: 'char', vocabSize: 1024 },
  ...over,
});

describe('2-D datasets', () => {
  test.each(PLANE_DATASETS)('%s is deterministic by seed', (kind) => {
    const a = generate2d(kind, 300, 0.3, 7);
    const b = generate2d(kind, 300, 0.3, 7);
    const c = generate2d(kind, 300, 0.3, 8);
    expect(a.x).toEqual(b.x);
    expect(a.y).toEqual(b.y);
    expect(a.x).not.toEqual(c.x);
  });

  test.each(PLANE_DATASETS)('%s has the documented size and label balance', (kind) => {
    const n = 301;
    const set = generate2d(kind, n, 0, 1);
    expect(set.n).toBe(n);
    expect(set.x.length).toBe(2 * n);
    for (const v of set.x) expect(Math.abs(v)).toBeLessThanOrEqual(DOMAIN);
    if (isClassification(kind)) {
      const ones = set.y.reduce((s, v) => s + v, 0);
      expect(ones).toBe(Math.floor(n / 2));
      expect(set.y.every((v) => v === 0 || v === 1)).toBe(true);
    } else {
      for (const v of set.y) expect(Math.abs(v)).toBeLessThanOrEqual(1);
    }
  });

  test('noise spreads the points by about the given standard deviation', () => {
    const clean = generate2d('gaussians', 2000, 0, 3);
    const noisy = generate2d('gaussians', 2000, 1, 3);
    const variance = (s: Float32Array) => {
      const m = s.reduce((a, v) => a + v, 0) / s.length;
      return s.reduce((a, v) => a + (v - m) ** 2, 0) / s.length;
    };
    // Independent Gaussian jitter adds its variance (1²) to the data's.
    expect(variance(noisy.x) - variance(clean.x)).toBeGreaterThan(0.8);
    expect(variance(noisy.x) - variance(clean.x)).toBeLessThan(1.2);
  });

  test('train/validation split follows validationSplit and keeps every point once', () => {
    const ds = buildDataset(spec({ samples: 500, validationSplit: 0.2 }), 42);
    expect(ds.train.n).toBe(400);
    expect(ds.validation.n).toBe(100);
    const all = generate2d('circle', 500, 0.3, deriveSeed(42, 'data'));
    const key = (p: Float32Array) => Array.from({ length: p.length / 2 }, (_, i) => `${p[2 * i]},${p[2 * i + 1]}`);
    expect([...key(ds.train.points), ...key(ds.validation.points)].sort()).toEqual(key(all.x).sort());
    const ones = [...ds.train.y, ...ds.validation.y].reduce((s, v) => s + v, 0);
    expect(ones).toBe(250);
    expect(buildDataset(spec(), 42)).toEqual(ds);
    expect(buildDataset(spec(), 43).train.points).not.toEqual(ds.train.points);
  });

  test('features are computed from x1, x2 and standardised on the training set', () => {
    const points = new Float32Array([1, 2, -3, 0.5]);
    expect(Array.from(featurize(points, ['x1sq', 'x2sq', 'x1x2', 'sinx1', 'sinx2', 'x2']))).toEqual(
      [1, 4, 2, Math.sin(1), Math.sin(2), 2, 9, 0.25, -1.5, Math.sin(-3), Math.sin(0.5), 0.5].map(Math.fround),
    );
    const ds = buildDataset(spec({ features: ['x1', 'x1sq', 'sinx2'] }), 5);
    expect(ds.inputDim).toBe(3);
    for (let j = 0; j < 3; j++) {
      const col = Array.from({ length: ds.train.n }, (_, i) => ds.train.x[i * 3 + j]);
      const mean = col.reduce((a, v) => a + v, 0) / col.length;
      const std = Math.sqrt(col.reduce((a, v) => a + (v - mean) ** 2, 0) / col.length);
      expect(mean).toBeCloseTo(0, 4);
      expect(std).toBeCloseTo(1, 3);
    }
    expect(boundaryGridInputs(ds.plane!, 10).length).toBe(100 * 3);
  });

  test('the seeded RNG gives a permutation and a stable stream', () => {
    const p = new Rng(9).permutation(50);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(new Rng(9).permutation(50)).toEqual(p);
  });
});

describe('points drawn by hand', () => {
  test('removed points leave the data, added ones join it with their class, and the split stays seeded', () => {
    const base = buildDataset(spec(), 42);
    const drawn = {
      added: [
        [0.5, -0.5, 1],
        [5, 5, 0],
      ] as [number, number, number][],
      removed: [0, 1, 2],
    };
    const edited = buildDataset(spec({ drawn }), 42);
    expect(edited.train.n + edited.validation.n).toBe(base.train.n + base.validation.n - 3 + 2);
    const points = [...edited.train.points, ...edited.validation.points];
    const labels = [...edited.train.y, ...edited.validation.y];
    const find = (x: number, y: number) =>
      labels[
        points.findIndex(
          (_, i) => i % 2 === 0 && Math.abs(points[i] - x) < 1e-6 && Math.abs(points[i + 1] - y) < 1e-6,
        ) / 2
      ];
    expect(find(0.5, -0.5)).toBe(1);
    expect(find(5, 5)).toBe(0);
    const raw = generate2d('circle', 500, 0.3, deriveSeed(42, 'data'));
    expect(find(raw.x[0], raw.x[1])).toBeUndefined();
    expect(find(raw.x[6], raw.x[7])).toBe(raw.y[3]);
    expect(buildDataset(spec({ drawn }), 42)).toEqual(edited);
  });
});

describe('an optional test split', () => {
  const key = (points: Float32Array, i: number) => `${points[2 * i]},${points[2 * i + 1]}`;

  test('2-D points: train, validation and test are disjoint, of the sizes the spec gives', () => {
    const ds = buildDataset(spec({ samples: 500, validationSplit: 0.2, testSplit: 0.1 }), 3);
    expect([ds.train.n, ds.validation.n, ds.test.n]).toEqual([350, 100, 50]);
    const sets = [ds.train, ds.validation, ds.test].map(
      (s) => new Set(Array.from({ length: s.n }, (_, i) => key(s.points, i))),
    );
    expect(sets[0].size + sets[1].size + sets[2].size).toBe(new Set([...sets[0], ...sets[1], ...sets[2]]).size);
  });

  test('without a test split the data is exactly as before: the same points in training and validation', () => {
    const before = buildDataset(spec({ testSplit: 0 }), 3);
    const withTest = buildDataset(spec({ testSplit: 0.2 }), 3);
    expect(before.test.n).toBe(0);
    // The held-out points are the same ones, now shared between validation and test.
    const held = (d: typeof before) => [
      ...Array.from({ length: d.validation.n }, (_, i) => key(d.validation.points, i)),
      ...Array.from({ length: d.test.n }, (_, i) => key(d.test.points, i)),
    ];
    expect(held(withTest).slice(0, 100)).toEqual(held(before));
  });
});
