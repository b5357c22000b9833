// Runs of one experiment under different seeds, grouped: their curves are drawn as one mean with
// a band (min–max, or ±1 standard deviation), and the runs list shows them together.
import { diffSpecs } from '../spec';
import type { Run } from './runStore';

export type SeedBand = 'minmax' | 'std' | 'off';

/** Whether two runs are the same experiment but for the seed (and the backend it ran on). */
export const sameButSeed = (a: Run, b: Run) =>
  diffSpecs(a.spec, b.spec).every((d) => d.path === 'seed' || d.path === 'backend');

/**
 * The runs in groups of the same experiment under distinct seeds, in the order each group first
 * appears; singletons too. A run of a seed a group already has (the same experiment trained again)
 * starts a group of its own.
 */
export function seedGroups(runs: Run[]): Run[][] {
  const groups: Run[][] = [];
  for (const run of runs) {
    const group = groups.find((g) => sameButSeed(g[0], run) && !g.some((r) => r.spec.seed === run.spec.seed));
    if (group) group.push(run);
    else groups.push([run]);
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
