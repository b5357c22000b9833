// How long a run will take, from the measured pace of an earlier run of the same work: the same
// model, data, batch size and backend (a run's epoch times are measured, not guessed).
import type { ExperimentSpec } from '../experiment';
import type { RunRecord } from '../export/runRecord';

/** workOf by spec: specs are never changed in place, and the page asks again on every epoch. */
const works = new WeakMap<ExperimentSpec, string>();

/** The parts of an experiment that set an epoch's cost. */
function workOf(spec: ExperimentSpec): string {
  let work = works.get(spec);
  if (work === undefined) {
    const { drawn: _drawn, ...data } = spec.dataset;
    works.set(spec, (work = JSON.stringify([spec.model, data, spec.training.batchSize, spec.backend])));
  }
  return work;
}

/**
 * Seconds per epoch for `spec`, as the newest run of the same work measured them (the median of
 * its epochs after the first, which includes warm-up); null when no such run has two epochs.
 */
export function measuredEpochSeconds(spec: ExperimentSpec, runs: readonly RunRecord[]): number | null {
  const work = workOf(spec);
  for (let i = runs.length - 1; i >= 0; i--) {
    const r = runs[i];
    if (r.epochs.length < 2 || workOf(r.spec) !== work) continue;
    const later = r.epochs
      .slice(1)
      .map((e) => e.ms)
      .sort((a, b) => a - b);
    return later[Math.floor(later.length / 2)] / 1000;
  }
  return null;
}

/** "40 s", "12 min", "1 h 5 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
