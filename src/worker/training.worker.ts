/// <reference lib="webworker" />
import './wasmPaths';
import * as tf from '@tensorflow/tfjs';
import {
  activateBackend,
  isFatalBackendError,
  softwareGpus,
  wasmThreadsFor,
  watchDeviceLoss,
  webgpuAdapter,
} from '../engine/backend';
import { rememberMatMulTunings, tunedMatMuls } from '../engine/kernels/matMulTuning';
import { fastest, measureBackends, SKIPPED } from '../engine/backendMeasure';
import { autoKey } from '../engine/autoKey';
import type { BackendChoice, BackendName } from '../experiment/types';
import { Trainer } from '../engine/trainer';
import type { PreparedRun } from '../engine/prepareLearner';
import { BOUNDARY_RESOLUTION } from '../engine/epochPlan';
import { pytorchExport, zipExport } from '../export/pytorch/exportFiles';
import type { BackendMeasurement, BackendReport, EpochViews, TrainingCheckpoint } from '../engine/types';
import { filesFor } from './datasetFiles';
import type { FromWorker, ToWorker } from './protocol';
import { previewAugment } from './augmentPreview';
import { LivePace } from './livePace';
import { checkToWorker } from './messageCheck';
import { beat, beatOnKernels } from './heartbeat';
import { checkpointBuffers } from './transfer';
import { prepareRunData } from './runData';

/** How far an epoch has come goes to the page at most this often. */
const PROGRESS_MS = 250;
/** Checkpoints go to the page (and IndexedDB) at most this often (a reload loses about this much, plus one write); the last one of a run always. */
const CHECKPOINT_MS = 1000;

let current: { runId: number; trainer: Trainer } | null = null;
/** A kept run's model, loaded for sampling and inspection (see 'open'); one at a time. */
let opened: { runId: number; trainer: Promise<Trainer> } | null = null;
/** The example each run's views last asked about, for the final look at a run. */
let lastExample = 0;
const cancelled = new Set<number>();
/** Live mode's pacing between epochs (the page says which mode, and when it has drawn). */
const pace = new LivePace();
/** Set by the page's Skip while "auto" times backends. */
let skipMeasure = false;
// Runs and probes execute one after another, in the order they were asked for.
let queue: Promise<void> = Promise.resolve();

function post(message: FromWorker, transfer: Transferable[] = []): void {
  (self as unknown as DedicatedWorkerGlobalScope).postMessage(message, transfer);
}

beatOnKernels(post);

/** The webgpu matmul choices the page kept from earlier visits, by device. */
let keptTunings: Record<string, unknown> = {};
/** This browser on this GPU: what the page keeps matmul choices under. */
const tuningDevice = (adapter: string) => `${navigator.userAgent} · ${adapter}`;

/** On webgpu: reuse the choices measured on an earlier visit, so the first epoch does not time them again. */
function applyKeptTunings(): void {
  const adapter = webgpuAdapter();
  if (adapter) rememberMatMulTunings(keptTunings[tuningDevice(adapter)]);
}

/** After a run on webgpu: hand the page every choice for this device when some are new. */
function sendNewTunings(): void {
  const adapter = webgpuAdapter();
  if (!adapter) return;
  const device = tuningDevice(adapter);
  const entries = [...tunedMatMuls()];
  const known = Array.isArray(keptTunings[device]) ? (keptTunings[device] as unknown[]).length : 0;
  if (entries.length <= known) return;
  keptTunings = { ...keptTunings, [device]: entries };
  post({ type: 'matmulTunings', runId: -1, device, entries });
}

/** Why the active backend's GPU device went away, once it has (then nothing on it can be trusted). */
let deviceLost: string | null = null;

/** Start a backend, and listen for its device being lost (WebGPU). */
async function activate(choice: BackendChoice, avoid: BackendName[] = []) {
  const report = await activateBackend(choice, avoid);
  beatOnKernels(post);
  applyKeptTunings();
  deviceLost = null;
  watchDeviceLoss((reason) => {
    deviceLost = reason;
    current?.trainer.stop(); // its next read-back would fail or never come
  });
  return report;
}

/**
 * The backend a run trains on. "auto" measures the model on each backend and takes the fastest,
 * unless the page already knows what an earlier run of the same model measured on this device.
 */
