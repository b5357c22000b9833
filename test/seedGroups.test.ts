// Runs of one experiment under several seeds: grouped, and summarised as a mean with a band.
import { expect, test } from 'vitest';
import { defaultSpec, diffSpecs, LESSONS, specKey, specsForSeeds, isSeedCount } from '../src/experiment';
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

test('two specs share a key exactly when diffSpecs finds only ignored fields differing (every pair of lessons and variants)', () => {
  const specs = [
    defaultSpec(),
    ...LESSONS.flatMap((l) => (l.target.kind === 'experiment' ? [l.target.spec] : [])),
  ].flatMap((s) => [
    s,
    { ...s, seed: s.seed + 1 },
    { ...s, backend: 'wasm' as const },
    { ...s, training: { ...s.training, epochs: s.training.epochs + 1 } },
    { ...s, model: { ...s.model, extra: [] } },
  ]);
  for (const a of specs)
    for (const b of specs) {
      const onlyIgnored = diffSpecs(a, b).every((d) => d.path === 'seed' || d.path === 'backend');
      expect(specKey(a, ['seed', 'backend']) === specKey(b, ['seed', 'backend'])).toBe(onlyIgnored);
    }
});

test('grouping keyed by experiment puts each run where comparing every pair would', () => {
  // The pairwise rule: a run joins the first group of its experiment that lacks its seed.
  const pairwise = (runs: Run[]) => {
    const groups: Run[][] = [];
    for (const r of runs) {
      const same = (a: Run) => diffSpecs(a.spec, r.spec).every((d) => d.path === 'seed' || d.path === 'backend');
      const g = groups.find((g) => same(g[0]) && !g.some((x) => x.spec.seed === r.spec.seed));
      if (g) g.push(r);
      else groups.push([r]);
    }
    return groups.map((g) => g.map((r) => r.id));
  };
  let state = 7;
  const next = (n: number) => (state = (state * 1103515245 + 12345) % 2 ** 31) % n;
  const runs = Array.from({ length: 300 }, (_, i) =>
    run(i, (s) => {
      s.seed = 40 + next(4);
      s.training.optimizer.learningRate = [0.1, 0.01, 0.001][next(3)];
    }),
  );
  expect(seedGroups(runs).map((g) => g.map((r) => r.id))).toEqual(pairwise(runs));
});
