// Runs of one experiment under different seeds, grouped: their curves are drawn as one mean with
// a band (min–max, or ±1 standard deviation), and the runs list shows them together.
import { specKey } from '../experiment';
import type { Run } from './runStore';

export type SeedBand = 'minmax' | 'std' | 'off';

/** Runs with the same key are the same experiment but for the seed (and the backend it ran on). */
const keys = new WeakMap<object, string>();
function experimentKey(run: Run): string {
  let key = keys.get(run.spec);
  if (key === undefined) keys.set(run.spec, (key = specKey(run.spec, ['seed', 'backend'])));
  return key;
}

/**
 * The runs in groups of the same experiment under distinct seeds, in the order each group first
 * appears; singletons too. A run of a seed a group already has (the same experiment trained again)
 * starts a group of its own. (Keyed, not compared pairwise: an import of 1,000 runs groups at once.)
 */
export function seedGroups(runs: Run[]): Run[][] {
  const groups: Run[][] = [];
  // Per experiment: its groups in order, and per seed how many of them hold it. A run joins the
  // first group without its seed, so the groups holding a seed are always the first ones.
  const byExperiment = new Map<string, { groups: Run[][]; holding: Map<number, number> }>();
  for (const run of runs) {
    const key = experimentKey(run);
    let experiment = byExperiment.get(key);
    if (!experiment) byExperiment.set(key, (experiment = { groups: [], holding: new Map() }));
    const first = experiment.holding.get(run.spec.seed) ?? 0;
    experiment.holding.set(run.spec.seed, first + 1);
    const group = experiment.groups[first];
    if (group) group.push(run);
    else {
      experiment.groups.push([run]);
      groups.push(experiment.groups[first]);
    }
  }
  return groups;
}

/** Mean and band of the values at one x: min–max, or mean ± one (population) standard deviation. */
export function meanAndBand(
  values: number[],
  band: Exclude<SeedBand, 'off'>,
): { y: number; low: number; high: number } {
  const y = values.reduce((s, v) => s + v, 0) / values.length;
  if (band === 'minmax') return { y, low: Math.min(...values), high: Math.max(...values) };
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - y) ** 2, 0) / values.length);
  return { y, low: y - sd, high: y + sd };
}
