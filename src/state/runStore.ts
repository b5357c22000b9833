import { create } from 'zustand';
import {
  describeFieldError,
  LIMITS,
  modelName,
  runDescription,
  specsForOptimizers,
  specsForSeeds,
  validateSpec,
  type BackendChoice,
  type BackendName,
  type ExperimentSpec,
  type OptimizerChoice,
} from '../experiment';
import type {
  AttentionSnapshot,
  BackendMeasurement,
  BackendReport,
  BatchReport,
  EpochMetrics,
  EpochViews,
  Inspection,
  SamplingSettings,
  TextSample,
  TrainingCheckpoint,
} from '../engine/types';
import { tensorBytes } from '../engine/tensorData';
import { formatMemory } from '../engine/memoryEstimate';
import { checkCheckpoint, type KeptModel, type RunPhase, type RunRecord } from '../export/runRecord';
import { metricsCsv, readRunFile, writeRunFile, type RunFileResult } from '../export/runFile';
import { fileReader, TrainingWorkerClient } from '../worker/client';
import { decodeSafetensors, encodeSafetensors } from '../export/safetensors';
import type { FromWorker } from '../worker/protocol';
import { useTextStore } from './textStore';
import { CATEGORY_COLORS } from './palette';
import { useTableStore } from './tableStore';
import * as archive from './runArchive';
import { keepAutoPick, keptAutoPick } from './autoBackend';
import { keepMatMulTunings, keptMatMulTunings } from './matmulTunings';
import { heldRuns, holdRun, newRunId, nextRunNumber, onOtherTabs, releaseRun, tellOtherTabs } from './runTabs';

export type { RunPhase };

