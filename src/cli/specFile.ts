// The experiments a SPEC.json names: a spec on its own (the .spec.json beside downloaded weights),
// a run file (its runs' specs are used) or a shared link. Checked by the same validation as links,
// with the same messages.
import {
  decodeSpec,
  describeFieldError,
  migrateSpec,
  validateSpec,
  type ExperimentSpec,
  type FieldError,
} from '../experiment';
import { readRunFile, RUN_FILE_FORMAT } from '../export/runFile';

export type SpecFileResult =
  { ok: true; specs: { spec: ExperimentSpec; name: string | null }[] } | { ok: false; messages: string[] };

const failed = (errors: FieldError[]): SpecFileResult => ({ ok: false, messages: errors.map(describeFieldError) });

/** A shared link (…#spec=…), pasted on the command line or saved in a file. */
export function linkSpec(text: string): string | null {
  return /^\s*\S*#spec=([A-Za-z0-9_-]+)\s*$/.exec(text)?.[1] ?? null;
}

export function readSpecFile(file: string): SpecFileResult {
  // A byte-order mark (as some editors on Windows save) is not part of the JSON: the app ignores it too.
  const text = file.replace(/^\uFEFF/, '');
  const link = linkSpec(text);
  if (link !== null) {
    const result = decodeSpec(link);
    return result.ok ? { ok: true, specs: [{ spec: result.spec, name: null }] } : failed(result.errors);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { ok: false, messages: [`the file is not JSON (${e instanceof Error ? e.message : String(e)})`] };
  }
  if (typeof raw === 'object' && raw !== null && (raw as { format?: unknown }).format === RUN_FILE_FORMAT) {
    const file = readRunFile(text);
    if (!file.ok) return failed(file.errors);
    return { ok: true, specs: file.runs.map(({ run }) => ({ spec: run.spec, name: run.name })) };
  }
  const result = validateSpec(migrateSpec(raw));
  return result.ok ? { ok: true, specs: [{ spec: result.spec, name: null }] } : failed(result.errors);
}

/** The spec with the command line's overrides, checked again (an override can break a cross-field rule). */
export function withOverrides(spec: ExperimentSpec, o: { seed?: number; epochs?: number | null }): SpecFileResult {
  const changed = {
    ...spec,
    seed: o.seed ?? spec.seed,
    training: { ...spec.training, epochs: o.epochs ?? spec.training.epochs },
  };
  const result = validateSpec(changed);
  return result.ok ? { ok: true, specs: [{ spec: result.spec, name: null }] } : failed(result.errors);
}
