import type { Table, TableResult } from '../data/table';
import type { PortableRun, RunFileResult } from '../export/runFile';

/** Read a file the person gave, off the page's thread: a run file, or a CSV table (a file or pasted text). */
export type FilesRequest =
  { type: 'runFile'; requestId: number; file: Blob } | { type: 'table'; requestId: number; csv: Blob | string };

export type FilesReply =
  /** A good file's runs come in parts (each a short task for the page to take in); the last says so. */
  | { type: 'runs'; requestId: number; runs: PortableRun[]; last: boolean }
  /** A bad file: why (nothing of it is kept). */
  | { type: 'refused'; requestId: number; result: Extract<RunFileResult, { ok: false }> }
  /** How much of a table has been read (0–1), every few megabytes. */
  | { type: 'tableProgress'; requestId: number; fraction: number }
  | { type: 'table'; requestId: number; result: TableResult<Table> }
  | { type: 'error'; requestId: number; message: string };