async function activateFor(msg: Extract<ToWorker, { type: 'start' }>, data: PreparedRun): Promise<BackendReport> {
  const avoid = msg.avoid ?? [];
  if (msg.spec.backend !== 'auto') return activate(msg.spec.backend, avoid);
  if (msg.autoPick) {
    const report = await activate(msg.autoPick.backend, avoid);
    return { ...report, measured: msg.autoPick.measured, measuredEarlier: true };
  }
  // Runs sent together (Compare optimizers) share one measurement.
  const key = `${autoKey(msg.spec, 'this worker')} skipping ${avoid.join(',')}`;
  const earlier = measuredHere.get(key);
  skipMeasure = false;
  const measured =
    earlier ??
    (await measureBackends(msg.spec, data, avoid, {
      software: await softwareGpus(),
      onBackend: (backend, done) => post({ type: 'measuring', runId: msg.runId, backend, done: [...done] }),
      skip: () => skipMeasure,
    }));
  // A measurement cut short is not kept: the next run measures again. (A Skip that comes after
  // the measurement ended changes nothing.)
  const skipped = !earlier && skipMeasure;
  if (!skipped) measuredHere.set(key, measured);
  return {
    ...(await activate(fastest(measured) ?? predicted(measured), avoid)),
    measured,
    ...(earlier ? { measuredEarlier: true } : {}),
    ...(skipped ? { measurementSkipped: true } : {}),
  };
}

/** Skipped before any backend was timed: the first that was not ruled out (wasm where the GPU is software). */
function predicted(measured: BackendMeasurement[]): BackendChoice {
  return measured.find((m) => m.note === SKIPPED)?.backend ?? 'auto';
}

/** What "auto" measured in this worker, by model (and backends skipped). */
const measuredHere = new Map<string, BackendMeasurement[]>();

/**
 * End a run that failed. When its backend failed for good (see isFatalBackendError) or lost its
 * device, say so in plain words, then have the page replace this worker, whose backend cannot be
 * trusted any more.
 */
function postFailure(runId: number, message: string): void {
  if (!deviceLost && !isFatalBackendError(message)) {
    post({ type: 'status', runId, status: 'failed', message });
    return;
  }
  const backend = tf.getBackend() as BackendName;
  const reason = deviceLost ?? message;
  post({
    type: 'status',
    runId,
    status: 'failed',
    message:
      `The ${backend} backend stopped working during this run (${reason}), most often because the run needed more memory than it could get. ` +
      'The run ended here; the backend is set up afresh for the next one.',
  });
  post({ type: 'backendLost', runId, backend, reason });
}

// For the end-to-end tests: lose the GPU device as a driver reset or a GPU crash would; work
// with tf ops for `ms` without yielding, as a big evaluation or a first step's compiling would.
(self as unknown as { playgroundDebug: unknown }).playgroundDebug = {
  loseGpuDevice: () => (tf.backend() as unknown as { device?: { destroy: () => void } }).device?.destroy(),
  busyFor: (ms: number) => {
    const until = performance.now() + ms;
    while (performance.now() < until) tf.tidy(() => tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])).dataSync());
  },
};

async function runOne(msg: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  const { runId, spec } = msg;
  if (cancelled.delete(runId)) {
    post({ type: 'status', runId, status: 'stopped' });
    return;
  }
  let unsent: TrainingCheckpoint | null = null;
  // An epoch's first progress report comes after PROGRESS_MS: short epochs send none.
  let lastProgress = performance.now();
  let epochStarted = lastProgress;
  // Batch losses of the epoch in progress already sent with a progress report (Live mode only).
  let lossesSent = 0;
  // The first epoch's checkpoint goes at once (a crash in the first seconds then loses nothing
  // either); later ones at most every CHECKPOINT_MS.
  let lastSent = -Infinity;
  const sendCheckpoint = () => {
    if (unsent) post({ type: 'checkpoint', runId, checkpoint: unsent }, checkpointBuffers(unsent));
    unsent = null;
    lastSent = performance.now();
  };
  try {
    await closeOpened();
    post({ type: 'status', runId, status: 'preparing' });
    // Built once: "auto" measures on it, then the run trains on it.
    const prepared = await prepareRunData(msg, post, () => {
      beat();
      return cancelled.has(runId);
    });
    // Stopped while its tokenizer learned, or while the data was built (a big text takes seconds to encode).
    if (!prepared || cancelled.has(runId)) {
      post({ type: 'status', runId, status: 'stopped', message: 'Stopped before training began.' });
      return;
    }
    post({ type: 'backend', runId, report: await activateFor(msg, prepared) });
    const trainer = new Trainer(
      spec,
      {
        onStatus: (status, message) => {
          // A run stopped because its device went away has failed, and says why.
          if (status === 'failed' || (status === 'stopped' && deviceLost)) postFailure(runId, message ?? '');
          else post({ type: 'status', runId, status, message });
        },
        onBatch: (report) => post({ type: 'batch', runId, report }),
        onEpoch: (metrics, views) => {
          lastProgress = performance.now();
          post({ type: 'epoch', runId, metrics, views }, transferables(views));
        },
        betweenEpochs: (epoch) => pace.afterEpoch(runId, epoch),
        onEpochStart: () => {
          epochStarted = performance.now();
          lossesSent = 0;
        },
        onProgress: async (epoch, batch, batches, lossesFrom) => {
          beat();
          const now = performance.now();
          if (now - lastProgress < PROGRESS_MS || batch === batches) return;
          lastProgress = now;
          // Live mode draws a long epoch's batch losses as they come; Fast mode does not wait for the read.
          const losses = pace.isLive ? await lossesFrom(lossesSent) : [];
          lossesSent += losses.length;
          post({ type: 'progress', runId, epoch, batch, batches, ms: now - epochStarted, losses });
        },
        onTest: (test) => post({ type: 'test', runId, test }),
        onCheckpoint: (checkpoint) => {
          unsent = checkpoint;
          if (performance.now() - lastSent >= CHECKPOINT_MS) sendCheckpoint();
        },
        // A run can end between two requests for a look inside; send one last look at its end,
        // and its latest checkpoint (the model it keeps) before the status that ends it.
        beforeDispose: async () => {
          sendCheckpoint();
          const inspection = await trainer.inspect(lastExample);
          if (inspection) post({ type: 'inspection', runId, inspection });
        },
      },
      {
        boundaryResolution: BOUNDARY_RESOLUTION,
        startPaused: msg.stepFirst,
        prepared,
        resumeFrom: msg.resume,
        stopOnExplodingLoss: !msg.pastExplosion,
        sampling: msg.sampling,
      },
    );
    current = { runId, trainer };
    // "Step" before any run: start paused with one batch allowed.
    if (msg.stepFirst) trainer.step();
    if (cancelled.delete(runId)) trainer.stop();
    await trainer.run();
  } catch (e) {
    postFailure(runId, e instanceof Error ? e.message : String(e));
  } finally {
    current = null;
    pace.forget(runId);
    cancelled.delete(runId);
    if (!deviceLost) sendNewTunings();
  }
}

