import { create } from 'zustand';
import type { ExperimentSpec } from '../spec';
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
}

export const ACTIVE_PHASES: RunPhase[] = ['preparing', 'running', 'paused'];

export const useRunStore = create<RunState>((set, get) => {
  const client = new TrainingWorkerClient((msg: FromWorker) => {
    // Messages from a run that has since been replaced are dropped (crashes carry runId −1).
    if (msg.runId !== get().runId && msg.runId !== -1) return;
    switch (msg.type) {
      case 'backend': set({ backend: msg.report }); break;
      case 'status': set({ phase: msg.status, message: msg.message ?? null }); break;
      case 'epoch': set((s) => ({ epochs: [...s.epochs, msg.metrics], boundary: msg.boundary ?? s.boundary })); break;
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
      set({ runId, phase: 'preparing', message: null, spec, epochs: [], boundary: null, lastBatch: null });
      client.send({ type: 'start', runId, spec, stepFirst: !!opts.stepFirst });
    },
    pause: () => client.send({ type: 'pause' }),
    resume: () => client.send({ type: 'resume' }),
    step: () => client.send({ type: 'step' }),
    stop: () => client.send({ type: 'stop' }),
  };
});
