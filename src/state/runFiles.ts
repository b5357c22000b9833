// Runs in and out of the browser as files: the run file (export, and import read beside the page
// and saved a few runs at a time), the metrics CSV, and one run's weights as safetensors.
import { formatMemory } from '../engine/memoryEstimate';
import { describeFieldError, modelName, validateSpec, type ExperimentSpec } from '../experiment';
import type { TrainingCheckpoint } from '../engine/types';
import { metricsCsv, readRunFile, writeRunFile, type RunFileResult } from '../export/runFile';
import { decodeSafetensors, encodeSafetensors } from '../export/safetensors';
import { fileReader } from '../worker/client';
import { checkCheckpoint, checkRunCheckpoint, type RunRecord } from '../export/runRecord';
import * as archive from './runArchive';
import { ACTIVE_PHASES, interruption, keptModel, live, record, type Notice, type Run, type RunState } from './runTypes';

/** An imported file's first runs are shown on the charts; the rest come in hidden. */
export const IMPORT_SHOWN = 20;
/** A run file this big is read with a notice saying so (it takes a few seconds). */
const BIG_FILE_BYTES = 5e6;

export interface RunFilesContext {
  get: () => RunState;
  set: (change: Partial<RunState> | ((s: RunState) => Partial<RunState>)) => void;
  find: (id: number) => Run | undefined;
  notify: (kind: Notice['kind'], text: string) => number;
  newRun: (spec: ExperimentSpec, name?: (n: number) => string) => Run;
  saveImported: (runs: { id: number; checkpoint: TrainingCheckpoint | null }[]) => Promise<void>;
}

export function runFileActions({
  get,
  set,
  find,
  notify,
  newRun,
  saveImported,
}: RunFilesContext): Pick<RunState, 'exportRuns' | 'importRuns' | 'metricsCsv' | 'weightsFile'> {
  return {
    async exportRuns(ids, withWeights) {
      const runs = get().runs.filter((r) => ids.includes(r.id));
      return writeRunFile(
        await Promise.all(
          runs.map(async (r) => ({
            run: record(r),
            checkpoint: withWeights && r.model ? await archive.loadCheckpoint(r) : null,
          })),
        ),
      );
    },
    async importRuns(file) {
      let result: RunFileResult;
      const big = typeof file !== 'string' && file.size > BIG_FILE_BYTES;
      const reading = big ? notify('info', `Reading the run file (${formatMemory(file.size)})…`) : null;
      try {
        result =
          typeof file === 'string' || typeof Worker === 'undefined'
            ? readRunFile(typeof file === 'string' ? file : await file.text())
            : await fileReader().readRunFile(file);
      } catch (e) {
        result = {
          ok: false,
          errors: [{ field: 'file', message: `could not be read (${e instanceof Error ? e.message : String(e)})` }],
        };
      } finally {
        if (reading !== null) get().dismissNotice(reading);
      }
      if (!result.ok) {
        const shown = result.errors
          .slice(0, 5)
          .map((e) => `${e.field} ${e.message}`)
          .join('; ');
        notify(
          'warning',
          `The file was not imported (nothing was changed): ${shown}${result.errors.length > 5 ? `; and ${result.errors.length - 5} more` : ''}.`,
        );
        return;
      }
      // Imported runs get ids of this browser; one that was training when exported is interrupted.
      // Past the first IMPORT_SHOWN, runs come in hidden: a thousand curves would hide each other.
      const added = result.runs.map(({ run, checkpoint }, i) => {
        const fresh = newRun(run.spec, (n) => run.name || `Run ${n}`);
        const kept: RunRecord = {
          ...run,
          id: fresh.id,
          name: fresh.name,
          color: fresh.color,
          model: checkpoint && keptModel(checkpoint),
          visible: i < IMPORT_SHOWN,
        };
        const interrupted = ACTIVE_PHASES.includes(run.phase) || run.phase === 'interrupted';
        return { imported: live(interrupted ? { ...kept, ...interruption(kept) } : kept), checkpoint };
      });
      set((s) => ({ runs: [...s.runs, ...added.map((a) => a.imported)] }));
      void saveImported(added.map((a) => ({ id: a.imported.id, checkpoint: a.checkpoint })));
      notify(
        'info',
        added.length > IMPORT_SHOWN
          ? `Imported ${added.length} runs; the first ${IMPORT_SHOWN} are shown on the charts (tick others in the Runs panel).`
          : `Imported ${added.length} run${added.length === 1 ? '' : 's'}.`,
      );
    },
    metricsCsv: (ids) =>
      metricsCsv(
        get()
          .runs.filter((r) => ids.includes(r.id))
          .map(record),
      ),
    async weightsFile(id) {
      const run = find(id);
      const checkpoint = run?.model ? await archive.loadCheckpoint(run) : null;
      if (!run || !checkpoint) return null;
      return encodeSafetensors(checkpoint.weights, {
        format: 'nn-playground-weights',
        spec: JSON.stringify(run.spec),
        epoch: String(checkpoint.epoch),
        run: run.name,
        // A byte-pair model's tokenizer: without it the weights cannot read or write text as trained.
        ...(checkpoint.merges ? { merges: JSON.stringify(Array.from(checkpoint.merges)) } : {}),
      });
    },
  };
}

