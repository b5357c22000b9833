import { create } from 'zustand';
import type { BackendChoice, ExperimentSpec } from '../spec';
import type { BackendReport, BatchReport, BoundarySnapshot, EpochMetrics, RunStatus } from '../engine/types';
import type { FromWorker } from '../worker/protocol';
import { TrainingWorkerClient } from '../worker/client';

export type RunPhase = 'idle' | RunStatus;

interface RunState {
  runId: number;
  phase: RunPhase;
  /** The explanation that came with the last status (divergence, failure). */
  message: string | null;
  /** The spec the current run trains, frozen at start; edits apply to the next run. */
  spec: ExperimentSpec | null;
  backend: BackendReport | null;
  epochs: EpochMetrics[];
  boundary: BoundarySnapshot | null;
  lastBatch: BatchReport | null;
  start(spec: ExperimentSpec, opts?: { stepFirst?: boolean }): void;
  pause(): void;
  resume(): void;
  step(): void;
  stop(): void;
  /** Start the chosen backend now (between runs), so the header shows what is active. */
  probeBackend(choice: BackendChoice): void;
}

export const ACTIVE_PHASES: RunPhase[] = ['preparing', 'running', 'paused'];

/** Epochs can arrive faster than the page can redraw; charts take them at most this often. */
const FLUSH_MS = 100;

export const useRunStore = create<RunState>((set, get) => {
  let pending: { metrics: EpochMetrics[]; boundary: BoundarySnapshot | null } = { metrics: [], boundary: null };
  let flushTimer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    flushTimer = null;
    const { metrics, boundary } = pending;
    pending = { metrics: [], boundary: null };
    if (metrics.length) set((s) => ({ epochs: [...s.epochs, ...metrics], boundary: boundary ?? s.boundary }));
  };
  const discardPending = () => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    pending = { metrics: [], boundary: null };
  };

  const client = new TrainingWorkerClient((msg: FromWorker) => {
    // Messages from a run that has since been replaced are dropped; runId −1 belongs to no run.
    if (msg.runId !== get().runId && msg.runId !== -1) return;
    if (msg.runId === -1 && msg.type === 'backend' && ACTIVE_PHASES.includes(get().phase)) return;
    switch (msg.type) {
      case 'backend': set({ backend: msg.report }); break;
      case 'status':
        flush(); // the last epochs land before the status that ends the run
        set({ phase: msg.status, message: msg.message ?? null });
        break;
      case 'epoch':
        pending.metrics.push(msg.metrics);
        pending.boundary = msg.boundary ?? pending.boundary;
        flushTimer ??= setTimeout(flush, FLUSH_MS);
        break;
      case 'batch': set({ lastBatch: msg.report }); break;
    }
  });
  return {
    runId: 0,
    phase: 'idle',
    message: null,
    spec: null,
    backend: null,
    epochs: [],
    boundary: null,
    lastBatch: null,
    start(spec, opts = {}) {
      const runId = get().runId + 1;
      discardPending();
      set({ runId, phase: 'preparing', message: null, spec, epochs: [], boundary: null, lastBatch: null });
      client.send({ type: 'start', runId, spec, stepFirst: !!opts.stepFirst });
    },
    pause: () => client.send({ type: 'pause' }),
    resume: () => client.send({ type: 'resume' }),
    step: () => client.send({ type: 'step' }),
    stop: () => client.send({ type: 'stop' }),
    probeBackend: (backend) => client.send({ type: 'probe', backend }),
  };
});
