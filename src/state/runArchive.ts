// Runs and their checkpoints, kept in the browser's IndexedDB so a reload, a crash or a closed
// tab loses nothing. Everything read back is untrusted and checked like a link; a write the
// browser refuses (storage full) is reported, never swallowed.
import type { IDBPDatabase } from 'idb';
import { checkCheckpoint, checkRunRecord, type RunRecord } from '../export/runRecord';
import type { TrainingCheckpoint } from '../engine/types';
import { database } from './db';

/** A write the browser refused: what it was, its size, and why. */
export class StorageRefused extends Error {
  constructor(
    readonly what: string,
    readonly bytes: number,
    readonly quota: boolean,
    cause: unknown,
  ) {
    super(
      `${what} could not be saved: ${quota ? 'the browser’s storage for this site is full' : cause instanceof Error ? cause.message : String(cause)}`,
    );
  }
}

const isQuota = (e: unknown) =>
  e instanceof DOMException && (e.name === 'QuotaExceededError' || e.name === 'NS_ERROR_DOM_QUOTA_REACHED');

/** Roughly what a record takes on disk: its typed arrays plus its JSON-able rest. */
export function recordBytes(value: unknown): number {
  let bytes = 0;
  const text = JSON.stringify(value, (_, v: unknown) => {
    if (ArrayBuffer.isView(v)) {
      bytes += v.byteLength;
      return null;
    }
    return v;
  });
  return bytes + (text?.length ?? 0);
}

/** `bytes` is measured only when the write fails (it serialises the record: not for every save). */
async function write(what: string, bytes: () => number, work: (d: IDBPDatabase) => Promise<unknown>): Promise<void> {
  const d = database();
  if (!d) return;
  try {
    await work(await d);
  } catch (e) {
    throw new StorageRefused(what, bytes(), isQuota(e), e);
  }
}

export function saveRun(run: RunRecord): Promise<void> {
  return write(
    `${run.name} (its curves)`,
    () => recordBytes(run),
    (d) => d.put('runs', run),
  );
}

/** The run and its latest checkpoint together, in one transaction (either both or neither). */
export function saveCheckpoint(run: RunRecord, checkpoint: TrainingCheckpoint): Promise<void> {
  return write(
    `${run.name} (its model at epoch ${checkpoint.epoch})`,
    () => recordBytes(checkpoint),
    async (d) => {
      const tx = d.transaction(['runs', 'checkpoints'], 'readwrite');
      await Promise.all([
        tx.objectStore('checkpoints').put({ id: run.id, checkpoint }),
        tx.objectStore('runs').put(run),
        tx.done,
      ]);
    },
  );
}

export async function loadCheckpoint(id: number): Promise<TrainingCheckpoint | null> {
  const d = database();
  const row = d ? ((await (await d).get('checkpoints', id)) as { checkpoint?: unknown } | undefined) : undefined;
  if (!row) return null;
  const checked = checkCheckpoint(row.checkpoint);
  return checked.ok ? checked.checkpoint : null;
}

export async function deleteRun(id: number): Promise<void> {
  const d = database();
  if (!d) return;
  const tx = (await d).transaction(['runs', 'checkpoints'], 'readwrite');
  await Promise.all([tx.objectStore('runs').delete(id), tx.objectStore('checkpoints').delete(id), tx.done]);
}

/** Drop a run's model, keep its curves. */
export async function deleteWeights(run: RunRecord): Promise<void> {
  const d = database();
  if (!d) return;
  const tx = (await d).transaction(['runs', 'checkpoints'], 'readwrite');
  await Promise.all([
    tx.objectStore('checkpoints').delete(run.id),
    tx.objectStore('runs').put({ ...run, model: null }),
    tx.done,
  ]);
}

export async function loadRun(id: number): Promise<RunRecord | null> {
  const d = database();
  const raw: unknown = d ? await (await d).get('runs', id) : undefined;
  const checked = raw === undefined ? null : checkRunRecord(raw);
  return checked?.ok ? checked.run : null;
}

/**
 * Every kept run that passes its check, oldest first, and how many did not: those are moved
 * aside (kept, never loaded again), so one bad record can never blank the app.
 */
export async function loadRuns(): Promise<{ runs: RunRecord[]; skipped: number }> {
  const d = database();
  if (!d) return { runs: [], skipped: 0 };
  const store = await d;
  const raws = (await store.getAll('runs')) as unknown[];
  const runs: RunRecord[] = [];
  const bad: unknown[] = [];
  for (const raw of raws) {
    const checked = checkRunRecord(raw);
    if (checked.ok) runs.push(checked.run);
    else bad.push(raw);
  }
  if (bad.length) {
    try {
      const tx = store.transaction(['runs', 'setAside'], 'readwrite');
      for (const raw of bad) {
        const key = (raw as { id?: unknown } | null)?.id;
        void tx.objectStore('setAside').add({ record: raw, reason: 'failed its check on load' });
        if (typeof key === 'number' || typeof key === 'string') void tx.objectStore('runs').delete(key);
      }
      await tx.done;
    } catch {
      /* left where it is: it is skipped again next time */
    }
  }
  return { runs: runs.sort((a, b) => a.id - b.id), skipped: bad.length };
}
