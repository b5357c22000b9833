// Finished runs are kept in the browser's IndexedDB, so a reload does not lose them.
import type { Run } from './runStore';

/** What is stored of a run: everything but the transient views (last step, inspection). */
export type StoredRun = Omit<Run, 'inspection' | 'lastBatch' | 'asked'>;

const DB = 'nn-playground';
const STORE = 'runs';

function open(): Promise<IDBDatabase> | null {
  if (typeof indexedDB === 'undefined') return null;
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'id' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

let db: Promise<IDBDatabase> | null = null;

async function withStore<T>(mode: IDBTransactionMode, work: (s: IDBObjectStore) => IDBRequest<T>): Promise<T | null> {
  db ??= open();
  if (!db) return null;
  const store = (await db).transaction(STORE, mode).objectStore(STORE);
  return new Promise((resolve, reject) => {
    const req = work(store);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Storage can be unavailable (private windows, quotas): the app keeps working without it. */
function quietly<T>(p: Promise<T>): Promise<T | null> {
  return p.catch(() => null);
}

export function saveRun(run: Run): Promise<unknown> {
  const { inspection: _i, lastBatch: _b, asked: _a, ...stored } = run;
  return quietly(withStore('readwrite', (s) => s.put(stored)));
}

export function deleteRun(id: number): Promise<unknown> {
  return quietly(withStore('readwrite', (s) => s.delete(id)));
}

export async function loadRuns(): Promise<StoredRun[]> {
  return ((await quietly(withStore<StoredRun[]>('readonly', (s) => s.getAll()))) ?? []).sort((a, b) => a.id - b.id);
}
