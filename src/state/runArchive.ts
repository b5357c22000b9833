// Runs and their checkpoints, kept in the browser's IndexedDB so a reload, a crash or a closed
// tab loses nothing. Everything read back is untrusted and checked like a link; a write the
// browser refuses (storage full) is reported, never swallowed.
import type { IDBPDatabase, IDBPTransaction } from 'idb';
import { checkCheckpoint, checkRunCheckpoint, checkRunRecord, type RunRecord } from '../export/runRecord';
import type { EpochMetrics, TrainingCheckpoint } from '../engine/types';
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

/** A run's epochs from `from` on, as one write added them (see putRun). */
interface EpochChunk {
  runId: number;
  from: number;
  epochs: EpochMetrics[];
}

/** Every chunk key of one run. */
const chunksOf = (id: number) => IDBKeyRange.bound([id, 0], [id, Infinity]);

/**
 * What storage holds of each run's epochs, as this tab wrote or read them: how many, and the
 * last one (the same object as in the run while its epochs only grow). A run not here, or whose
 * epochs were replaced (trained again, cut back to a checkpoint), is written whole.
 */
const stored = new Map<number, { count: number; last: EpochMetrics | null }>();

type RunTx = IDBPTransaction<unknown, ('runs' | 'epochs' | 'checkpoints')[], 'readwrite'>;

/** A request in a transaction: its failure is the transaction's (awaited as tx.done), not a stray rejection. */
const inTx = (request: Promise<unknown>) => void request.catch(() => {});

/**
 * Put the run in a transaction: its record without the epochs, and the epochs storage does not
 * hold yet as a new chunk. A write then costs the epochs since the last one, however long the
 * run (writing the whole run each time fell ever further behind a fast run). Returns what
 * storage holds once the transaction commits.
 */
function putRun(tx: RunTx, run: RunRecord): { count: number; last: EpochMetrics | null } {
  const { epochs } = run;
  const kept = stored.get(run.id);
  const grows = !!kept && kept.count <= epochs.length && (kept.count === 0 || epochs[kept.count - 1] === kept.last);
  const from = grows ? kept.count : 0;
  const chunks = tx.objectStore('epochs');
  if (!grows) inTx(chunks.delete(chunksOf(run.id)));
  if (epochs.length > from) inTx(chunks.put({ runId: run.id, from, epochs: epochs.slice(from) } satisfies EpochChunk));
  inTx(tx.objectStore('runs').put({ ...run, epochs: [] }));
  return { count: epochs.length, last: epochs.at(-1) ?? null };
}

/** The run (and its latest checkpoint, when given) in one transaction: either all of it or none. */
async function putInTransaction(d: IDBPDatabase, run: RunRecord, checkpoint?: TrainingCheckpoint): Promise<void> {
  // Relaxed: done once the browser holds the data, without waiting for the disk to flush it; a
  // reload or a crashed tab keeps it, and a fast run's writes no longer wait on the disk.
  const tx: RunTx = d.transaction(['runs', 'epochs', 'checkpoints'], 'readwrite', { durability: 'relaxed' });
  if (checkpoint) inTx(tx.objectStore('checkpoints').put({ id: run.id, checkpoint }));
  const holds = putRun(tx, run);
  await tx.done;
  stored.set(run.id, holds);
}

export function saveRun(run: RunRecord): Promise<void> {
  return write(
    `${run.name} (its curves)`,
    () => recordBytes(run),
    (d) => putInTransaction(d, run),
  );
}

/** The run and its latest checkpoint together, in one transaction (either both or neither). */
export function saveCheckpoint(run: RunRecord, checkpoint: TrainingCheckpoint): Promise<void> {
  return write(
    `${run.name} (its model at epoch ${checkpoint.epoch})`,
    () => recordBytes(checkpoint),
    (d) => putInTransaction(d, run, checkpoint),
  );
}

/**
 * A stored record with its epochs back in place: a record kept in chunks has an empty list, a
 * record from before chunks its epochs inline (anything else is left for the check to refuse).
 */
