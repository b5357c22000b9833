// The sweeps started here: each grid's axes and the run in each cell. The runs themselves live in
// the run store (and its storage); this keeps which run is which cell, in localStorage, so a sweep's
// table and heatmap come back after a reload, and its unfinished cells can be trained again.
import { create } from 'zustand';
import { isObject, planSweep, SWEEP_LIMITS, SWEEP_PARAMS, type ExperimentSpec, type SweepAxis } from '../experiment';
import { ACTIVE_PHASES, useRunStore } from './runStore';
import { newRunId } from './runTabs';

export interface SweepCellRun {
  i: number;
  j: number;
  label: string;
  runId: number;
}

export interface Sweep {
  /** Its storage key's id: unique across tabs (see newRunId). */
  id: number;
  /** The number in its name ("Sweep 2"). */
  number: number;
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

/** Each sweep under a key of its own, so two tabs never write over each other's. */
const PREFIX = 'nn-playground-sweep:';
/** Where sweeps were kept before, as one list (read once, then moved to keys of their own). */
const OLD_KEY = 'nn-playground-sweeps';
/** Sweeps that failed their check, kept aside (not lost, not shown). */
const SET_ASIDE_KEY = 'nn-playground-sweeps-set-aside';

const isIndex = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;

const isAxis = (a: unknown): a is SweepAxis =>
  isObject(a) &&
  (SWEEP_PARAMS as readonly unknown[]).includes(a.param) &&
  Array.isArray(a.values) &&
  a.values.length >= 1 &&
  a.values.length <= SWEEP_LIMITS.values &&
  a.values.every((v) => Number.isFinite(v));

const isCell = (c: unknown): c is SweepCellRun =>
  isObject(c) &&
  isIndex(c.i) &&
  isIndex(c.j) &&
  Number.isSafeInteger(c.runId) &&
  typeof c.label === 'string' &&
  c.label.length <= 200;

/**
 * A kept sweep as the page can show it, or null: one or two axes of at most SWEEP_LIMITS values
 * (what the Sweep panel can make), and exactly one cell for every point of their grid.
 */
export function checkSweep(raw: unknown): Sweep | null {
  if (!isObject(raw) || !Number.isSafeInteger(raw.id) || (raw.id as number) < 1) return null;
  const { axes, cells } = raw;
  if (!Array.isArray(axes) || axes.length < 1 || axes.length > 2 || !axes.every(isAxis)) return null;
  const [rows, cols] = [axes[0].values.length, axes[1]?.values.length ?? 1];
  if (rows * cols > SWEEP_LIMITS.cells || !Array.isArray(cells) || cells.length !== rows * cols) return null;
  const seen = new Set<number>();
  for (const c of cells) {
    if (!isCell(c) || c.i >= rows || c.j >= cols || seen.has(c.i * cols + c.j)) return null;
    seen.add(c.i * cols + c.j);
  }
  const number = Number.isSafeInteger(raw.number) && (raw.number as number) > 0 ? (raw.number as number) : raw.id;
  return { id: raw.id as number, number: number as number, axes, cells: cells as SweepCellRun[] };
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** Keep what failed its check out of the way, but not lost (at most the last 20). */
function setAside(store: Storage, raw: string): void {
  try {
    const kept: unknown = JSON.parse(store.getItem(SET_ASIDE_KEY) ?? '[]');
    const list: unknown[] = Array.isArray(kept) ? (kept as unknown[]) : [];
    store.setItem(SET_ASIDE_KEY, JSON.stringify([...list, raw].slice(-20)));
  } catch {
    /* storage full: it is dropped from view either way */
  }
}

/** Sweeps read back from storage (untrusted input): well-formed ones, by age; the rest set aside and counted. */
function load(): { sweeps: Sweep[]; setAside: number } {
  const store = storage();
  if (!store) return { sweeps: [], setAside: 0 };
  let bad = 0;
  const reject = (key: string, raw: string) => {
    setAside(store, raw);
    store.removeItem(key);
    bad++;
  };
  // The old single list: each sweep moves to a key of its own.
  const old = store.getItem(OLD_KEY);
  if (old !== null) {
    let list: unknown = null;
    try {
      list = JSON.parse(old);
    } catch {
      /* set aside below */
    }
    if (!Array.isArray(list)) reject(OLD_KEY, old);
    else {
      for (const item of list) {
        const sweep = checkSweep(item);
        if (!sweep) {
          setAside(store, JSON.stringify(item));
          bad++;
        } else if (store.getItem(PREFIX + sweep.id) === null) store.setItem(PREFIX + sweep.id, JSON.stringify(sweep));
      }
      store.removeItem(OLD_KEY);
    }
  }
  const sweeps: Sweep[] = [];
  const keys = Array.from({ length: store.length }, (_, k) => store.key(k)).filter(
    (k): k is string => k !== null && k.startsWith(PREFIX),
  );
  for (const key of keys) {
    const raw = store.getItem(key) ?? '';
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(raw);
    } catch {
      /* set aside below */
    }
    const sweep = checkSweep(parsed);
    if (sweep && key === PREFIX + sweep.id) sweeps.push(sweep);
    else reject(key, raw);
  }
  return { sweeps: sweeps.sort((a, b) => a.id - b.id), setAside: bad };
}

/** Whether the last write was refused: told once, until a write succeeds again. */
let refused = false;

function write(sweep: Sweep): void {
  try {
    storage()?.setItem(PREFIX + sweep.id, JSON.stringify(sweep));
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

function erase(id: number): void {
  try {
    storage()?.removeItem(PREFIX + id);
  } catch {
    /* nothing kept to remove */
  }
}

const loaded = load();
if (loaded.setAside)
  useRunStore
    .getState()
    .notify(
      'warning',
      `${loaded.setAside} kept sweep${loaded.setAside === 1 ? '' : 's'} could not be read and ${loaded.setAside === 1 ? 'was' : 'were'} set aside; ${loaded.setAside === 1 ? 'its' : 'their'} runs are still in the runs list.`,
    );

export const useSweepStore = create<SweepState>((set, get) => {
  // A sweep started or removed in another tab shows here too.
  globalThis.addEventListener?.('storage', (e: StorageEvent) => {
    if (e.key === null || e.key.startsWith(PREFIX)) set({ sweeps: load().sweeps });
  });
  return {
    sweeps: loaded.sweeps,
    start(spec, axes) {
      const plan = planSweep(spec, axes);
      if (!plan.ok) return plan.error;
      const ids = useRunStore.getState().sweep(plan.cells);
      const number = Math.max(0, ...get().sweeps.map((s) => s.number)) + 1;
      const cells = plan.cells.map((c, k) => ({ i: c.i, j: c.j, label: c.label, runId: ids[k] }));
      const sweep = { id: newRunId(), number, axes, cells };
      write(sweep);
      set({ sweeps: [...get().sweeps, sweep] });
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
      erase(id);
      set({ sweeps: get().sweeps.filter((s) => s.id !== id) });
    },
  };
});