async function closeOpened(): Promise<void> {
  const o = opened;
  opened = null;
  if (o) (await o.trainer.catch(() => null))?.dispose();
}

/** Load a kept run's model; say whether it worked. */
async function openRun(msg: Extract<ToWorker, { type: 'open' }>): Promise<void> {
  await closeOpened();
  const { runId } = msg;
  const trainer = (async () => {
    // On the backend the run chose (the header follows it).
    post({ type: 'backend', runId: -1, report: await activate(msg.spec.backend, msg.avoid) });
    const files = await filesFor(msg.spec.dataset, msg.data);
    const t = new Trainer(
      msg.spec,
      {},
      {
        boundaryResolution: BOUNDARY_RESOLUTION,
        files,
        resumeFrom: msg.checkpoint,
        sampling: msg.sampling,
      },
    );
    await t.load();
    return t;
  })();
  opened = { runId, trainer };
  try {
    const t = await trainer;
    post({ type: 'opened', runId, error: null });
    if (msg.evaluate) await evaluateLoaded(runId, t);
  } catch (e) {
    if (opened?.runId === runId) opened = null;
    post({ type: 'opened', runId, error: e instanceof Error ? e.message : String(e) });
  }
}

/** A loaded model's figures and views, or why they could not be had (the model stays open either way). */
async function evaluateLoaded(runId: number, trainer: Trainer): Promise<void> {
  try {
    const { figures, views } = await trainer.evaluateLoaded();
    post({ type: 'evaluated', runId, figures, views }, transferables(views));
  } catch (e) {
    post({ type: 'evaluated', runId, figures: null, views: {}, error: e instanceof Error ? e.message : String(e) });
  }
}

/** The trainer that can answer about a run: the one training it, or its opened model. */
async function trainerFor(runId: number): Promise<Trainer | null> {
  if (current?.runId === runId) return current.trainer;
  if (opened?.runId === runId) return opened.trainer.catch(() => null);
  return null;
}

/** The big arrays of an epoch's views move to the page instead of being copied. */
function transferables(views: EpochViews): Transferable[] {
  const out: Transferable[] = [];
  if (views.boundary) out.push(views.boundary.values.buffer as ArrayBuffer);
  if (views.attention) out.push(views.attention.weights.buffer as ArrayBuffer);
  return out;
}

/**
 * Use the trainer that holds a run's model: the live run's at once, an opened model's once the
 * queue reaches its loading. A run that ends while it is read has already shown its final state.
 */
function withTrainer(runId: number, work: (t: Trainer | null) => Promise<void>): void {
  if (current?.runId === runId) work(current.trainer).catch(() => {});
  else queue = queue.then(() => trainerFor(runId).then(work)).catch(() => {});
}