/** One training run, kept after it ends so runs can be overlaid, compared, resumed and exported. */
export interface Run extends RunRecord {
  /** Answers to questions asked of the model: a sample on demand, attention for a typed text. */
  asked: {
    sample?: { text: string; temperature: number; prompt: string };
    attention?: AttentionSnapshot;
    error?: string;
  };
  lastBatch: BatchReport | null;
  /** The latest look inside the network (weights, gradients, one example's backprop). */
  inspection: Inspection | null;
  /** Training in another tab of this browser: shown here, controlled there. */
  otherTab: boolean;
  /** While "auto" times backends for this run: the one being timed, and those timed so far. */
  measuring: { backend: BackendName; done: BackendMeasurement[] } | null;
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

interface RunState {
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
  /** Language models: the temperature of each epoch's sample and the text whose attention each epoch shows. */
  setSampling: (temperature: number, attentionText: string | null) => void;
  /** Live (every epoch drawn, paced to be watchable) or Fast. */
  setLive: (live: boolean) => void;
  /** The page has drawn this epoch of the run: in Live mode the worker goes on. */
  drawn: (runId: number, epoch: number) => void;
  /** Stop "auto" timing backends: it trains on the best known so far. */
  skipMeasure: () => void;
  sampleNow: (runId: number, temperature: number, prompt: string) => void;
  /** The run's spec as a PyTorch program (train.py, its data and initial weights), zipped in `folder`; null if it failed (a notice says why). */
  exportPytorch: (runId: number, folder: string) => Promise<ExportedFile | null>;
  attentionFor: (runId: number, text: string) => void;
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

/** Epochs can arrive faster than the page can redraw; charts take them at most this often. */
const FLUSH_MS = 200;
const MAX_SAMPLES = 200;
/** An imported file's first runs are shown on the charts; the rest come in hidden. */
export const IMPORT_SHOWN = 20;
/** Imported runs are saved this many at a time. */
const IMPORT_BATCH = 20;
/** A run file this big is read with a notice saying so (it takes a few seconds). */
const BIG_FILE_BYTES = 5e6;

/** The kept part of a run. */
function record(run: Run): RunRecord {
  const {
    asked: _a,
    lastBatch: _b,
    inspection: _i,
    otherTab: _o,
    measuring: _m,
    progress: _p,
    lostBackend: _l,
    ...kept
  } = run;
  return kept;
}

/** What a run keeps of its model: the checkpoint's epoch and size. */
function keptModel(checkpoint: TrainingCheckpoint): KeptModel {
  return { epoch: checkpoint.epoch, bytes: tensorBytes([...checkpoint.weights, ...checkpoint.optimizer.slots]) };
}

function live(r: RunRecord, otherTab = false): Run {
  return {
    ...r,
    asked: {},
    lastBatch: null,
    inspection: null,
    otherTab,
    measuring: null,
    progress: null,
    lostBackend: null,
  };
}

export const useRunStore = create<RunState>((set, get) => {
  let pending = new Map<number, { metrics: EpochMetrics[]; views: EpochViews; samples: TextSample[] }>();
  let askSeed = 1;
  /** Live mode: every epoch drawn, paced to be watched (see worker/livePace.ts); else Fast. */
  let liveMode = true;
  let noticeId = 1;
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  /** The run whose kept model the worker has loaded (or is loading). */
  let openedId: number | null = null;
  /** Why our own kernels were off on a backend, each told once. */
  const toldSlower = new Set<string>();
  /** Runs whose last write was refused: told once until a write succeeds again. */
  const refused = new Set<number>();

  const find = (id: number) => get().runs.find((r) => r.id === id);
  const patch = (id: number, change: (r: Run) => Partial<Run>) =>
    set((s) => ({ runs: s.runs.map((r) => (r.id === id ? { ...r, ...change(r) } : r)) }));
  const notify = (kind: Notice['kind'], text: string) =>
    set((s) => ({ notices: [...s.notices, { id: noticeId++, kind, text }] }));

  /** Write, and tell the person (once per run) when the browser refuses. Training goes on either way. */
  const persist = async (id: number, write: () => Promise<void>) => {
    try {
      await write();
      if (refused.delete(id)) set({ unsavedRuns: refused.size });
      tellOtherTabs({ type: 'saved', id });
    } catch (e) {
      if (refused.has(id)) return;
      refused.add(id);
      set({ unsavedRuns: refused.size });
      const size = e instanceof archive.StorageRefused ? ` (${formatMemory(e.bytes)})` : '';
      const how =
        e instanceof archive.StorageRefused && e.quota
          ? ' Free space by deleting runs or just their weights in the Runs panel (each run’s size is shown there).'
          : '';
      notify(
        'warning',
        `${e instanceof Error ? e.message : String(e)}${size}. Training goes on; this run is not kept across a reload until it can be saved.${how}`,
      );
    }
  };

  /**
   * Each run's writes: one at a time, and at most one waiting, which always takes the run as it
   * is when it starts (and the newest checkpoint not yet written). A newer save replaces an
   * unwritten older one, so a fast run can never queue writes faster than storage takes them,
   * and what is kept trails the page by at most one write.
   */
  type RunWrites = { again: boolean; checkpoint: TrainingCheckpoint | null; done: (() => void)[] };
  const writes = new Map<number, RunWrites>();
  /** Imported runs not yet handed to `keep` (an import saves a few at a time; see saveImported). */
  let importsWaiting = 0;
  const writesPending = () => writes.size + importsWaiting;
  const keep = (id: number, checkpoint?: TrainingCheckpoint): Promise<void> =>
    new Promise((resolve) => {
      let w = writes.get(id);
      const idle = !w;
      if (!w) writes.set(id, (w = { again: false, checkpoint: null, done: [] }));
      w.again = true;
      if (checkpoint) w.checkpoint = checkpoint;
      w.done.push(resolve);
      set({ pendingWrites: writesPending() });
      if (idle) void drain(id, w);
    });
  const drain = async (id: number, w: RunWrites) => {
    await Promise.resolve(); // a caller puts the run in the store right after asking
    while (w.again) {
      w.again = false;
      const checkpoint = w.checkpoint;
      w.checkpoint = null;
      const done = w.done.splice(0);
      const run = find(id);
      if (run && !run.otherTab)
        await persist(id, () =>
          checkpoint ? archive.saveCheckpoint(record(run), checkpoint) : archive.saveRun(record(run)),
        );
      done.forEach((f) => f());
    }
    writes.delete(id);
    set({ pendingWrites: writesPending() });
  };
  const save = (id: number): Promise<void> => keep(id);
  /**
   * An import's runs, saved a few at a time: each write copies its run in the page's thread, so a
   * thousand at once would freeze it for seconds. Each batch waits for the one before.
   */
  const saveImported = async (runs: { id: number; checkpoint: TrainingCheckpoint | null }[]) => {
    importsWaiting += runs.length;
    for (let from = 0; from < runs.length; from += IMPORT_BATCH) {
      const batch = runs.slice(from, from + IMPORT_BATCH);
      importsWaiting -= batch.length;
      await Promise.all(batch.map((r) => keep(r.id, r.checkpoint ?? undefined)));
    }
  };
  // Closing or reloading the page while a write is under way would lose the epochs in it: ask first.
  globalThis.addEventListener?.('beforeunload', (e: BeforeUnloadEvent) => {
    if (writesPending() === 0) return;
    e.preventDefault();
    e.returnValue = '';
  });
  /** Keep a run that has ended here, then let go of its lock: other tabs read its last state first. */
  const saveAndRelease = (id: number) => void save(id).finally(() => releaseRun(id));

  const flush = () => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    const batch = pending;
    pending = new Map();
    if (batch.size === 0) return;
    set((s) => ({
      runs: s.runs.map((r) => {
        const p = batch.get(r.id);
        return p
          ? {
              ...r,
              epochs: [...r.epochs, ...p.metrics],
              progress: null,
              views: { ...r.views, ...p.views },
              samples: [...r.samples, ...p.samples].slice(-MAX_SAMPLES),
            }
          : r;
      }),
    }));
  };

  /** Backends that stopped working in this tab (a lost WebGPU device): "auto" skips them from then on. */
  const lostBackends = new Set<BackendName>();
  const avoidFor = (choice: BackendChoice): BackendName[] => (choice === 'auto' ? [...lostBackends] : []);

  /**
   * The worker's backend failed for good: replace the worker, send again the runs it had queued,
   * and (with "auto", after a lost WebGPU device) continue the failed run on the next backend from
   * its last checkpoint.
   */
  const onBackendLost = (runId: number, backend: BackendName, reason: string) => {
    client.restart();
    openedId = null;
    failExports(`the worker was replaced after ${reason}`);
    const run = find(runId);
    const queued = get().runs.filter((r) => r.phase === 'queued' && r.id !== runId);
    if (run && run.spec.backend === 'auto' && backend === 'webgpu') {
      lostBackends.add('webgpu');
      notify(
        'warning',
        `WebGPU stopped working (${reason}) during ${run.name}: it goes on with the next backend${run.model ? ` from epoch ${run.model.epoch}` : ' from the start'}, and "auto" skips WebGPU in this tab from now on.`,
      );
      if (run.model) void restart(runId, run.spec);
      else {
        patch(runId, () => ({ phase: 'queued', message: null, epochs: [], samples: [], views: {} }));
        send([{ run: find(runId)! }], false);
      }
    } else if (run && run.spec.backend === backend) {
      // Chosen by hand: the run fails, and offers to go on on WebAssembly (one click, see continueElsewhere).
      patch(runId, () => ({ lostBackend: backend }));
    }
    send(
      queued.map((r) => ({ run: r })),
      false,
    );
  };

  const keepCheckpoint = (id: number, checkpoint: TrainingCheckpoint) => {
    flush();
    patch(id, () => ({ model: keptModel(checkpoint) }));
    void keep(id, checkpoint);
  };

  const client = new TrainingWorkerClient(
    (msg: FromWorker) => {
      if (msg.type === 'refused') {
        // A bug between page and worker, said plainly; a run it was about fails rather than waits forever.
        const run = find(msg.runId);
        if (run && isActive(run)) {
          patch(run.id, () => ({
            phase: 'failed',
            message: `The training worker refused to start it: ${msg.reason}.`,
          }));
          saveAndRelease(run.id);
        }
        notify('warning', `The training worker refused a message from the page (${msg.reason}); it goes on.`);
        return;
      }
      if (msg.runId === -1) {
        if (msg.type === 'backend') set({ probed: msg.report, probeError: null });
        if (msg.type === 'status') set({ probeError: msg.message ?? 'The training worker failed' });
        if (msg.type === 'matmulTunings') keepMatMulTunings(msg.device, msg.entries);
        if (msg.type === 'crashed') {
          // Every run the worker had becomes interrupted (resumable from its checkpoint), and the person is told.
          set({ probeError: msg.message });
          openedId = null;
          for (const r of get().runs.filter(isActive)) {
            patch(r.id, () => interruption(r, `${msg.message}. `));
            saveAndRelease(r.id);
          }
          failExports(msg.message);
        }
        return;
      }
      if (!find(msg.runId)) return; // removed meanwhile
      switch (msg.type) {
        case 'progress':
          patch(msg.runId, (r) => ({
            progress: {
              epoch: msg.epoch,
              batch: msg.batch,
              batches: msg.batches,
              ms: msg.ms,
              losses: r.progress?.epoch === msg.epoch ? [...r.progress.losses, ...msg.losses] : msg.losses,
            },
          }));
          break;
        case 'measuring':
          patch(msg.runId, () => ({ measuring: { backend: msg.backend, done: msg.done } }));
          break;
        case 'backend':
          // The worker's active backend is now this run's: the header shows it after the run too.
          patch(msg.runId, () => ({ backend: msg.report, measuring: null }));
          keepAutoPick(find(msg.runId)!.spec, msg.report, avoidFor('auto'));
          set({ probed: msg.report, probeError: null });
          if (msg.report.fastPathsOff && !toldSlower.has(msg.report.fastPathsOff)) {
            toldSlower.add(msg.report.fastPathsOff);
            notify(
              'warning',
              `Training on ${msg.report.active} goes on through plain TensorFlow.js operations, slower than usual: ${msg.report.fastPathsOff}. The results are the same.`,
            );
          }
          break;
        case 'status':
          flush(); // the last epochs land before the status that ends the run
          patch(msg.runId, () => ({
            phase: msg.status,
            message: msg.message ?? null,
            ...(ACTIVE_PHASES.includes(msg.status) ? {} : { progress: null, measuring: null }),
          }));
          if (!ACTIVE_PHASES.includes(msg.status)) {
            saveAndRelease(msg.runId);
          }
          break;
        case 'epoch': {
          const p = pending.get(msg.runId) ?? { metrics: [], views: {}, samples: [] };
          p.metrics.push(msg.metrics);
          p.views = { ...p.views, ...msg.views };
          if (msg.views.sample) p.samples.push(msg.views.sample);
          pending.set(msg.runId, p);
          // Live: every epoch is drawn, so each lands on its own (the worker waits for it to be drawn).
          if (liveMode) flush();
          else flushTimer ??= setTimeout(flush, FLUSH_MS);
          break;
        }
        case 'checkpoint':
          keepCheckpoint(msg.runId, msg.checkpoint);
          break;
        case 'backendLost':
          onBackendLost(msg.runId, msg.backend, msg.reason);
          break;
        case 'opened': {
          const upload = uploads.get(msg.runId);
          uploads.delete(msg.runId);
          if (msg.error) {
            if (openedId === msg.runId) openedId = null;
            patch(msg.runId, (r) => ({ asked: { ...r.asked, error: `Its model could not be loaded: ${msg.error}` } }));
            if (upload) {
              notify('warning', `${upload.fileName} does not fit: ${msg.error}`);
              get().remove(msg.runId);
            }
          } else if (upload) {
            // Kept only once the worker has shown that the weights fit the model.
            void keep(msg.runId, upload.checkpoint);
          }
          break;
        }
        case 'evaluated':
          if (msg.figures) {
            const figures = msg.figures;
            patch(msg.runId, (r) => ({ asLoaded: figures, views: { ...r.views, ...msg.views } }));
            void save(msg.runId);
          } else {
            notify('warning', `${find(msg.runId)!.name}: its loaded model could not be evaluated (${msg.error}).`);
          }
          break;
        case 'batch':
          patch(msg.runId, () => ({ lastBatch: msg.report }));
          break;
        case 'test':
          flush();
          patch(msg.runId, () => ({ test: msg.test }));
          break;
        case 'inspection':
          patch(msg.runId, () => ({ inspection: msg.inspection }));
          break;
        case 'sample': {
          const { text, temperature, prompt } = msg;
          patch(msg.runId, (r) => ({ asked: { ...r.asked, sample: { text, temperature, prompt }, error: undefined } }));
          break;
        }
        case 'attention':
          patch(msg.runId, (r) => ({ asked: { ...r.asked, attention: msg.attention, error: undefined } }));
          break;
        case 'requestError':
          if (msg.request === 'export') finishExport(msg.runId, null, msg.message);
          else patch(msg.runId, (r) => ({ asked: { ...r.asked, error: msg.message } }));
          break;
        case 'exported':
          finishExport(msg.runId, { fileName: msg.fileName, bytes: msg.bytes });
          break;
      }
    },
    () => ({ matmulTunings: keptMatMulTunings(), live: liveMode }),
  );
  /** PyTorch exports asked of the worker, by run: each resolves with the zip, or null (told in a notice). */
  const exports = new Map<number, (file: ExportedFile | null) => void>();
  function finishExport(runId: number, file: ExportedFile | null, error?: string) {
    exports.get(runId)?.(file);
    exports.delete(runId);
    if (error) notify('warning', `The PyTorch export of ${find(runId)?.name ?? 'the run'} failed: ${error}.`);
  }
  /** The worker went away: the exports it was building will not come. */
  const failExports = (reason: string) => [...exports.keys()].forEach((runId) => finishExport(runId, null, reason));
  /** Uploaded weights waiting for the worker's verdict on whether they fit. */
  const uploads = new Map<number, { fileName: string; checkpoint: TrainingCheckpoint }>();

  /** What language-model views show (temperature, attention text): sent with each run, and whenever it changes. */
  let sampling: SamplingSettings = { temperature: 0.8, attentionText: null };
  // The person's own text or table travels with the run (it is not part of the spec).
  const dataFor = (spec: ExperimentSpec) =>
    spec.dataset.kind === 'userText'
      ? { text: useTextStore.getState().text }
      : spec.dataset.kind === 'userTable'
        ? { table: useTableStore.getState().table ?? undefined }
        : undefined;
  /** The person's table is read only when needed: have it read before runs on it go to the worker. */
  const tableRead = async (specs: ExperimentSpec[]) => {
    if (specs.some((s) => s.dataset.kind === 'userTable')) await useTableStore.getState().open();
  };

  /** Have the worker load a kept model (once), so it can be asked about; false when there is none. */
  const ensureOpen = async (runId: number): Promise<boolean> => {
    const run = find(runId);
    if (!run) return false;
    if (isActive(run)) return true;
    if (!run.model || run.otherTab) return false;
    if (openedId === runId) return true;
    const checkpoint = await archive.loadCheckpoint(run);
    if (!checkpoint) {
      patch(runId, (r) => ({
        model: null,
        asked: { ...r.asked, error: 'Its kept model could not be read back from this browser’s storage.' },
      }));
      return false;
    }
    openedId = runId;
    await tableRead([run.spec]);
    client.send({
      type: 'open',
      runId,
      spec: run.spec,
      checkpoint,
      data: dataFor(run.spec),
      avoid: avoidFor(run.spec.backend),
      sampling,
    });
    return true;
  };
  /** Ask the live run, or its kept model once loaded. */
  const ask = (runId: number, send: () => void) => {
    void ensureOpen(runId).then((ok) => {
      if (ok) send();
      else
        patch(runId, (r) => ({
          asked: {
            ...r.asked,
            error: r.asked.error ?? 'This run kept no model (its weights were deleted, or it never finished an epoch).',
          },
        }));
    });
  };

  const newRun = (spec: ExperimentSpec, name?: (n: number) => string): Run => {
    const n = nextRunNumber(get().runs.length + 1);
    return live({
      id: newRunId(),
      name: name ? name(n) : `Run ${n} · ${runDescription(spec)}`,
      color: CATEGORY_COLORS[(n - 1) % CATEGORY_COLORS.length],
      spec,
      phase: 'queued',
      message: null,
      backend: null,
      epochs: [],
      views: {},
      samples: [],
      visible: true,
      model: null,
      test: null,
    });
  };

  /** Send runs to the worker; the newest start replaces whatever trains now. */
  const send = (runs: { run: Run; resume?: TrainingCheckpoint; pastExplosion?: boolean }[], stepFirst: boolean) => {
    openedId = null; // the worker frees an opened model when a run starts
    const specs = runs.map((r) => r.run.spec);
    if (specs.some((s) => s.dataset.kind === 'userTable') && !useTableStore.getState().table) {
      // Read first (a run resumed while another dataset is open); without a table the worker says so.
      void tableRead(specs).then(() => sendNow(runs, stepFirst));
      return;
    }
    sendNow(runs, stepFirst);
  };
  const sendNow = (runs: { run: Run; resume?: TrainingCheckpoint; pastExplosion?: boolean }[], stepFirst: boolean) => {
    for (const { run, resume, pastExplosion } of runs) {
      holdRun(run.id);
      void save(run.id);
      client.send({
        type: 'start',
        runId: run.id,
        spec: run.spec,
        stepFirst,
        data: dataFor(run.spec),
        resume,
        pastExplosion,
        avoid: avoidFor(run.spec.backend),
        sampling,
        autoPick: keptAutoPick(run.spec) ?? undefined,
      });
    }
  };

  const launch = (runs: Run[], stepFirst: boolean, hideOthers: boolean) => {
    client.send({ type: 'stop' });
    const hidden = hideOthers
      ? get()
          .runs.filter((r) => r.visible)
          .map((r) => r.id)
      : [];
    set((s) => ({
      runs: [...s.runs.map((r) => (hideOthers ? { ...r, visible: false } : r)), ...runs],
      selectedId: null,
    }));
    hidden.forEach((id) => void save(id));
    send(
      runs.map((run) => ({ run })),
      stepFirst,
    );
  };

  /**
   * Queue a stopped run again (with this spec, if given): from its checkpoint, dropping the figures
   * after it (the resumed run computes them again, exactly), or without one from the start.
   */
  const requeue = (id: number, checkpoint: TrainingCheckpoint | null, spec?: ExperimentSpec) =>
    patch(id, (r) => ({
      ...(spec ? { spec } : {}),
      phase: 'queued',
      message: null,
      visible: true,
      asked: {},
      inspection: null,
      test: null,
      epochs: checkpoint ? r.epochs.filter((e) => e.epoch <= checkpoint.epoch) : [],
      samples: checkpoint ? r.samples.filter((s) => s.epoch <= checkpoint.epoch) : [],
      // Trained again from the start: what its loaded weights scored no longer describes it.
      ...(checkpoint ? {} : { views: {}, model: null, asLoaded: undefined }),
    }));

  /** Continue a kept run from its checkpoint with this spec (the same, or with more epochs). */
  const restart = async (
    id: number,
    spec: ExperimentSpec,
    edit: (cp: TrainingCheckpoint) => void = () => {},
    pastExplosion = false,
  ) => {
    const run = find(id);
    if (!run || isActive(run)) return;
    const checkpoint = await archive.loadCheckpoint(run);
    if (!checkpoint) {
      notify(
        'warning',
        `${run.name} has no kept model to continue from${run.model ? ' (it could not be read back from storage)' : ''}; train it again instead.`,
      );
      return;
    }
    edit(checkpoint);
    client.send({ type: 'stop' });
    requeue(id, checkpoint, spec);
    set({ selectedId: null });
    send([{ run: find(id)!, resume: checkpoint, pastExplosion }], false);
  };

  /** A run that was training when its page, tab or worker went away: resumable from its kept model, if any. */
  const interruption = (r: RunRecord, reason = ''): Pick<RunRecord, 'phase' | 'message'> => ({
    phase: 'interrupted',
    message:
      reason +
      (r.model
        ? `Interrupted at epoch ${r.model.epoch}: press Resume to continue from there.`
        : 'Interrupted before its first checkpoint: it cannot be resumed; train it again.'),
  });

  // Runs kept from earlier visits come first. One that was training when its page went away is
  // interrupted, unless another tab still trains it (it holds the run's lock).
  // Locks first: a tab saves a run's end before letting go of its lock, so a run whose lock is
  // free by then is read back in its final state.
  void heldRuns()
    .then(async (held) => [await archive.loadRuns(), held] as const)
    .then(([{ runs: stored, skipped }, held]) => {
      if (skipped)
        notify(
          'warning',
          `${skipped} saved run${skipped === 1 ? '' : 's'} could not be read and ${skipped === 1 ? 'was' : 'were'} skipped.`,
        );
      const revived = stored.map((r) => {
        if (!ACTIVE_PHASES.includes(r.phase)) return live(r);
        if (held.has(r.id)) return live(r, true);
        const run = live({ ...r, ...interruption(r) });
        void keep(r.id);
        return run;
      });
      set((s) => ({ runs: [...revived.filter((r) => !s.runs.some((x) => x.id === r.id)), ...s.runs] }));
    })
    .catch((e) =>
      notify(
        'warning',
        `Saved runs could not be read from this browser’s storage: ${e instanceof Error ? e.message : String(e)}`,
      ),
    );

  // A tab that trains a run holds its lock; when the lock goes without a final save (the tab was
  // closed or crashed), the run here becomes interrupted, resumable from its last checkpoint.
  setInterval(() => {
    const elsewhere = get().runs.filter((r) => r.otherTab && ACTIVE_PHASES.includes(r.phase));
    if (elsewhere.length === 0) return;
    void heldRuns()
      .then(async (held) => {
        for (const r of elsewhere.filter((x) => !held.has(x.id))) {
          // Its tab saves a run's end before letting go of the lock: what is stored now is the truth.
          const stored = await archive.loadRun(r.id);
          if (!stored) {
            set((s) => ({ runs: s.runs.filter((x) => x.id !== r.id) }));
          } else if (!ACTIVE_PHASES.includes(stored.phase)) {
            patch(r.id, (mine) => ({ ...live(stored), visible: mine.visible }));
          } else {
            patch(r.id, () => ({ ...live(stored), ...interruption(stored) }));
            void save(r.id);
          }
        }
      })
      .catch(() => {});
  }, 3000);

  // Another tab saved or deleted a run: show its latest state here too.
  onOtherTabs((m) => {
    const mine = find(m.id);
    if (mine && isActive(mine)) return;
    if (m.type === 'deleted') {
      set((s) => ({ runs: s.runs.filter((r) => r.id !== m.id) }));
      return;
    }
    void archive.loadRun(m.id).then((r) => {
      if (!r) return;
      const run = { ...live(r, ACTIVE_PHASES.includes(r.phase)), visible: mine?.visible ?? r.visible };
      set((s) => ({
        runs: s.runs.some((x) => x.id === r.id) ? s.runs.map((x) => (x.id === r.id ? run : x)) : [...s.runs, run],
      }));
    });
  });

  return {
    runs: [],
    selectedId: null,
    probed: null,
    probeError: null,
    notices: [],
    pendingWrites: 0,
    unsavedRuns: 0,
    start(spec, opts = {}) {
      const seeds = opts.seeds ?? 1;
      launch(
        specsForSeeds(spec, seeds).map((s) => newRun(s)),
        !!opts.stepFirst && seeds === 1,
        false,
      );
    },
    sweep(cells) {
      const runs = cells.map((c) => newRun(c.spec, (n) => `Run ${n} · ${c.label}`));
      if (runs.length) launch(runs, false, true);
      return runs.map((r) => r.id);
    },
    compare(spec, choices, seeds = 1) {
      const runs = specsForOptimizers(spec, choices).flatMap((s) => specsForSeeds(s, seeds).map((r) => newRun(r)));
      if (runs.length) launch(runs, false, true);
    },
    pause: () => client.send({ type: 'pause' }),
    resume: () => client.send({ type: 'resume' }),
    step: () => client.send({ type: 'step' }),
    stop: (runId) => client.send({ type: 'stop', runId }),
    resumeRun: async (id, opts = {}) => {
      const run = find(id);
      if (run) await restart(id, run.spec, undefined, opts.pastExplosion);
    },
    async continueElsewhere(id) {
      const run = find(id);
      if (!run?.lostBackend || isActive(run)) return;
      const spec: ExperimentSpec = { ...run.spec, backend: 'wasm' };
      patch(id, () => ({ lostBackend: null }));
      if (run.model) await restart(id, spec);
      else {
        requeue(id, null, spec);
        send([{ run: find(id)! }], false);
      }
    },
    async resumeRuns(ids) {
      const stopped = ids.map(find).filter((r): r is Run => r !== undefined && !isActive(r));
      const checkpoints = await Promise.all(stopped.map((r) => archive.loadCheckpoint(r).catch(() => null)));
      // Checked again after the reads: a run may have been started or deleted meanwhile.
      const ready = stopped.flatMap((r, k) => {
        const now = find(r.id);
        return now && !isActive(now) ? [{ id: r.id, checkpoint: checkpoints[k] }] : [];
      });
      if (!ready.length) return;
      client.send({ type: 'stop' });
      for (const { id, checkpoint } of ready) requeue(id, checkpoint);
      set({ selectedId: null });
      send(
        ready.map(({ id, checkpoint }) => ({ run: find(id)!, resume: checkpoint ?? undefined })),
        false,
      );
      const afresh = ready.filter((r) => !r.checkpoint).map((r) => find(r.id)!.name);
      if (afresh.length)
        notify('info', `Kept no model to continue from, so trained again from the start: ${afresh.join(', ')}.`);
    },
    continueRun: async (id, extra) => {
      const run = find(id);
      if (!run?.model) return;
      const spec = structuredClone(run.spec);
      spec.training.epochs = run.model.epoch + extra;
      const valid = validateSpec(spec);
      if (!valid.ok || !Number.isInteger(extra) || extra < 1) {
        notify(
          'warning',
          `Cannot continue ${run.name} for ${extra} more epochs: ${valid.ok ? `the number of epochs must be a whole number from 1 to ${LIMITS.epochs.max - run.model.epoch}` : valid.errors.map(describeFieldError).join('; ')}.`,
        );
        return;
      }
      // Early stopping counts its patience afresh from here.
      await restart(id, spec, (cp) => {
        cp.best.epoch = cp.epoch;
      });
    },
    inspect: (runId, exampleIndex) => ask(runId, () => client.send({ type: 'inspect', runId, exampleIndex })),
    setLive(on) {
      liveMode = on;
      client.send({ type: 'pace', live: on });
    },
    drawn: (runId, epoch) => client.send({ type: 'drawn', runId, epoch }),
    skipMeasure: () => client.send({ type: 'skipMeasure' }),
    setSampling(temperature, attentionText) {
      sampling = { temperature, attentionText };
      client.send({ type: 'sampling', settings: sampling });
    },
    exportPytorch(runId, folder) {
      const run = find(runId);
      if (!run) return Promise.resolve(null);
      exports.get(runId)?.(null); // a second click replaces the first request
      return new Promise((resolve) => {
        exports.set(runId, resolve);
        void tableRead([run.spec]).then(() =>
          client.send({ type: 'exportPytorch', runId, spec: run.spec, data: dataFor(run.spec), folder }),
        );
      });
    },
    sampleNow: (runId, temperature, prompt) =>
      ask(runId, () => client.send({ type: 'sample', runId, temperature, prompt, seed: askSeed++ })),
    attentionFor: (runId, text) => ask(runId, () => client.send({ type: 'attention', runId, text })),
    select: (id) => set({ selectedId: id }),
    setVisible: (id, visible) => {
      patch(id, () => ({ visible }));
      void save(id);
    },
    rename: (id, name) => {
      patch(id, () => ({ name: name.slice(0, 200) }));
      void save(id);
    },
    remove(id) {
      const run = find(id);
      if (run && isActive(run)) client.send({ type: 'stop', runId: id });
      pending.delete(id);
      releaseRun(id);
      if (openedId === id) openedId = null;
      void archive.deleteRun(id).then(
        () => tellOtherTabs({ type: 'deleted', id }),
        () => {},
      );
      refused.delete(id); // a deleted run is no longer one that could not be saved
      set((s) => {
        const runs = s.runs.filter((r) => r.id !== id);
        return { runs, selectedId: s.selectedId === id ? null : s.selectedId, unsavedRuns: refused.size };
      });
    },
    deleteWeights(id) {
      const run = find(id);
      if (!run || isActive(run)) return;
      if (openedId === id) openedId = null;
      patch(id, () => ({ model: null }));
      void archive.deleteWeights(record(run)).then(
        () => tellOtherTabs({ type: 'saved', id }),
        () => {},
      );
    },
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
      const reading = noticeId;
      if (big) notify('info', `Reading the run file (${formatMemory(file.size)})…`);
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
        if (big) get().dismissNotice(reading);
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
      });
    },
    uploadWeights(bytes, fileName, currentSpec) {
      let file;
      try {
        file = decodeSafetensors(bytes);
      } catch (e) {
        notify('warning', `${fileName} was not loaded: ${e instanceof Error ? e.message : String(e)}.`);
        return;
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
          return;
        }
        spec = valid.spec;
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
      };
      // The checks a stored or imported checkpoint passes (finite values among them).
      const checked = checkCheckpoint(checkpoint, 'weights file');
      if (!checked.ok) {
        notify('warning', `${fileName} was not loaded: ${checked.errors.map(describeFieldError).join('; ')}.`);
        return;
      }
      const run: Run = {
        // Named after its file and model, so it reads apart from the run it came from.
        ...newRun(spec, (n) =>
          `Run ${n} · ${fileName.replace(/\.safetensors$/i, '')} · ${modelName(spec.model)}`.slice(0, 200),
        ),
        phase: 'completed',
        message: `Weights loaded from ${fileName}: sample, inspect or continue training it.`,
        model: keptModel(checkpoint),
      };
      set((s) => ({ runs: [...s.runs, run], selectedId: run.id }));
      uploads.set(run.id, { fileName, checkpoint });
      openedId = run.id;
      client.send({
        type: 'open',
        runId: run.id,
        spec,
        checkpoint: structuredClone(checkpoint),
        data: dataFor(spec),
        avoid: avoidFor(spec.backend),
        sampling,
        evaluate: true,
      });
    },
    dismissNotice: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
    notify,
    probeBackend: (backend) => {
      openedId = null; // a probe frees the opened model in the worker
      client.send({ type: 'probe', backend, avoid: avoidFor(backend) });
    },
  };
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
