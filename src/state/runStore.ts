import { create } from 'zustand';
import {
  MODEL_LABELS, OPTIMIZER_LABELS, migrateSpec, specsForOptimizers, type BackendChoice, type ExperimentSpec, type OptimizerChoice,
} from '../spec';
import type {
  AttentionSnapshot, BackendReport, BatchReport, EpochMetrics, EpochViews, Inspection, RunStatus, TextSample,
} from '../engine/types';
import { useTextStore } from './textStore';
import type { FromWorker } from '../worker/protocol';
import { TrainingWorkerClient } from '../worker/client';
import { deleteRun, loadRuns, saveRun, type StoredRun } from './runArchive';


export type RunPhase = 'queued' | RunStatus;

/** One training run, kept after it ends so runs can be overlaid and compared. */
export interface Run {
  id: number;
  name: string;
  color: string;
  spec: ExperimentSpec;
  phase: RunPhase;
  /** The explanation that came with the last status (divergence, failure, early stop). */
  message: string | null;
  backend: BackendReport | null;
  epochs: EpochMetrics[];
  /** The latest of each view the epochs produced (boundary, confusion, forecast, attention…). */
  views: EpochViews;
  /** Language models: the text sampled after each epoch (the last MAX_SAMPLES). */
  samples: TextSample[];
  /** Answers to questions asked of the live model: a sample on demand, attention for a typed text. */
  asked: { sample?: { text: string; temperature: number; prompt: string }; attention?: AttentionSnapshot; error?: string };
  lastBatch: BatchReport | null;
  /** The latest look inside the network (weights, gradients, one example's backprop). */
  inspection: Inspection | null;
  visible: boolean;
}

interface RunState {
  runs: Run[];
  /** The run the decision boundary and step views follow; null follows the live run. */
  selectedId: number | null;
  /** The backend started ahead of any run. */
  probed: BackendReport | null;
  probeError: string | null;
  start(spec: ExperimentSpec, opts?: { stepFirst?: boolean }): void;
  /** Train the experiment once per optimizer, same seed, one after another; show only those runs. */
  compare(spec: ExperimentSpec, choices: OptimizerChoice[]): void;
  pause(): void;
  resume(): void;
  step(): void;
  stop(runId?: number): void;
  inspect(runId: number, exampleIndex: number): void;
  /** Language models: the temperature of each epoch's sample and the text whose attention each epoch shows. */
  setSampling(temperature: number, attentionText: string | null): void;
  sampleNow(runId: number, temperature: number, prompt: string): void;
  attentionFor(runId: number, text: string): void;
  select(id: number): void;
  setVisible(id: number, visible: boolean): void;
  rename(id: number, name: string): void;
  remove(id: number): void;
  /** Start the chosen backend now (between runs), so the header shows what is active. */
  probeBackend(choice: BackendChoice): void;
}

export const ACTIVE_PHASES: RunPhase[] = ['queued', 'preparing', 'running', 'paused'];
export const isActive = (run: Run) => ACTIVE_PHASES.includes(run.phase);

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];

/** Epochs can arrive faster than the page can redraw; charts take them at most this often. */
const FLUSH_MS = 200;
const MAX_SAMPLES = 200;