/** Answer a request about a run; errors (e.g. unknown characters) go back as messages. */
function answer<T>(
  runId: number,
  request: 'sample' | 'attention' | 'imageLook',
  work: (t: Trainer) => Promise<T | null>,
  reply: (value: T) => void,
): void {
  withTrainer(runId, async (trainer) => {
    if (!trainer) {
      post({
        type: 'requestError',
        runId,
        request,
        message: 'this run kept no model (its weights were deleted, or it never finished an epoch)',
        noModel: true,
      });
      return;
    }
    await work(trainer).then(
      (value) => {
        if (value !== null) reply(value);
      },
      (e) => post({ type: 'requestError', runId, request, message: e instanceof Error ? e.message : String(e) }),
    );
  });
}

/** The PyTorch export of a spec, zipped. It runs beside any training: its own few tensors, freed at once. */
async function exportForPytorch(msg: Extract<ToWorker, { type: 'exportPytorch' }>): Promise<void> {
  try {
    await tf.ready();
    const bytes = zipExport(msg.folder, await pytorchExport(msg.spec, await filesFor(msg.spec.dataset, msg.data)));
    post({ type: 'exported', runId: msg.runId, fileName: `${msg.folder}.zip`, bytes }, [bytes.buffer as ArrayBuffer]);
  } catch (e) {
    post({
      type: 'requestError',
      runId: msg.runId,
      request: 'export',
      message: e instanceof Error ? e.message : String(e),
    });
  }
}

const queued = new Set<number>();

self.onmessage = (event: MessageEvent<unknown>) => {
  const checked = checkToWorker(event.data);
  if (!checked.ok) {
    post({ type: 'refused', runId: checked.runId, reason: checked.reason });
    return;
  }
  const msg = checked.message;
  switch (msg.type) {
    case 'start':
      queued.add(msg.runId);
      queue = queue.then(() => runOne(msg)).finally(() => queued.delete(msg.runId));
      break;
    case 'open':
      queue = queue.then(() => openRun(msg));
      break;
    case 'environment':
      wasmThreadsFor(msg.cores);
      keptTunings = msg.matmulTunings ?? {};
      pace.setLive(msg.live ?? true);
      break;
    case 'probe':
      // Only between runs: a run in progress keeps its backend.
      queue = queue.then(async () => {
        if (current) return;
        try {
          await closeOpened();
          post({ type: 'backend', runId: -1, report: await activate(msg.backend, msg.avoid) });
        } catch (e) {
          post({ type: 'status', runId: -1, status: 'failed', message: e instanceof Error ? e.message : String(e) });
        }
      });
      break;
    case 'exportPytorch':
      void exportForPytorch(msg);
      break;
    case 'ping':
      post({ type: 'pong', runId: -1 });
      break;
    case 'pause':
      current?.trainer.pause();
      pace.release();
      break;
    case 'resume':
      current?.trainer.resume();
      break;
    case 'step':
      current?.trainer.step();
      pace.release();
      break;
    case 'pace':
      pace.setLive(msg.live);
      break;
    case 'drawn':
      pace.markDrawn(msg.runId, msg.epoch);
      break;
    case 'skipMeasure':
      skipMeasure = true;
      break;
    case 'inspect': {
      lastExample = msg.exampleIndex;
      withTrainer(msg.runId, async (trainer) => {
        const inspection = await trainer?.inspect(msg.exampleIndex);
        if (inspection) post({ type: 'inspection', runId: msg.runId, inspection });
      });
      break;
    }
    case 'sampling':
      // The run training now and the model opened for a look both follow the new settings.
      current?.trainer.setSampling(msg.settings);
      void opened?.trainer.then(
        (t) => t.setSampling(msg.settings),
        () => {},
      );
      break;
    case 'sample':
      answer(
        msg.runId,
        'sample',
        (t) => t.sample(msg.draw, msg.prompt, msg.seed),
        (sample) => post({ type: 'sample', runId: msg.runId, sample, draw: msg.draw, prompt: msg.prompt }),
      );
      break;
    case 'attention':
      answer(
        msg.runId,
        'attention',
        (t) => t.attention(msg.text),
        (attention) =>
          post({ type: 'attention', runId: msg.runId, attention }, [attention.weights.buffer as ArrayBuffer]),
      );
      break;
    case 'imageLook':
      answer(
        msg.runId,
        'imageLook',
        (t) => t.imageLook(msg.source, msg.chosenClass),
        (look) => post({ type: 'imageLook', runId: msg.runId, look }),
      );
      break;
    case 'augmentPreview':
      void previewAugment(msg, post);
      break;
    case 'stop':
      for (const id of queued) if (msg.runId === undefined || msg.runId === id) cancelled.add(id);
      if (current && (msg.runId === undefined || msg.runId === current.runId)) {
        current.trainer.stop();
        pace.release();
      }
      break;
  }
};
