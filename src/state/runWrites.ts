// Saving runs to IndexedDB as they train: at most one write per run in flight and one waiting
// (a newer save replaces an unwritten older one, so a fast run never queues writes faster than
// storage takes them), imports saved a few runs at a time, the person told once per run when the
// browser refuses, and a warning before the page closes with writes under way.
import type { TrainingCheckpoint } from '../engine/types';
import { formatMemory } from '../engine/memoryEstimate';
import type { RunRecord } from '../export/runRecord';
import * as archive from './runArchive';
import { tellOtherTabs } from './runTabs';
import type { Notice } from './runTypes';

/** Imported runs are saved this many at a time. */
const IMPORT_BATCH = 20;

export interface RunWritesContext {
  /** The run as it is now, in the form it is kept; undefined when it is gone (or another tab's). */
  recordOf: (id: number) => RunRecord | undefined;
  /** How many runs have writes under way or waiting, and how many were refused: for the page to show. */
  onCounts: (counts: { pendingWrites?: number; unsavedRuns?: number }) => void;
  notify: (kind: Notice['kind'], text: string) => void;
}

export function createRunWrites({ recordOf, onCounts, notify }: RunWritesContext) {
  /** Runs whose last write was refused: told once until a write succeeds again. */
  const refused = new Set<number>();

  /** Write, and tell the person (once per run) when the browser refuses. Training goes on either way. */
  const persist = async (id: number, write: () => Promise<void>) => {
    try {
      await write();
      if (refused.delete(id)) onCounts({ unsavedRuns: refused.size });
      tellOtherTabs({ type: 'saved', id });
    } catch (e) {
      if (refused.has(id)) return;
      refused.add(id);
      onCounts({ unsavedRuns: refused.size });
      const size = e instanceof archive.StorageRefused ? ` (${formatMemory(e.bytes)})` : '';
      const how =
        e instanceof archive.StorageRefused && e.quota
          ? ' Free space by deleting runs or just their weights in the Runs panel (each run’s size is shown there).'
          : '';
      notify(
        'warning',
        `${e instanceof Error ? e.message : String(e)}${size}. Training goes on; this run is not kept across a reload until it can be saved.${how}`,
      );
    }
  };

  /**
   * Each run's writes: one at a time, and at most one waiting, which always takes the run as it
   * is when it starts (and the newest checkpoint not yet written). A newer save replaces an
   * unwritten older one, so a fast run can never queue writes faster than storage takes them,
   * and what is kept trails the page by at most one write.
   */
  type RunWrites = { again: boolean; checkpoint: TrainingCheckpoint | null; done: (() => void)[] };
  const writes = new Map<number, RunWrites>();
  /** Imported runs not yet handed to `keep` (an import saves a few at a time; see saveImported). */
  let importsWaiting = 0;
  const writesPending = () => writes.size + importsWaiting;
  const keep = (id: number, checkpoint?: TrainingCheckpoint): Promise<void> =>
    new Promise((resolve) => {
      let w = writes.get(id);
      const idle = !w;
      if (!w) writes.set(id, (w = { again: false, checkpoint: null, done: [] }));
      w.again = true;
      if (checkpoint) w.checkpoint = checkpoint;
      w.done.push(resolve);
      onCounts({ pendingWrites: writesPending() });
      if (idle) void drain(id, w);
    });
  const drain = async (id: number, w: RunWrites) => {
    await Promise.resolve(); // a caller puts the run in the store right after asking
    while (w.again) {
      w.again = false;
      const checkpoint = w.checkpoint;
      w.checkpoint = null;
      const done = w.done.splice(0);
      const run = recordOf(id);
      if (run) await persist(id, () => (checkpoint ? archive.saveCheckpoint(run, checkpoint) : archive.saveRun(run)));
      done.forEach((f) => f());
    }
    writes.delete(id);
    onCounts({ pendingWrites: writesPending() });
  };
  const save = (id: number): Promise<void> => keep(id);
  /**
   * An import's runs, saved a few at a time: each write copies its run in the page's thread, so a
   * thousand at once would freeze it for seconds. Each batch waits for the one before.
   */
  const saveImported = async (runs: { id: number; checkpoint: TrainingCheckpoint | null }[]) => {
    importsWaiting += runs.length;
    for (let from = 0; from < runs.length; from += IMPORT_BATCH) {
      const batch = runs.slice(from, from + IMPORT_BATCH);
      importsWaiting -= batch.length;
      await Promise.all(batch.map((r) => keep(r.id, r.checkpoint ?? undefined)));
    }
  };
  // Closing or reloading the page while a write is under way would lose the epochs in it: ask first.
  globalThis.addEventListener?.('beforeunload', (e: BeforeUnloadEvent) => {
    if (writesPending() === 0) return;
    e.preventDefault();
    e.returnValue = '';
  });

  /** A deleted run is no longer one that could not be saved; the count of those left. */
  const forget = (id: number): number => {
    refused.delete(id);
    return refused.size;
  };

  return { keep, save, saveImported, forget };
}
