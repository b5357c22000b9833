// What "auto" measured for a model on this device, kept in localStorage so the same model is not
// measured again (a measurement costs up to ~2 s, more where a GPU compiles its shaders slowly).
// A stored entry is untrusted input and is checked like a run record.
import { checkMeasurements } from '../export/runRecord';
import type { BackendMeasurement, BackendReport } from '../engine/types';
import { autoKey } from '../engine/autoKey';
import { BACKENDS, type BackendName, type ExperimentSpec } from '../experiment';

export const AUTO_STORAGE_KEY = 'nn-playground.autoBackend';
/** The newest entries kept; older ones are dropped. */
const MAX_ENTRIES = 50;

export interface AutoPick {
  backend: BackendName;
  measured: BackendMeasurement[];
}

/** This browser on this machine, as far as a page can tell. */
export function thisDevice(): string {
  return `${navigator.userAgent} · ${navigator.hardwareConcurrency} threads`;
}

function readAll(): [string, AutoPick][] {
  try {
    const raw: unknown = JSON.parse(localStorage.getItem(AUTO_STORAGE_KEY) ?? '[]');
    if (!Array.isArray(raw)) return [];
    return raw.flatMap((e): [string, AutoPick][] => {
      if (!Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'object' || e[1] === null) return [];
      const { backend, measured } = e[1] as Record<string, unknown>;
      const checked = checkMeasurements(measured);
      return (BACKENDS as readonly unknown[]).includes(backend) && checked
        ? [[e[0], { backend: backend as BackendName, measured: checked }]]
        : [];
    });
  } catch {
    return []; // unreadable storage: measure again
  }
}

/** The measurement an earlier run of this model made on this device, if one was kept. */
export function keptAutoPick(spec: ExperimentSpec): AutoPick | null {
  if (spec.backend !== 'auto') return null;
  const key = autoKey(spec, thisDevice());
  return readAll().find(([k]) => k === key)?.[1] ?? null;
}

/**
 * Keep what a run's "auto" measured now (not one it was handed, nor one made while a backend was
 * skipped after it stopped working in this tab), for the next run of the same model.
 */
export function keepAutoPick(spec: ExperimentSpec, report: BackendReport, skipped: readonly BackendName[]): void {
  if (
    spec.backend !== 'auto' ||
    !report.measured ||
    report.measuredEarlier ||
    report.measurementSkipped ||
    skipped.length > 0
  )
    return;
  const key = autoKey(spec, thisDevice());
  const entries = readAll().filter(([k]) => k !== key);
  entries.push([key, { backend: report.active, measured: report.measured }]);
  try {
    localStorage.setItem(AUTO_STORAGE_KEY, JSON.stringify(entries.slice(-MAX_ENTRIES)));
  } catch {
    // Storage full or refused: the next run measures again, which costs time, not work.
  }
}
