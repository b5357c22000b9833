// The runs as the page holds them: a run's record plus what only this page knows of it (answers,
// the latest batch and look inside, another tab's ownership, auto's timing, a long epoch's
// progress), the store's interface, and the plain functions between a run and its record.
import type { BackendChoice, BackendName, ExperimentSpec, OptimizerChoice } from '../experiment';
import type {
  AttentionSnapshot,
  ImageLook,
  ImageSource,
  BackendMeasurement,
  BackendReport,
  BatchReport,
  Inspection,
  TrainingCheckpoint,
  AugmentPreview,
} from '../engine/types';
import { tensorBytes } from '../engine/tensorData';
import type { DrawSettings, SampledText } from '../engine/sampling';
import type { KeptModel, RunPhase, RunRecord } from '../export/runRecord';
import type { LoadingUnit } from '../worker/protocol';

export type { RunPhase };

/** One training run, kept after it ends so runs can be overlaid, compared, resumed and exported. */
export interface Run extends RunRecord {
  /** Answers to questions asked of the model: a sample on demand, attention for a typed text. */
  asked: {
    sample?: SampledText & { draw: DrawSettings; prompt: string };
    attention?: AttentionSnapshot;
    image?: ImageLook;
    error?: string;
  };
  lastBatch: BatchReport | null;
  /** The latest look inside the network (weights, gradients, one example's backprop). */
  inspection: Inspection | null;
  /** Training in another tab of this browser: shown here, controlled there. */
  otherTab: boolean;
  /** While "auto" times backends for this run: the one being timed, and those timed so far. */
  measuring: { backend: BackendName; done: BackendMeasurement[] } | null;
  /** While the run's dataset downloads (bytes so far of how many; null: unknown) or its tokenizer learns (merges). */
  loading: { what: string; received: number; total: number | null; unit: LoadingUnit } | null;
  /** The backend chosen by hand that stopped working under this run (a lost GPU): it can go on elsewhere. */
  lostBackend: BackendName | null;
  /**
   * How far the epoch in progress has come (sent only for epochs longer than a moment), and in
   * Live mode its batch losses so far (the loss chart draws them before the epoch ends).
   */
  progress: { epoch: number; batch: number; batches: number; ms: number; losses: number[] } | null;
}

/** A file the worker made for download (the PyTorch export's zip). */
export interface ExportedFile {
  fileName: string;
  bytes: Uint8Array;
}

/** A message for the person about their runs and storage; dismissable. */
export interface Notice {
  id: number;
  kind: 'info' | 'warning';
  text: string;
}

export interface RunState {
  runs: Run[];
  /** The run the decision boundary and step views follow; null follows the live run. */
  selectedId: number | null;
  /** The backend started ahead of any run. */
  probed: BackendReport | null;
  probeError: string | null;
  notices: Notice[];
  /** Runs with a write to storage under way or waiting: while any is, closing the page could lose the latest epochs. */
  pendingWrites: number;
  /** Runs whose last write the browser refused (storage full): not saved, whatever else is. */
  unsavedRuns: number;
  /** Train the spec; with `seeds` > 1, once per seed (seed, seed + 1, …), one after another. */
  start: (spec: ExperimentSpec, opts?: { stepFirst?: boolean; seeds?: number }) => void;
  /** Train the experiment once per optimizer, same seed, one after another; show only those runs. */
  /** Runs of a sweep, named by their cells, trained one after another; their ids in the cells' order. */
  sweep: (cells: { spec: ExperimentSpec; label: string }[]) => number[];
  /** The spec once per optimizer (and per seed, with `seeds` > 1). */
  compare: (spec: ExperimentSpec, choices: OptimizerChoice[], seeds?: number) => void;
  pause: () => void;
  resume: () => void;
  step: () => void;
  stop: (runId?: number) => void;
  /** Continue a run from its checkpoint, exactly where it was; `pastExplosion`: train on although its loss exploded. */
  resumeRun: (id: number, opts?: { pastExplosion?: boolean }) => Promise<void>;
  /** A run whose hand-chosen backend stopped working: go on on WebAssembly, from its kept model (or afresh). */
  continueElsewhere: (id: number) => Promise<void>;
  /**
   * Continue stopped runs one after another, in one launch: each from its kept model, or from the
   * start where it kept none (a notice says which). Resolves once they are sent.
   */
  resumeRuns: (ids: number[]) => Promise<void>;
  /** Train a run's kept model for `extra` more epochs (the schedule spans the new total). */
  continueRun: (id: number, extra: number) => Promise<void>;
  inspect: (runId: number, exampleIndex: number) => void;
  /** Language models: how each epoch's sample is drawn and the text whose attention each epoch shows. */
  setSampling: (draw: DrawSettings, attentionText: string | null) => void;
  /** Live (every epoch drawn, paced to be watchable) or Fast. */
  setLive: (live: boolean) => void;
  /** The page has drawn this epoch of the run: in Live mode the worker goes on. */
  drawn: (runId: number, epoch: number) => void;
  /** Stop "auto" timing backends: it trains on the best known so far. */
  skipMeasure: () => void;
  sampleNow: (runId: number, draw: DrawSettings, prompt: string) => void;
  /** The run's spec as a PyTorch program (train.py, its data and initial weights), zipped in `folder`; null if it failed (a notice says why). */
  exportPytorch: (runId: number, folder: string) => Promise<ExportedFile | null>;
  attentionFor: (runId: number, text: string) => void;
  /** The first training images of a spec as its augmentation changes them (a seed per look); null if it could not. */
  previewAugment: (spec: ExperimentSpec, seed: number) => Promise<AugmentPreview | null>;
  /** An image model's look at a validation image or drawn pixels (answered in the run's asked.image). */
  lookAtImage: (runId: number, source: ImageSource, chosenClass?: number) => void;
  select: (id: number) => void;
  setVisible: (id: number, visible: boolean) => void;
  rename: (id: number, name: string) => void;
  remove: (id: number) => void;
  /** Forget a run's model (its curves stay). */
  deleteWeights: (id: number) => void;
  /** A run file of these runs, with their models when `withWeights`. */
  exportRuns: (ids: number[], withWeights: boolean) => Promise<string>;
  /** Add the runs of a run file (read in a worker when given as a file); a bad file changes nothing and says why. */
  importRuns: (file: string | Blob) => Promise<void>;
  metricsCsv: (ids: number[]) => string;
  /** A run's weights as safetensors, its spec in the metadata; null when it kept no model. */
  weightsFile: (id: number) => Promise<Uint8Array | null>;
  /** A new run holding uploaded weights, for the spec in the file (or `spec`), ready to sample, inspect or train on. */
  uploadWeights: (bytes: Uint8Array, fileName: string, spec: ExperimentSpec) => void;
  dismissNotice: (id: number) => void;
  /** Tell the person something about their work (e.g. a store that could not save). */
  notify: (kind: Notice['kind'], text: string) => void;
  /** Start the chosen backend now (between runs), so the header shows what is active. */
  probeBackend: (choice: BackendChoice) => void;
}

