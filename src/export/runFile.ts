// The run file: one JSON file holding one or more runs (spec, every per-epoch figure, name,
// status and, optionally, the model to continue from), the one currency between app, CLI and exports.
import type { FieldError } from '../experiment';
import type { TrainingCheckpoint } from '../engine/types';
import { checkCheckpoint, checkRunCheckpoint, checkRunRecord, type RunRecord } from './runRecord';
import { decodeSafetensors, encodeSafetensors } from './safetensors';

export const RUN_FILE_FORMAT = 'nn-playground-runs';
export const RUN_FILE_VERSION = 1;
/** Optimizer slots are stored beside the weights under this prefix, e.g. optimizer.m.layers.0.weight. */
const SLOT_PREFIX = 'optimizer.';

export interface PortableRun {
  run: RunRecord;
  checkpoint: TrainingCheckpoint | null;
}

type Stored = Omit<RunRecord, 'views' | 'visible' | 'model'>;

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}

/** A checkpoint as one safetensors blob: tensors as data, everything else in its metadata. */
export function checkpointToSafetensors(cp: TrainingCheckpoint): Uint8Array {
  const { weights, optimizer, merges, ...rest } = cp;
  const slots = optimizer.slots.map((t) => ({ ...t, name: SLOT_PREFIX + t.name }));
  return encodeSafetensors([...weights, ...slots], {
    checkpoint: JSON.stringify({
      ...rest,
      optimizer: optimizer.kind,
      ...(merges ? { merges: Array.from(merges) } : {}),
    }),
  });
}

export function checkpointFromSafetensors(
  bytes: Uint8Array,
  path: string,
): { ok: true; checkpoint: TrainingCheckpoint } | { ok: false; errors: FieldError[] } {
  try {
    const { tensors, metadata } = decodeSafetensors(bytes);
    const meta = JSON.parse(metadata.checkpoint ?? 'null') as Record<string, unknown> | null;
    if (!meta) return { ok: false, errors: [{ field: path, message: 'has no checkpoint metadata' }] };
    const { optimizer, ...rest } = meta;
    return checkCheckpoint(
      {
        ...rest,
        weights: tensors.filter((t) => !t.name.startsWith(SLOT_PREFIX)),
        optimizer: {
          kind: optimizer,
          slots: tensors
            .filter((t) => t.name.startsWith(SLOT_PREFIX))
            .map((t) => ({ ...t, name: t.name.slice(SLOT_PREFIX.length) })),
        },
      },
      path,
    );
  } catch (e) {
    return { ok: false, errors: [{ field: path, message: e instanceof Error ? e.message : String(e) }] };
  }
}

/** The file's text. Views are left out: they are redrawn from the model when a run is opened. */
export function writeRunFile(runs: PortableRun[], exported = new Date()): string {
  return JSON.stringify(
    {
      format: RUN_FILE_FORMAT,
      version: RUN_FILE_VERSION,
      exported: exported.toISOString(),
      runs: runs.map(({ run, checkpoint }) => {
        const { views: _v, visible: _s, model: _m, ...stored } = run;
        return {
          ...(stored satisfies Stored),
          checkpoint: checkpoint ? toBase64(checkpointToSafetensors(checkpoint)) : null,
        };
      }),
    },
    null,
    1,
  );
}

export type RunFileResult = { ok: true; runs: PortableRun[] } | { ok: false; errors: FieldError[] };

/** Read a run file; any problem fails the whole file with field paths, so nothing half-read is kept. */
export function readRunFile(text: string): RunFileResult {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, errors: [{ field: 'file', message: 'is not JSON, so it is not a run file' }] };
  }
  const file = raw as { format?: unknown; version?: unknown; runs?: unknown };
  if (typeof raw !== 'object' || raw === null || file.format !== RUN_FILE_FORMAT) {
    return {
      ok: false,
      errors: [{ field: 'format', message: `must be "${RUN_FILE_FORMAT}": this is not a playground run file` }],
    };
  }
  if (file.version !== RUN_FILE_VERSION) {
    const newer = typeof file.version === 'number' && file.version > RUN_FILE_VERSION;
    return {
      ok: false,
      errors: [
        {
          field: 'version',
          message: newer
            ? `is ${String(file.version)}, newer than this app reads (${RUN_FILE_VERSION}); update the app`
            : `must be ${RUN_FILE_VERSION}`,
        },
      ],
    };
  }
  if (!Array.isArray(file.runs) || file.runs.length === 0 || file.runs.length > 1000) {
    return { ok: false, errors: [{ field: 'runs', message: 'must be a list of 1 to 1000 runs' }] };
  }
  const errors: FieldError[] = [];
  const runs: PortableRun[] = [];
  file.runs.forEach((r, i) => {
    const path = `runs[${i}]`;
    const record = checkRunRecord({ ...(r as object), views: {}, visible: true, model: null }, path);
    if (!record.ok) return errors.push(...record.errors);
    const blob = (r as { checkpoint?: unknown }).checkpoint ?? null;
    let checkpoint: TrainingCheckpoint | null = null;
    if (blob !== null) {
      let bytes: Uint8Array | null = null;
      try {
        bytes = typeof blob === 'string' ? fromBase64(blob) : null;
      } catch {
        /* reported below */
      }
      const cp = bytes
        ? checkpointFromSafetensors(bytes, `${path}.checkpoint`)
        : { ok: false as const, errors: [{ field: `${path}.checkpoint`, message: 'must be base64 text' }] };
      if (!cp.ok) return errors.push(...cp.errors);
      const disagree = checkRunCheckpoint(record.run, cp.checkpoint, `${path}.checkpoint`);
      if (disagree.length) return errors.push(...disagree);
      checkpoint = cp.checkpoint;
    }
    runs.push({ run: record.run, checkpoint });
  });
  return errors.length ? { ok: false, errors } : { ok: true, runs };
}

const CSV_COLUMNS = [
  'run',
  'name',
  'epoch',
  'step',
  'trainLoss',
  'valLoss',
  'trainAccuracy',
  'valAccuracy',
  'valExactMatch',
  'valBitsPerByte',
  'learningRate',
  'ms',
  'examplesPerSec',
  'gflop',
  'cumulativeGflop',
  'cumulativeMs',
] as const;

/**
 * One CSV cell. Text that a spreadsheet would read as a formula (=, +, -, @, tab or carriage
 * return first: OWASP's rule) gets a leading ' — a run's name can come from someone else's run
 * file. Numbers are written as numbers.
 */
export const csvCell = (v: string | number | null | undefined) => {
  const raw = v === null || v === undefined ? '' : String(v);
  const text = typeof v === 'string' && /^[=+\-@\t\r]/.test(v) ? `'${raw}` : raw;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** Per-epoch figures, one row per run and epoch (columns documented in the README). */
export function metricsCsv(runs: readonly RunRecord[]): string {
  const rows = runs.flatMap((r) =>
    r.epochs.map((e) => CSV_COLUMNS.map((c) => csvCell(c === 'run' ? r.id : c === 'name' ? r.name : e[c]))),
  );
  return [CSV_COLUMNS.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
}
