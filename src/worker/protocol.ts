// worker/: the Web Worker that owns tfjs in the browser, and the typed messages to and from it.
import type { ExperimentSpec } from '../spec/types';
import type { BackendReport, BatchReport, BoundarySnapshot, EpochMetrics, RunStatus } from '../engine/types';

export type ToWorker =
  | { type: 'start'; runId: number; spec: ExperimentSpec; stepFirst: boolean }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'step' }
  | { type: 'stop' };

export type FromWorker =
  | { type: 'backend'; runId: number; report: BackendReport }
  | { type: 'status'; runId: number; status: RunStatus; message?: string }
  | { type: 'epoch'; runId: number; metrics: EpochMetrics; boundary: BoundarySnapshot | null }
  | { type: 'batch'; runId: number; report: BatchReport };
