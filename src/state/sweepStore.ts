// The sweeps started here: each grid's axes and the run in each cell. The runs themselves live in
// the run store (and its storage); this keeps which run is which cell, in localStorage, so a sweep's
// table and heatmap come back after a reload, and its unfinished cells can be trained again.
import { create } from 'zustand';
import { isObject, planSweep, SWEEP_PARAMS, type ExperimentSpec, type SweepAxis } from '../spec';
import { ACTIVE_PHASES, useRunStore } from './runStore';

export interface SweepCellRun {
  i: number;
  j: number;
  label: string;
  runId: number;
}

export interface Sweep {
  id: number;
  axes: SweepAxis[];
  cells: SweepCellRun[];
}

interface SweepState {
  sweeps: Sweep[];
  /** Plan and queue a sweep of `spec`; returns the problem, in words, or null once it is queued. */
  start: (spec: ExperimentSpec, axes: SweepAxis[]) => string | null;
  /** Stop every run of the sweep still queued or training. */
  cancel: (id: number) => void;
  /** Train the cells that did not finish on to the end, one after another: each from its kept model, or afresh. */
  resume: (id: number) => Promise<void>;
  remove: (id: number) => void;
}

const KEY = 'nn-playground-sweeps';

const isIndex = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;

const isAxis = (a: unknown): a is SweepAxis =>
  isObject(a) &&
  (SWEEP_PARAMS as readonly unknown[]).includes(a.param) &&
  Array.isArray(a.values) &&
  a.values.every((v) => Number.isFinite(v));

const isCell = (c: unknown): c is SweepCellRun =>
  isObject(c) && isIndex(c.i) && isIndex(c.j) && isIndex(c.runId) && typeof c.label === 'string';

const isSweep = (s: unknown): s is Sweep =>
  isObject(s) &&
  isIndex(s.id) &&
  Array.isArray(s.axes) &&
  s.axes.length >= 1 &&
  s.axes.length <= 2 &&
  s.axes.every(isAxis) &&
  Array.isArray(s.cells) &&
  s.cells.every(isCell);

/** Sweeps read back from storage, keeping only well-formed ones (storage is untrusted input). */
function load(): Sweep[] {
  try {
    const raw: unknown = JSON.parse(globalThis.localStorage?.getItem(KEY) ?? '[]');
    return Array.isArray(raw) ? raw.filter(isSweep) : [];
  } catch {
    return [];
  }
}

/** Whether the last write was refused: told once, until a write succeeds again. */
let refused = false;

function persist(sweeps: Sweep[]): void {
  try {
    globalThis.localStorage?.setItem(KEY, JSON.stringify(sweeps));
    refused = false;
  } catch {
    // Storage full or off: the sweep still runs; only its grid is not kept across a reload.
    if (refused) return;
    refused = true;
    useRunStore
      .getState()
      .notify(
        'warning',
        'The browser refused to save the sweeps’ tables (its storage is full or turned off): the sweep trains on, but its table and heatmap will not come back after a reload. Deleting old runs frees space.',
      );
  }
}

export const useSweepStore = create<SweepState>((set, get) => {
  const update = (sweeps: Sweep[]) => {
    persist(sweeps);
    set({ sweeps });
  };
  return {
    sweeps: load(),
    start(spec, axes) {
      const plan = planSweep(spec, axes);
      if (!plan.ok) return plan.error;
      const ids = useRunStore.getState().sweep(plan.cells);
      const id = Math.max(0, ...get().sweeps.map((s) => s.id)) + 1;
      const cells = plan.cells.map((c, k) => ({ i: c.i, j: c.j, label: c.label, runId: ids[k] }));
      update([...get().sweeps, { id, axes, cells }]);
      return null;
    },
    cancel(id) {
      const runs = useRunStore.getState();
      const sweep = get().sweeps.find((s) => s.id === id);
      for (const c of sweep?.cells ?? []) {
        const run = runs.runs.find((r) => r.id === c.runId);
        if (run && ACTIVE_PHASES.includes(run.phase)) runs.stop(run.id);
      }
    },
    async resume(id) {
      const runs = useRunStore.getState();
      const sweep = get().sweeps.find((s) => s.id === id);
      if (!sweep) return;
      // One launch for all (a launch stops whatever trains). A cell whose run was deleted stays empty.
      const unfinished = sweep.cells.filter((c) => {
        const run = runs.runs.find((r) => r.id === c.runId);
        return run && run.phase !== 'completed' && !ACTIVE_PHASES.includes(run.phase);
      });
      if (unfinished.length) await runs.resumeRuns(unfinished.map((c) => c.runId));
    },
    remove(id) {
      update(get().sweeps.filter((s) => s.id !== id));
    },
  };
});
