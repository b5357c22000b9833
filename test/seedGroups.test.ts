// Runs of one experiment under several seeds: grouped, and summarised as a mean with a band.
import { expect, test } from 'vitest';
import { defaultSpec, specsForSeeds, isSeedCount } from '../src/spec';
import { meanAndBand, seedGroups } from '../src/state/seedGroups';
import type { Run } from '../src/state/runStore';

const run = (id: number, edit: (s: ReturnType<typeof defaultSpec>) => void = () => {}) => {
  const spec = defaultSpec();
  edit(spec);
  return { id, spec } as unknown as Run;
};

test('specsForSeeds counts the seed up from the spec’s; the count must be 1–10', () => {
  expect(specsForSeeds({ ...defaultSpec(), seed: 7 }, 3).map((s) => s.seed)).toEqual([7, 8, 9]);
  expect([0, 1, 10, 11, 2.5].map(isSeedCount)).toEqual([false, true, true, false, false]);
});

test('runs differing only in seed (or backend) form one group; any other difference starts another', () => {
  const runs = [
    run(1),
    run(2, (s) => (s.seed = 43)),
    run(3, (s) => (s.training.optimizer.learningRate = 0.1)),
    run(4, (s) => {
      s.seed = 44;
      s.backend = 'wasm';
    }),
    run(5, (s) => {
      s.seed = 43;
      s.training.optimizer.learningRate = 0.1;
    }),
  ];
  expect(seedGroups(runs).map((g) => g.map((r) => r.id))).toEqual([
    [1, 2, 4],
    [3, 5],
  ]);
  // The same experiment trained again under the same seed is no second seed.
  expect(seedGroups([run(1), run(2)]).map((g) => g.map((r) => r.id))).toEqual([[1], [2]]);
});

test('the band is min–max or ±1 standard deviation around the mean', () => {
  expect(meanAndBand([1, 2, 6], 'minmax')).toEqual({ y: 3, low: 1, high: 6 });
  const { y, low, high } = meanAndBand([1, 2, 6], 'std');
  const sd = Math.sqrt((4 + 1 + 9) / 3);
  expect([y, low, high].map((v) => Number(v.toFixed(12)))).toEqual(
    [3, 3 - sd, 3 + sd].map((v) => Number(v.toFixed(12))),
  );
});
