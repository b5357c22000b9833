import type { PortableRun, RunFileResult } from '../export/runFile';

/** Read a file the person gave, off the page's thread. */
export type FilesRequest = { type: 'runFile'; requestId: number; file: Blob };

export type FilesReply =
  /** A good file's runs come in parts (each a short task for the page to take in); the last says so. */
  | { type: 'runs'; requestId: number; runs: PortableRun[]; last: boolean }
  /** A bad file: why (nothing of it is kept). */
  | { type: 'refused'; requestId: number; result: Extract<RunFileResult, { ok: false }> }
  | { type: 'error'; requestId: number; message: string };