export const useRunStore = create<RunState>((set, get) => {
  // Run numbers continue across visits (kept in localStorage, read synchronously, so a run
  // started before the archive has loaded can never take a kept run's number).
  const ID_KEY = 'nn-playground.nextRunId';
  const storage = typeof localStorage === 'undefined' ? null : localStorage;
  let nextId = Number(storage?.getItem(ID_KEY)) || 1;
  let pending = new Map<number, { metrics: EpochMetrics[]; views: EpochViews; samples: TextSample[] }>();
  let askSeed = 1;
  let flushTimer: ReturnType<typeof setTimeout> | null = null;

  const patch = (id: number, change: (r: Run) => Partial<Run>) =>
    set((s) => ({ runs: s.runs.map((r) => (r.id === id ? { ...r, ...change(r) } : r)) }));

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
          ? { ...r, epochs: [...r.epochs, ...p.metrics], views: { ...r.views, ...p.views }, samples: [...r.samples, ...p.samples].slice(-MAX_SAMPLES) }
          : r;
      }),
    }));
  };

  const client = new TrainingWorkerClient((msg: FromWorker) => {
    if (msg.runId === -1) {
      if (msg.type === 'backend') set({ probed: msg.report, probeError: null });
      if (msg.type === 'status') set({ probeError: msg.message ?? 'The training worker failed' });
      return;
    }
    if (!get().runs.some((r) => r.id === msg.runId)) return; // removed meanwhile
    switch (msg.type) {
      case 'backend': patch(msg.runId, () => ({ backend: msg.report })); break;
      case 'status':
        flush(); // the last epochs land before the status that ends the run
        patch(msg.runId, () => ({ phase: msg.status, message: msg.message ?? null }));
        if (!ACTIVE_PHASES.includes(msg.status)) archive(msg.runId);
        break;
      case 'epoch': {
        const p = pending.get(msg.runId) ?? { metrics: [], views: {}, samples: [] };
        p.metrics.push(msg.metrics);
        p.views = { ...p.views, ...msg.views };
        if (msg.views.sample) p.samples.push(msg.views.sample);
        pending.set(msg.runId, p);
        flushTimer ??= setTimeout(flush, FLUSH_MS);
        break;
      }
      case 'batch': patch(msg.runId, () => ({ lastBatch: msg.report })); break;
      case 'inspection': patch(msg.runId, () => ({ inspection: msg.inspection })); break;
      case 'sample': {
        const { text, temperature, prompt } = msg;
        patch(msg.runId, (r) => ({ asked: { ...r.asked, sample: { text, temperature, prompt }, error: undefined } }));
        break;
      }
      case 'attention': patch(msg.runId, (r) => ({ asked: { ...r.asked, attention: msg.attention, error: undefined } })); break;
      case 'requestError': patch(msg.runId, (r) => ({ asked: { ...r.asked, error: msg.message } })); break;
    }
  });

  const describe = (spec: ExperimentSpec) => {
    const model = spec.model.kind === 'mlp' ? '' : `${MODEL_LABELS[spec.model.kind].replace(/^an? /, '')} · `;
    return `${model}${OPTIMIZER_LABELS[spec.training.optimizer.kind]} lr ${spec.training.optimizer.learningRate}`;
  };
  const archive = (id: number) => {
    const run = get().runs.find((r) => r.id === id);
    if (run && !isActive(run)) void saveRun(run);
  };
  // Runs kept from earlier visits come first; new runs are numbered after them.
  void loadRuns().then((stored) => {
    if (stored.length === 0) return;
    set((s) => ({
      runs: [...stored.map(revive).filter((r) => !s.runs.some((x) => x.id === r.id)), ...s.runs],
    }));
  });

  const newRun = (spec: ExperimentSpec): Run => {
    const id = nextId++;
    storage?.setItem(ID_KEY, String(nextId));
    return {
      id, name: `Run ${id} · ${describe(spec)}`, color: PALETTE[(id - 1) % PALETTE.length], spec, phase: 'queued', message: null, backend: null,
      epochs: [], views: {}, samples: [], asked: {}, lastBatch: null, inspection: null, visible: true,
    };
  };

  const launch = (runs: Run[], stepFirst: boolean, hideOthers: boolean) => {
    client.send({ type: 'stop' });
    const hidden = hideOthers ? get().runs.filter((r) => r.visible).map((r) => r.id) : [];
    set((s) => ({
      runs: [...s.runs.map((r) => (hideOthers ? { ...r, visible: false } : r)), ...runs],
      selectedId: null,
    }));
    hidden.forEach(archive);
    // The person's own text travels with the run (it is not part of the spec).
    const text = (spec: ExperimentSpec) => (spec.dataset.kind === 'userText' ? useTextStore.getState().text : undefined);
    runs.forEach((r) => client.send({ type: 'start', runId: r.id, spec: r.spec, stepFirst, text: text(r.spec) }));
  };

  return {
    runs: [],
    selectedId: null,
    probed: null,
    probeError: null,
    start(spec, opts = {}) {
      launch([newRun(spec)], !!opts.stepFirst, false);
    },
    compare(spec, choices) {
      const runs = specsForOptimizers(spec, choices).map(newRun);
      if (runs.length) launch(runs, false, true);
    },
    pause: () => client.send({ type: 'pause' }),
    resume: () => client.send({ type: 'resume' }),
    step: () => client.send({ type: 'step' }),
    stop: (runId) => client.send({ type: 'stop', runId }),
    inspect: (runId, exampleIndex) => client.send({ type: 'inspect', runId, exampleIndex }),
    setSampling: (temperature, attentionText) => client.send({ type: 'sampling', temperature, attentionText }),
    sampleNow: (runId, temperature, prompt) => client.send({ type: 'sample', runId, temperature, prompt, seed: askSeed++ }),
    attentionFor: (runId, text) => client.send({ type: 'attention', runId, text }),
    select: (id) => set({ selectedId: id }),
    setVisible: (id, visible) => {
      patch(id, () => ({ visible }));
      archive(id);
    },
    rename: (id, name) => {
      patch(id, () => ({ name }));
      archive(id);
    },
    remove(id) {
      const run = get().runs.find((r) => r.id === id);
      if (run && isActive(run)) client.send({ type: 'stop', runId: id });
      pending.delete(id);
      void deleteRun(id);
      set((s) => {
        const runs = s.runs.filter((r) => r.id !== id);
        return { runs, selectedId: s.selectedId === id ? null : s.selectedId };
      });
    },
    probeBackend: (backend) => client.send({ type: 'probe', backend }),
  };
});

/** A run kept by an earlier version of the app: fill in what it did not store. */
function revive(r: StoredRun & { boundary?: EpochViews['boundary'] | null }): Run {
  const { boundary, ...rest } = r;
  return {
    ...rest,
    spec: migrateSpec(r.spec) as ExperimentSpec,
    views: r.views ?? (boundary ? { boundary } : {}),
    samples: r.samples ?? [],
    asked: {},
    inspection: null,
    lastBatch: null,
  };
}

/** The run the views follow: the one picked, else the one training now, else the newest that has trained. */
export function selectedRun(s: Pick<RunState, 'runs' | 'selectedId'>): Run | null {
  return s.runs.find((r) => r.id === s.selectedId) ?? executingRun(s)
    ?? [...s.runs].reverse().find((r) => r.epochs.length > 0) ?? s.runs.at(-1) ?? null;
}

/** The run the worker is executing now (pause/step/resume act on it). */
export function executingRun(s: Pick<RunState, 'runs'>): Run | null {
  return s.runs.find((r) => r.phase === 'preparing' || r.phase === 'running' || r.phase === 'paused') ?? null;
}
