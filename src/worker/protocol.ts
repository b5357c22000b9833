import type { Table } from '../data/table';
import type { OwnImages } from '../data/ownImages';
// The typed messages between the page and the training worker.
import type { BackendChoice, BackendName, ExperimentSpec } from '../experiment/types';
import type { DrawSettings, SampledText } from '../engine/sampling';
import type {
  AttentionSnapshot,
  AugmentPreview,
  ImageLook,
  ImageSource,
  BackendMeasurement,
  BackendReport,
  BatchReport,
  EpochMetrics,
  EpochViews,
  Inspection,
  LoadedFigures,
  RunStatus,
  SamplingSettings,
  TestResult,
  TrainingCheckpoint,
} from '../engine/types';

/** The person's own data, which no link carries: their text, or their table as CSV. */
export interface UserData {
  /** The person's text as given: pasted text, or the uploaded file (read by the worker). */
  text?: string | Blob;
  /** The person's table, read by the file-reading worker (see state/tableStore.ts). */
  table?: Table;
  /** The person's images as kept (see state/imageStore.ts). */
  images?: OwnImages;
}

/** What a run's preparation counts: a download's bytes, a tokenizer's merges, or nothing (a big text being tokenized). */
export type LoadingUnit = 'bytes' | 'merges' | 'tokens';

export type ToWorker =
  /**
   * Queue a run; runs execute one after another, so each one's timing is its own. `data`: the
   * person's own text or CSV table. `resume`: continue from this checkpoint instead of from the seed.
   * `pastExplosion`: the person chose to train on although the loss exploded (no stop for it).
   */
  | {
      type: 'start';
      runId: number;
      spec: ExperimentSpec;
      stepFirst: boolean;
      data?: UserData;
      resume?: TrainingCheckpoint;
      pastExplosion?: boolean;
      avoid?: BackendName[];
      sampling: SamplingSettings;
      /** "auto": what an earlier run of the same model measured on this device (the page keeps it); absent: measure now. */
      autoPick?: { backend: BackendName; measured: BackendMeasurement[] };
    }
  /** Load a run's kept model (not training) so it can be sampled, inspected and asked for attention. */
  | {
      type: 'open';
      runId: number;
      spec: ExperimentSpec;
      checkpoint: TrainingCheckpoint;
      data?: UserData;
      avoid?: BackendName[];
      sampling: SamplingSettings;
      /** Weights just loaded from a file: evaluate them and send their figures and views ('evaluated'). */
      evaluate?: boolean;
    }
  /**
   * Activate a backend ahead of any run, so the active one is shown from the start. `avoid` (in
   * start and open too): backends that stopped working in this tab, which "auto" skips.
   */
  | { type: 'probe'; backend: BackendChoice; avoid?: BackendName[] }
  /**
   * Sent first: the page's logical cores, which decide whether wasm runs on threads, and the
   * webgpu matmul choices kept from earlier visits, by device (see 'matmulTunings' below).
   */
  | { type: 'environment'; cores: number; matmulTunings?: Record<string, unknown>; live?: boolean }
  | { type: 'pause' }
  | { type: 'resume' }
  /** Live (every epoch drawn, paced to be watchable) or Fast (as fast as the backend goes); see livePace.ts. */
  | { type: 'pace'; live: boolean }
  /** The page has drawn this epoch of the run (Live mode waits for it). */
  | { type: 'drawn'; runId: number; epoch: number }
  /** "Auto": stop timing backends and train on the best one known so far. */
  | { type: 'skipMeasure' }
  | { type: 'step' }
  /** Read the weights, gradients and one example's backprop of a run in progress. */
  | { type: 'inspect'; runId: number; exampleIndex: number }
  /** Language models: how the samples after each epoch are drawn, and the text whose attention is shown. */
  | { type: 'sampling'; settings: SamplingSettings }
  /** Sample text from the run now (it must be training or paused); `prompt` starts the text. */
  | { type: 'sample'; runId: number; draw: DrawSettings; prompt: string; seed: number }
  /** The transformer's attention for a text, now. */
  | { type: 'attention'; runId: number; text: string }
  /** An image model's look at one image (validation image or drawn pixels); the saliency for chosenClass or its guess. */
  | { type: 'imageLook'; runId: number; source: ImageSource; chosenClass?: number }
  /** The first training images of a spec as its augmentation changes them (what the network sees), not about a run. */
  | { type: 'augmentPreview'; requestId: number; spec: ExperimentSpec; data?: UserData; count: number; seed: number }
  /** Build the PyTorch export of a run's spec (train.py, data, initial weights), zipped in a folder of that name. */
  | { type: 'exportPytorch'; runId: number; spec: ExperimentSpec; data?: UserData; folder: string }
  /** Are you there? Answered by 'pong' as soon as the worker's event loop is free (see client.ts). */
  | { type: 'ping' }
  /** Stop one run (running or queued), or with no runId every run. */
  | { type: 'stop'; runId?: number };