function withEpochs(raw: unknown, chunks: EpochChunk[]): unknown {
  const r = raw as { epochs?: unknown } | null;
  if (!r || typeof r !== 'object' || !Array.isArray(r.epochs) || r.epochs.length) return raw;
  // Each chunk starts where the epochs before it end; one that starts earlier replaces what it
  // overlaps, and a gap ends the list (the run keeps what is whole).
  const epochs: unknown[] = [];
  for (const c of [...chunks].sort((a, b) => a.from - b.from)) {
    if (!Array.isArray(c.epochs) || !Number.isInteger(c.from) || c.from > epochs.length) break;
    epochs.length = c.from;
    for (const e of c.epochs as unknown[]) epochs.push(e);
  }
  return { ...r, epochs };
}

/** Note what storage holds of a run just read (inline epochs are not in chunks yet: written whole next time). */
function noteRead(raw: unknown, run: RunRecord): void {
  const inline =
    Array.isArray((raw as { epochs?: unknown[] }).epochs) && (raw as { epochs: unknown[] }).epochs.length > 0;
  stored.set(run.id, inline ? { count: 0, last: null } : { count: run.epochs.length, last: run.epochs.at(-1) ?? null });
}

/** The run's kept checkpoint, when it passes the same checks as an imported one (see checkRunCheckpoint). */
export async function loadCheckpoint(run: RunRecord): Promise<TrainingCheckpoint | null> {
  const d = database();
  const row = d ? ((await (await d).get('checkpoints', run.id)) as { checkpoint?: unknown } | undefined) : undefined;
  if (!row) return null;
  const checked = checkCheckpoint(row.checkpoint);
  return checked.ok && checkRunCheckpoint(run, checked.checkpoint).length === 0 ? checked.checkpoint : null;
}

export async function deleteRun(id: number): Promise<void> {
  const d = database();
  if (!d) return;
  const tx = (await d).transaction(['runs', 'epochs', 'checkpoints'], 'readwrite');
  stored.delete(id);
  await Promise.all([
    tx.objectStore('runs').delete(id),
    tx.objectStore('epochs').delete(chunksOf(id)),
    tx.objectStore('checkpoints').delete(id),
    tx.done,
  ]);
}

/** Drop a run's model, keep its curves. */
export async function deleteWeights(run: RunRecord): Promise<void> {
  const d = database();
  if (!d) return;
  const tx: RunTx = (await d).transaction(['runs', 'epochs', 'checkpoints'], 'readwrite');
  inTx(tx.objectStore('checkpoints').delete(run.id));
  const holds = putRun(tx, { ...run, model: null });
  await tx.done;
  stored.set(run.id, holds);
}

export async function loadRun(id: number): Promise<RunRecord | null> {
  const d = database();
  if (!d) return null;
  const store = await d;
  const raw: unknown = await store.get('runs', id);
  if (raw === undefined) return null;
  const chunks = (await store.getAll('epochs', chunksOf(id))) as EpochChunk[];
  const full = withEpochs(raw, chunks);
  const checked = checkRunRecord(full);
  if (!checked.ok) return null;
  noteRead(raw, checked.run);
  return checked.run;
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
  const chunks = new Map<unknown, EpochChunk[]>();
  for (const c of (await store.getAll('epochs')) as EpochChunk[]) {
    const list = chunks.get(c.runId) ?? [];
    list.push(c);
    chunks.set(c.runId, list);
  }
  const runs: RunRecord[] = [];
  const bad: unknown[] = [];
  for (const raw of raws) {
    const full = withEpochs(raw, chunks.get((raw as { id?: unknown } | null)?.id) ?? []);
    const checked = checkRunRecord(full);
    if (checked.ok) {
      runs.push(checked.run);
      noteRead(raw, checked.run);
    } else bad.push(full);
  }
  if (bad.length) {
    try {
      const tx = store.transaction(['runs', 'epochs', 'setAside'], 'readwrite');
      for (const raw of bad) {
        const key = (raw as { id?: unknown } | null)?.id;
        inTx(tx.objectStore('setAside').add({ record: raw, reason: 'failed its check on load' }));
        // Its id is its key, whatever its type (a number, or an array or a date a damaged record may hold).
        try {
          inTx(tx.objectStore('runs').delete(key as IDBValidKey));
        } catch {
          /* not a key: nothing stored under it */
        }
        if (typeof key === 'number') inTx(tx.objectStore('epochs').delete(chunksOf(key)));
      }
      await tx.done;
    } catch {
      /* left where it is: it is skipped again next time */
    }
  }
  return { runs: runs.sort((a, b) => a.id - b.id), skipped: bad.length };
}