export const ACTIVE_PHASES: RunPhase[] = ['queued', 'preparing', 'running', 'paused'];
/** Whether this tab is training the run (or has it queued). */
export const isActive = (run: Run) => ACTIVE_PHASES.includes(run.phase) && !run.otherTab;
/** Whether a model can answer about the run now: the live one, or its kept checkpoint. */
export const hasModel = (run: Run) => isActive(run) || (run.model !== null && !run.otherTab);

/** The kept part of a run. */
export function record(run: Run): RunRecord {
  const {
    asked: _a,
    lastBatch: _b,
    inspection: _i,
    otherTab: _o,
    measuring: _m,
    loading: _d,
    progress: _p,
    lostBackend: _l,
    ...kept
  } = run;
  return kept;
}

/** What a run keeps of its model: the checkpoint's epoch and size. */
export function keptModel(checkpoint: TrainingCheckpoint): KeptModel {
  return { epoch: checkpoint.epoch, bytes: tensorBytes([...checkpoint.weights, ...checkpoint.optimizer.slots]) };
}

/** A kept run as the page holds it (nothing asked of it yet). */
export function live(r: RunRecord, otherTab = false): Run {
  return {
    ...r,
    asked: {},
    lastBatch: null,
    inspection: null,
    otherTab,
    measuring: null,
    loading: null,
    progress: null,
    lostBackend: null,
  };
}

/** A run that was training when its page, tab or worker went away: resumable from its kept model, if any. */
export const interruption = (r: RunRecord, reason = ''): Pick<RunRecord, 'phase' | 'message'> => ({
  phase: 'interrupted',
  message:
    reason +
    (r.model
      ? `Interrupted at epoch ${r.model.epoch}: press Resume to continue from there.`
      : 'Interrupted before its first checkpoint: it cannot be resumed; train it again.'),
});

/**
 * The run the views follow: the one picked, else the one training now, else the newest that has
 * trained; never one of `setAside` (runs from before an opened lesson) unless it is training.
 */
export function selectedRun(s: Pick<RunState, 'runs' | 'selectedId'>, setAside: readonly number[] = []): Run | null {
  const runs = setAside.length ? s.runs.filter((r) => !setAside.includes(r.id)) : s.runs;
  return (
    runs.find((r) => r.id === s.selectedId) ??
    executingRun(s) ??
    [...runs].reverse().find((r) => r.epochs.length > 0) ??
    runs.at(-1) ??
    null
  );
}

/** The run the worker is executing now (pause/step/resume act on it). */
export function executingRun(s: Pick<RunState, 'runs'>): Run | null {
  return (
    s.runs.find((r) => !r.otherTab && (r.phase === 'preparing' || r.phase === 'running' || r.phase === 'paused')) ??
    null
  );
}
