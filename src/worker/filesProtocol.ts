import type { Table, TableResult } from '../data/table';
import type { TextStats } from '../data/text';
import type { PortableRun, RunFileResult } from '../export/runFile';
import type { ImageFile } from '../data/ownImages';
import type { ImagesResult } from './imageDecode';

/**
 * Read a file the person gave, off the page's thread: a run file, a CSV table (a file or pasted text), or their
 * images (files with their folder paths, or a zip of folders) named by where they came from.
 */
export type FilesRequest =
  | { type: 'runFile'; requestId: number; file: Blob }
  | { type: 'table'; requestId: number; csv: Blob | string }
  /** The person's own text: its size, characters and alphabet, counted a slice at a time. */
  | { type: 'text'; requestId: number; text: Blob | string }
  | { type: 'images'; requestId: number; files: ImageFile[] | Blob; source: string };

export type FilesReply =
  /** A good file's runs come in parts (each a short task for the page to take in); the last says so. */
  | { type: 'runs'; requestId: number; runs: PortableRun[]; last: boolean }
  /** A bad file: why (nothing of it is kept). */
  | { type: 'refused'; requestId: number; result: Extract<RunFileResult, { ok: false }> }
  /** How much of a table (every few megabytes) or of the images (every few) has been read, 0–1. */
  | { type: 'tableProgress'; requestId: number; fraction: number }
  | { type: 'table'; requestId: number; result: TableResult<Table> }
  | { type: 'textStats'; requestId: number; stats: TextStats }
  | { type: 'images'; requestId: number; result: ImagesResult }
  | { type: 'error'; requestId: number; message: string };
