// The person's own CSV table for the "Your own table" dataset. Like their text it is not part of
// the spec (a link would be megabytes): it is kept in this browser's IndexedDB and sent to the
// worker with each run. What is read back is parsed and checked again, like any stored record.
import { create } from 'zustand';
import { parseTable, type Table } from '../data/table';
import { database } from './db';

const KEY = 'table';

interface TableState {
  /** The CSV as given. */
  csv: string;
  /** Where it came from: "pasted" or the uploaded file's name. */
  source: string;
  /** The parsed table; null when there is none or it cannot be read. */
  table: Table | null;
  /** Why the CSV cannot be used (row and column named); null when it can. */
  problem: string | null;
  /** Set when the browser would not keep it (storage full); it still works until reload. */
  storageNote: string | null;
  set: (csv: string, source: string) => void;
}

function read(csv: string): Pick<TableState, 'table' | 'problem'> {
  if (!csv.trim()) {
    return {
      table: null,
      problem:
        'Your table: this experiment trains on a CSV table of your own (tables are never put in links); paste or upload one with a header row.',
    };
  }
  const parsed = parseTable(csv);
  return parsed.ok ? { table: parsed.value, problem: null } : { table: null, problem: `Your table: ${parsed.error}.` };
}

export const useTableStore = create<TableState>((set) => ({
  csv: '',
  source: '',
  ...read(''),
  storageNote: null,
  set(csv, source) {
    set({ csv, source, storageNote: null, ...read(csv) });
    const db = database();
    db?.then((d) => d.put('userData', { csv, source }, KEY)).catch(() => {
      set({ storageNote: 'This browser would not keep the table (storage is full); it works until you reload.' });
    });
  },
}));

// The table kept from an earlier visit, unless one was given meanwhile.
void database()
  ?.then((d) => d.get('userData', KEY))
  .then((raw: unknown) => {
    const kept = raw as { csv?: unknown; source?: unknown } | undefined;
    if (!kept || typeof kept.csv !== 'string' || useTableStore.getState().csv) return;
    useTableStore.setState({
      csv: kept.csv,
      source: typeof kept.source === 'string' ? kept.source.slice(0, 200) : 'pasted',
      ...read(kept.csv),
    });
  })
  .catch(() => {});
