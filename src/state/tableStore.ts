// The person's own CSV table for the "Your own table" dataset. Like their text it is not part of
// the spec (a link would be megabytes): it is kept in this browser's IndexedDB as given and read
// (parsed and checked, in the file-reading worker) only when a table experiment needs it, so a
// big table costs nothing to the page's start or to other datasets. What is read back from
// storage is checked again, like any stored record.
import { create } from 'zustand';
import { MAX_TABLE_BYTES, parseTable, type Table, type TableResult } from '../data/table';
import { formatMemory } from '../engine/memoryEstimate';
import { fileReader } from '../worker/client';
import { database } from './db';
import { previewOfFile, previewOfText } from './textBoxPreview';

const KEY = 'table';
/** The text box shows at most this much of a table. */
export const PREVIEW_CHARS = 20_000;

interface TableState {
  /** The start of the CSV, for the text box (the whole of one up to PREVIEW_CHARS). */
  preview: string;
  /** Whether `preview` is the whole CSV (only then can it be edited there). */
  whole: boolean;
  /** Whether any CSV was given (pasted, uploaded or kept from an earlier visit). */
  given: boolean;
  /** Where it came from: "pasted" or the uploaded file's name. */
  source: string;
  /** The table read, by column; null when there is none, it is being read, or it cannot be used. */
  table: Table | null;
  /** Why the CSV cannot be used (row and column named); null when it can. */
  problem: string | null;
  /** How much of the CSV has been read (0–1) while it is read; null otherwise. */
  reading: number | null;
  /** Set when the browser would not keep it (storage full); it still works until reload. */
  storageNote: string | null;
  /** A new CSV (pasted text, or an uploaded file): read at once and kept for later visits. */
  set: (csv: string | Blob, source: string) => Promise<void>;
  /** The table, read from storage the first time it is needed; null when there is none to use. */
  open: () => Promise<Table | null>;
}

const NONE =
  'Your table: this experiment trains on a CSV table of your own (tables are never put in links); paste or upload one with a header row.';

/** The CSV being read now: a newer one makes an older reading's result moot. */
let latest = 0;
/** How many CSVs were given in this tab: one given while the kept one is fetched wins. */
let givenHere = 0;
/** The kept table's first reading, shared by everyone who asks. */
let opening: Promise<Table | null> | null = null;

/** Read a CSV in the worker (or here, where there are no workers: tests in Node) into the store. */
async function read(csv: string | Blob): Promise<Table | null> {
  const reading = ++latest;
  const size = typeof csv === 'string' ? csv.length : csv.size;
  if (size > MAX_TABLE_BYTES) {
    useTableStore.setState({
      table: null,
      reading: null,
      problem: `Your table: it is ${formatMemory(size)}, over the ${MAX_TABLE_BYTES / 1e6} MB limit.`,
    });
    return null;
  }
  if (typeof csv === 'string' && csv.trim() === '') {
    useTableStore.setState({ table: null, reading: null, problem: NONE });
    return null;
  }
  useTableStore.setState({ table: null, problem: null, reading: 0 });
  let result: TableResult<Table>;
  try {
    result =
      typeof Worker === 'undefined'
        ? parseTable(typeof csv === 'string' ? csv : await csv.text())
        : await fileReader().readTable(csv, (fraction) => {
            if (reading === latest) useTableStore.setState({ reading: fraction });
          });
  } catch (e) {
    result = { ok: false, error: `it could not be read (${e instanceof Error ? e.message : String(e)})` };
  }
  if (reading !== latest) return useTableStore.getState().table;
  useTableStore.setState(
    result.ok
      ? { table: result.value, problem: null, reading: null }
      : { table: null, problem: `Your table: ${result.error}.`, reading: null },
  );
  return result.ok ? result.value : null;
}

export const useTableStore = create<TableState>((set, get) => ({
  preview: '',
  whole: true,
  given: false,
  source: '',
  table: null,
  problem: NONE,
  reading: null,
  storageNote: null,
  async set(csv, source) {
    givenHere++;
    opening = Promise.resolve(null); // what is kept from before is replaced, not read
    // Typed text shows at once (the text box follows every key); a file's start once read.
    if (typeof csv === 'string')
      set({ ...previewOfText(csv, PREVIEW_CHARS), given: csv.trim() !== '', source, storageNote: null });
    else set({ ...(await previewOfFile(csv, PREVIEW_CHARS)), given: csv.size > 0, source, storageNote: null });
    const db = database();
    db?.then((d) => d.put('userData', { csv, source }, KEY)).catch(() => {
      set({ storageNote: 'This browser would not keep the table (storage is full); it works until you reload.' });
    });
    opening = read(csv);
    await opening;
  },
  open() {
    if (get().table) return Promise.resolve(get().table);
    opening ??= keptTable();
    return opening;
  },
}));

/** The table kept from an earlier visit: its preview at once, the table read when first needed. */
async function keptTable(): Promise<Table | null> {
  const asked = givenHere;
  const raw = (await database()
    ?.then((d) => d.get('userData', KEY))
    .catch(() => null)) as { csv?: unknown; source?: unknown } | null | undefined;
  const csv = raw?.csv;
  // Nothing kept, or something else given meanwhile (that one is what counts).
  if ((typeof csv !== 'string' && !(csv instanceof Blob)) || givenHere !== asked) return useTableStore.getState().table;
  useTableStore.setState({
    ...(typeof csv === 'string' ? previewOfText(csv, PREVIEW_CHARS) : await previewOfFile(csv, PREVIEW_CHARS)),
    given: true,
    source: typeof raw?.source === 'string' ? raw.source.slice(0, 200) : 'pasted',
  });
  return read(csv);
}
