// What the training worker says, applied to the runs: progress, epochs, checkpoints, statuses,
// answers, and its failures (a refused message, a crash, a lost backend), each told plainly.
import type { BackendName, BackendChoice } from '../experiment';
import type { EpochMetrics, EpochViews, TrainingCheckpoint, AugmentPreview } from '../engine/types';
import type { FromWorker } from '../worker/protocol';
import type { createRequests } from './requests';
import { keepAutoPick } from './autoBackend';
import { keepMatMulTunings } from './matmulTunings';
import {
  ACTIVE_PHASES,
  interruption,
  isActive,
  type ExportedFile,
  type Notice,
  type Run,
  type RunState,
} from './runTypes';

export interface WorkerRepliesContext {
  get: () => RunState;
  set: (change: Partial<RunState> | ((s: RunState) => Partial<RunState>)) => void;
  find: (id: number) => Run | undefined;
  patch: (id: number, change: (r: Run) => Partial<Run>) => void;
  notify: (kind: Notice['kind'], text: string) => void;
  /** Land the epochs waiting to be drawn (before what comes after them). */
  flush: () => void;
  addEpoch: (runId: number, metrics: EpochMetrics, views: EpochViews) => void;
  /** Keep a run that has ended here, then let go of its lock. */
  saveAndRelease: (id: number) => void;
  keep: (id: number, checkpoint?: TrainingCheckpoint) => Promise<void>;
  save: (id: number) => Promise<void>;
  keepCheckpoint: (id: number, checkpoint: TrainingCheckpoint) => void;
  onBackendLost: (runId: number, backend: BackendName, reason: string) => void;
  finishExport: (runId: number, file: ExportedFile | null, error?: string) => void;
  /** The worker went away: the exports it was building will not come. */
  failExports: (reason: string) => void;
  /** Uploaded weights waiting for the worker's verdict on whether they fit (taken once). */
  takeUpload: (runId: number) => { fileName: string; checkpoint: TrainingCheckpoint } | undefined;
  /** The worker holds no opened model any more (that run's, or any). */
  closeOpened: (runId?: number) => void;
  /** Ask the last question about a run again soon, opening its kept model (a few times): whether it will be. */
  askAgain: (runId: number) => boolean;
  avoidFor: (choice: BackendChoice) => BackendName[];
  /** The augmentation previews asked for, answered by number. */
  previews: ReturnType<typeof createRequests<AugmentPreview>>;
}

const isLive = (run: Run | undefined) => run !== undefined && isActive(run);

export function workerReplies(ctx: WorkerRepliesContext): (msg: FromWorker) => void {
  const { get, set, find, patch, notify, flush, addEpoch, saveAndRelease, keep, save } = ctx;
  const { keepCheckpoint, onBackendLost, finishExport, failExports, takeUpload, closeOpened, avoidFor, askAgain } = ctx;
  /** Why our own kernels were off on a backend, each told once. */
  const toldSlower = new Set<string>();
  return (msg) => {
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
      if (msg.type === 'augmentPreview') {
        if (msg.error) notify('warning', `The augmentation preview could not be made: ${msg.error}.`);
        ctx.previews.answer(msg.requestId, msg.preview);
      }
      if (msg.type === 'status') set({ probeError: msg.message ?? 'The training worker failed' });
      if (msg.type === 'matmulTunings') keepMatMulTunings(msg.device, msg.entries);
      if (msg.type === 'crashed') {
        // Every run the worker had becomes interrupted (resumable from its checkpoint), and the person is told.
        set({ probeError: msg.message });
        closeOpened();
        for (const r of get().runs.filter(isActive)) {
          patch(r.id, () => interruption(r, `${msg.message}. `));
          saveAndRelease(r.id);
        }
        failExports(msg.message);
        ctx.previews.failAll();
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
      case 'loadingData':
        patch(msg.runId, () => ({
          loading: { what: msg.what, received: msg.received, total: msg.total, unit: msg.unit },
        }));
        break;
      case 'measuring':
        patch(msg.runId, () => ({ measuring: { backend: msg.backend, done: msg.done } }));
        break;
      case 'backend':
        // The worker's active backend is now this run's: the header shows it after the run too.
        patch(msg.runId, () => ({ backend: msg.report, measuring: null, loading: null }));
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
          ...(ACTIVE_PHASES.includes(msg.status) ? {} : { progress: null, measuring: null, loading: null }),
        }));
        if (!ACTIVE_PHASES.includes(msg.status)) {
          saveAndRelease(msg.runId);
        }
        break;
      case 'epoch':
        addEpoch(msg.runId, msg.metrics, msg.views);
        break;
      case 'checkpoint':
        keepCheckpoint(msg.runId, msg.checkpoint);
        break;
      case 'backendLost':
        onBackendLost(msg.runId, msg.backend, msg.reason);
        break;
      case 'opened': {
        const upload = takeUpload(msg.runId);
        if (msg.error) {
          closeOpened(msg.runId);
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
        const { sample, draw, prompt } = msg;
        patch(msg.runId, (r) => ({ asked: { ...r.asked, sample: { ...sample, draw, prompt }, error: undefined } }));
        break;
      }
      case 'attention':
        patch(msg.runId, (r) => ({ asked: { ...r.asked, attention: msg.attention, error: undefined } }));
        break;
      case 'imageLook':
        patch(msg.runId, (r) => ({ asked: { ...r.asked, image: msg.look, error: undefined } }));
        break;
      case 'requestError':
        // No model there just then: a run not started yet, or one that ended as it was asked, is asked again.
        if (msg.noModel && (isLive(find(msg.runId)) || askAgain(msg.runId))) break;
        if (msg.request === 'export') finishExport(msg.runId, null, msg.message);
        else patch(msg.runId, (r) => ({ asked: { ...r.asked, error: msg.message } }));
        break;
      case 'exported':
        finishExport(msg.runId, { fileName: msg.fileName, bytes: msg.bytes });
        break;
    }
  };
}
