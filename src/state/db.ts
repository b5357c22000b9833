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

/** Every store the app reads and writes, with its key. */
const STORES: [string, IDBObjectStoreParameters][] = [
  ['runs', { keyPath: 'id' }],
  ['checkpoints', { keyPath: 'id' }],
  ['setAside', { autoIncrement: true }],
  ['userData', {}],
  ['epochs', { keyPath: ['runId', 'from'] }],
];

/** Create whichever stores are missing (all of them in a new database; any a damaged one lacks). */
function createMissing(d: IDBPDatabase): void {
  for (const [name, options] of STORES) if (!d.objectStoreNames.contains(name)) d.createObjectStore(name, options);
}

const missingIn = (d: IDBPDatabase) => STORES.some(([name]) => !d.objectStoreNames.contains(name));

/**
 * Open the database at VERSION (or the newer version a repair left), then repair it when a store
 * is missing (a database damaged or made by something else): one version up, the missing stores
 * created, the rest kept as it is.
 */
async function open(): Promise<IDBPDatabase> {
  let d: IDBPDatabase;
  try {
    d = await openDB(DB, VERSION, { upgrade: createMissing });
  } catch (e) {
    if (!(e instanceof DOMException && e.name === 'VersionError')) throw e;
    d = await openDB(DB); // a repair moved it past VERSION
  }
  if (!missingIn(d)) return d;
  const version = d.version + 1;
  d.close();
  return openDB(DB, version, { upgrade: createMissing });
}

/** The open database, or null where the browser has no IndexedDB; a failed open is retried next time. */
export function database(): Promise<IDBPDatabase> | null {
  if (typeof indexedDB === 'undefined') return null;
  db ??= open().catch((e) => {
    db = null;
    throw e;
  });
  return db;
}