/** runId −1 marks messages that belong to no run (probes, a crashed worker). */
export type FromWorker =
  /** A message the worker could not act on (see messageCheck.ts): what was wrong with it; the worker lives on. */
  | { type: 'refused'; runId: number; reason: string }
  | { type: 'backend'; runId: number; report: BackendReport }
  /** How far the epoch in progress has come, and its ms so far, at most every few hundred ms (a long epoch is not a silent wait). */
  | {
      type: 'progress';
      runId: number;
      epoch: number;
      batch: number;
      batches: number;
      ms: number;
      /** Live mode: the epoch's batch losses since the last report (empty in Fast mode). */
      losses: number[];
    }
  /** "Auto" is timing this backend for the run (`done`: those timed so far), so the page can say so. */
  | { type: 'measuring'; runId: number; backend: BackendName; done: BackendMeasurement[] }
  /**
   * While a big dataset downloads for the run (bytes so far, of how many; null: unknown), or while its byte-pair
   * tokenizer learns (merges made, of how many).
   */
  | { type: 'loadingData'; runId: number; what: string; received: number; total: number | null; unit: LoadingUnit }
  | { type: 'status'; runId: number; status: RunStatus; message?: string }
  | { type: 'epoch'; runId: number; metrics: EpochMetrics; views: EpochViews }
  /** The state at an epoch's end, to keep (at most every few seconds, and always the last one of a run). */
  | { type: 'checkpoint'; runId: number; checkpoint: TrainingCheckpoint }
  /** The answer to 'open': the model is ready, or why it could not be loaded (e.g. a tensor's shape). */
  | { type: 'opened'; runId: number; error: string | null }
  /** A loaded model's figures and views before any training (the answer to 'open' with `evaluate`). */
  | { type: 'evaluated'; runId: number; figures: LoadedFigures | null; views: EpochViews; error?: string }
  | { type: 'batch'; runId: number; report: BatchReport }
  /** The test split's score, once, as a run completes. */
  | { type: 'test'; runId: number; test: TestResult }
  | { type: 'inspection'; runId: number; inspection: Inspection }
  | { type: 'sample'; runId: number; sample: SampledText; draw: DrawSettings; prompt: string }
  | { type: 'attention'; runId: number; attention: AttentionSnapshot }
  | { type: 'imageLook'; runId: number; look: ImageLook }
  | { type: 'augmentPreview'; runId: -1; requestId: number; preview: AugmentPreview | null; error?: string }
  /**
   * A backend stopped working (wasm aborted, out of memory, a lost GPU device): the run on it has
   * failed with a plain message, and this worker must be replaced by a fresh one.
   */
  | { type: 'backendLost'; runId: number; backend: BackendName; reason: string }
  /** Alive: the answer to a ping, or unasked while the worker works for long without yielding (heartbeat.ts). */
  | { type: 'pong'; runId: -1 }
  /** After a run on webgpu that measured matmul shapes: every choice for this device, for the page to keep. */
  | { type: 'matmulTunings'; runId: -1; device: string; entries: [string, number][] }
  /** The worker itself failed (an uncaught error): the runs it had are interrupted. */
  | { type: 'crashed'; runId: -1; message: string }
  /** A request about a run could not be answered (e.g. a character the model does not know). */
  /** A question about a run could not be answered; `noModel`: the worker held no model of that run just then. */
  | {
      type: 'requestError';
      runId: number;
      request: 'sample' | 'attention' | 'imageLook' | 'export';
      message: string;
      noModel?: true;
    }
  /** The PyTorch export asked for, as one zip file. */
  | { type: 'exported'; runId: number; fileName: string; bytes: Uint8Array };
