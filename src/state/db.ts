// The app's one IndexedDB database and its versions (idb handles the upgrade transactions).
import { openDB, type IDBPDatabase } from 'idb';

const DB = 'nn-playground';
/**
 * 1: runs. 2: checkpoints apart from runs (large, read only when a run is resumed or opened) and
 * records that failed their check (set aside). 3: the person's own data (a CSV table). 4: a run's
 * epoch figures in chunks apart from it, each write adding the epochs since the last (runs kept
 * before keep theirs inline until their next write).
 */
const VERSION = 4;

let db: Promise<IDBPDatabase> | null = null;

/** The open database, or null where the browser has no IndexedDB; a failed open is retried next time. */
export function database(): Promise<IDBPDatabase> | null {
  if (typeof indexedDB === 'undefined') return null;
  db ??= openDB(DB, VERSION, {
    upgrade(d, oldVersion) {
      if (oldVersion < 1) d.createObjectStore('runs', { keyPath: 'id' });
      if (oldVersion < 2) {
        d.createObjectStore('checkpoints', { keyPath: 'id' });
        d.createObjectStore('setAside', { autoIncrement: true });
      }
      if (oldVersion < 3) d.createObjectStore('userData');
      if (oldVersion < 4) d.createObjectStore('epochs', { keyPath: ['runId', 'from'] });
    },
  }).catch((e) => {
    db = null;
    throw e;
  });
  return db;
}
