// worker/: the Web Worker that owns tfjs in the browser, and the typed messages to and from it.
import type { BackendChoice, ExperimentSpec } from '../spec/types';
import type { BackendReport, BatchReport, BoundarySnapshot, EpochMetrics, Inspection, RunStatus } from '../engine/types';

export type ToWorker =
  /** Queue a run; runs execute one after another, so each one's timing is its own. */
  | { type: 'start'; runId: number; spec: ExperimentSpec; stepFirst: boolean }
  /** Activate a backend ahead of any run, so the active one is shown from the start. */
  | { type: 'probe'; backend: BackendChoice }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'step' }
  /** Read the weights, gradients and one example's backprop of a run in progress. */
  | { type: 'inspect'; runId: number; exampleIndex: number }
  /** Stop one run (running or queued), or with no runId every run. */
  | { type: 'stop'; runId?: number };

/** runId −1 marks messages that belong to no run (probes, a crashed worker). */
export type FromWorker =
  | { type: 'backend'; runId: number; report: BackendReport }
  | { type: 'status'; runId: number; status: RunStatus; message?: string }
  | { type: 'epoch'; runId: number; metrics: EpochMetrics; boundary: BoundarySnapshot | null }
  | { type: 'batch'; runId: number; report: BatchReport }
  | { type: 'inspection'; runId: number; inspection: Inspection };