/**
 * A run made from a weights file (safetensors with, as the app writes them, its spec inside):
 * checked as any imported model is; null when it cannot be used (a notice says why). The worker
 * then loads it, and it is kept once the worker has shown that the weights fit the model.
 */
export function runFromWeights(
  bytes: Uint8Array,
  fileName: string,
  currentSpec: ExperimentSpec,
  { notify, newRun }: Pick<RunFilesContext, 'notify' | 'newRun'>,
): { run: Run; checkpoint: TrainingCheckpoint; spec: ExperimentSpec } | null {
  let file;
  try {
    file = decodeSafetensors(bytes);
  } catch (e) {
    notify('warning', `${fileName} was not loaded: ${e instanceof Error ? e.message : String(e)}.`);
    return null;
  }
  // The spec saved beside the weights wins; without one, the weights must fit the experiment being edited.
  let spec = currentSpec;
  if (file.metadata.spec) {
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(file.metadata.spec);
    } catch {
      /* reported below */
    }
    const valid = validateSpec(parsed);
    if (!valid.ok) {
      notify(
        'warning',
        `${fileName} was not loaded: the spec inside it is not valid (${valid.errors.map(describeFieldError).join('; ')}).`,
      );
      return null;
    }
    spec = valid.spec;
  }
  let merges: unknown = undefined;
  try {
    if (file.metadata.merges) merges = JSON.parse(file.metadata.merges);
  } catch {
    merges = null; // refused below, by the checks every checkpoint passes
  }
  const checkpoint: TrainingCheckpoint = {
    epoch: 0,
    step: 0,
    weights: file.tensors,
    optimizer: { kind: spec.training.optimizer.kind, slots: [] },
    rng: {},
    best: { loss: null, epoch: 0 },
    cumulativeGflop: 0,
    cumulativeMs: 0,
    startLoss: null,
    ...(merges !== undefined ? { merges: merges as Int32Array } : {}),
  };
  // The checks a stored or imported checkpoint passes (finite values, merges that fit the spec's vocabulary).
  const checked = checkCheckpoint(checkpoint, 'weights file');
  const errors = checked.ok
    ? checkRunCheckpoint({ epochs: [], spec }, checked.checkpoint, 'weights file')
    : checked.errors;
  if (!checked.ok || errors.length) {
    notify('warning', `${fileName} was not loaded: ${errors.map(describeFieldError).join('; ')}.`);
    return null;
  }
  const run: Run = {
    // Named after its file and model, so it reads apart from the run it came from.
    ...newRun(spec, (n) =>
      `Run ${n} · ${fileName.replace(/\.safetensors$/i, '')} · ${modelName(spec.model)}`.slice(0, 200),
    ),
    phase: 'completed',
    message: `Weights loaded from ${fileName}: sample, inspect or continue training it.`,
    model: keptModel(checked.checkpoint),
  };
  return { run, checkpoint: checked.checkpoint, spec };
}
