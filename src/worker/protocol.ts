// worker/: the Web Worker that owns tfjs in the browser, and the typed messages to and from it.
import type { BackendChoice, ExperimentSpec } from '../spec/types';
import type {
  AttentionSnapshot, BackendReport, BatchReport, EpochMetrics, EpochViews, Inspection, RunStatus,
} from '../engine/types';

export type ToWorker =
  /** Queue a run; runs execute one after another, so each one's timing is its own. `text`: the user's own text. */
  | { type: 'start'; runId: number; spec: ExperimentSpec; stepFirst: boolean; text?: string }
  /** Activate a backend ahead of any run, so the active one is shown from the start. */
  | { type: 'probe'; backend: BackendChoice }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'step' }
  /** Read the weights, gradients and one example's backprop of a run in progress. */
  | { type: 'inspect'; runId: number; exampleIndex: number }
  /** Language models: the temperature for the samples drawn after each epoch, and the text whose attention is shown. */
  | { type: 'sampling'; temperature: number; attentionText: string | null }
  /** Sample text from the run now (it must be training or paused); `prompt` starts the text. */
  | { type: 'sample'; runId: number; temperature: number; prompt: string; seed: number }
  /** The transformer's attention for a text, now. */
  | { type: 'attention'; runId: number; text: string }
  /** Stop one run (running or queued), or with no runId every run. */
  | { type: 'stop'; runId?: number };

/** runId −1 marks messages that belong to no run (probes, a crashed worker). */
export type FromWorker =
  | { type: 'backend'; runId: number; report: BackendReport }
  | { type: 'status'; runId: number; status: RunStatus; message?: string }
  | { type: 'epoch'; runId: number; metrics: EpochMetrics; views: EpochViews }
  | { type: 'batch'; runId: number; report: BatchReport }
  | { type: 'inspection'; runId: number; inspection: Inspection }
  | { type: 'sample'; runId: number; text: string; temperature: number; prompt: string }
  | { type: 'attention'; runId: number; attention: AttentionSnapshot }
  /** A request about a run could not be answered (e.g. a character the model does not know). */
  | { type: 'requestError'; runId: number; request: 'sample' | 'attention'; message: string };
