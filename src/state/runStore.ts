import { create } from 'zustand';
import {
  describeFieldError,
  LIMITS,
  runDescription,
  specsForOptimizers,
  specsForSeeds,
  validateSpec,
  type BackendChoice,
  type BackendName,
  type ExperimentSpec,
} from '../experiment';
import type { SamplingSettings, TrainingCheckpoint, AugmentPreview } from '../engine/types';
import { DRAW_DEFAULTS } from '../engine/sampling';
import { TrainingWorkerClient } from '../worker/client';
import { createRequests } from './requests';
import { CATEGORY_COLORS } from './palette';
import { readUserData, userDataFor, userDataUnread } from './userData';
import * as archive from './runArchive';
import { createRunWrites } from './runWrites';
import { keepInStep } from './runSync';
import { EpochBuffer } from './epochBuffer';
import { workerReplies } from './workerReplies';
import { runFileActions, runFromWeights } from './runFiles';
import { keptAutoPick } from './autoBackend';
import { keptMatMulTunings } from './matmulTunings';
import { holdRun, newRunId, nextRunNumber, releaseRun, tellOtherTabs } from './runTabs';
import { isActive, keptModel, live, record, type ExportedFile, type Notice, type Run, type RunState } from './runTypes';

export * from './runTypes';

export const useRunStore = create<RunState>((set, get) => {
  let askSeed = 1;
  let noticeId = 1;
  /** The run whose kept model the worker has loaded (or is loading). */
  let openedId: number | null = null;

  const find = (id: number) => get().runs.find((r) => r.id === id);
  const patch = (id: number, change: (r: Run) => Partial<Run>) =>
    set((s) => ({ runs: s.runs.map((r) => (r.id === id ? { ...r, ...change(r) } : r)) }));
  /** Tell the person something; returns the notice's id (to dismiss it when it no longer holds). */
  const notify = (kind: Notice['kind'], text: string): number => {
    const id = noticeId++;
    set((s) => ({ notices: [...s.notices, { id, kind, text }] }));
    return id;
  };
  const { keep, save, saveImported, forget } = createRunWrites({
    // A run another tab trains is that tab's to keep.
    recordOf: (id) => {
      const run = find(id);
      return run && !run.otherTab ? record(run) : undefined;
    },
    onCounts: (counts) => set(counts),
    notify,
  });

  /** Keep a run that has ended here, then let go of its lock: other tabs read its last state first. */
  const saveAndRelease = (id: number) => void save(id).finally(() => releaseRun(id));

  const epochs = new EpochBuffer((change) => set((s) => ({ runs: s.runs.map(change) })));
  const flush = () => epochs.flush();

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
    previews.failAll();
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

  const previews = createRequests<AugmentPreview>();
  const client = new TrainingWorkerClient(
    workerReplies({
      get,
      set,
      find,
      patch,
      notify,
      flush,
      addEpoch: (runId, metrics, views) => epochs.add(runId, metrics, views),
      saveAndRelease,
      keep,
      save,
      keepCheckpoint,
      onBackendLost,
      finishExport: (runId, file, error) => finishExport(runId, file, error),
      failExports: (reason) => failExports(reason),
      takeUpload: (runId) => {
        const upload = uploads.get(runId);
        uploads.delete(runId);
        return upload;
      },
      closeOpened: (runId) => {
        if (runId === undefined || openedId === runId) openedId = null;
      },
      askAgain: (runId) => {
        const last = lastAsked.get(runId);
        if (!last || last.tries >= 3) return false;
        if (openedId === runId) openedId = null; // open it afresh from storage
        // A moment later: the worker may still be ending the run.
        setTimeout(() => ask(runId, last.send, last.tries + 1), 300);
        return true;
      },
      avoidFor,
      previews,
    }),
    () => ({ matmulTunings: keptMatMulTunings(), live: epochs.live }),
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
  let sampling: SamplingSettings = { ...DRAW_DEFAULTS, attentionText: null };
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
    await readUserData([run.spec]);
    client.send({
      type: 'open',
      runId,
      spec: run.spec,
      checkpoint,
      data: userDataFor(run.spec),
      avoid: avoidFor(run.spec.backend),
      sampling,
    });
    return true;
  };
  /** Ask the live run, or its kept model once loaded. */
  /** Each run's last question, asked again (a few times) when the worker had no model of it just then. */
  const lastAsked = new Map<number, { send: () => void; tries: number }>();
  const ask = (runId: number, send: () => void, tries = 0) => {
    lastAsked.set(runId, { send, tries });
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

  const runFiles = runFileActions({ get, set, find, notify, newRun, saveImported });

  /** Send runs to the worker; the newest start replaces whatever trains now. */
  const send = (runs: { run: Run; resume?: TrainingCheckpoint; pastExplosion?: boolean }[], stepFirst: boolean) => {
    openedId = null; // the worker frees an opened model when a run starts
    const specs = runs.map((r) => r.run.spec);
    if (userDataUnread(specs)) {
      // Read first (a run resumed while another dataset is open); without a table the worker says so.
      void readUserData(specs).then(() => sendNow(runs, stepFirst));
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
        data: userDataFor(run.spec),
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

  keepInStep({ get, set, find, patch, notify, keep, save });

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
      epochs.live = on;
      client.send({ type: 'pace', live: on });
    },
    drawn: (runId, epoch) => client.send({ type: 'drawn', runId, epoch }),
    skipMeasure: () => client.send({ type: 'skipMeasure' }),
    setSampling(draw, attentionText) {
      sampling = { ...draw, attentionText };
      client.send({ type: 'sampling', settings: sampling });
    },
    exportPytorch(runId, folder) {
      const run = find(runId);
      if (!run) return Promise.resolve(null);
      exports.get(runId)?.(null); // a second click replaces the first request
      return new Promise((resolve) => {
        exports.set(runId, resolve);
        void readUserData([run.spec]).then(() =>
          client.send({ type: 'exportPytorch', runId, spec: run.spec, data: userDataFor(run.spec), folder }),
        );
      });
    },
    sampleNow: (runId, draw, prompt) =>
      ask(runId, () => client.send({ type: 'sample', runId, draw, prompt, seed: askSeed++ })),
    attentionFor: (runId, text) => ask(runId, () => client.send({ type: 'attention', runId, text })),
    lookAtImage: (runId, source, chosenClass) =>
      ask(runId, () =>
        client.send({ type: 'imageLook', runId, source, ...(chosenClass !== undefined ? { chosenClass } : {}) }),
      ),
    previewAugment: (spec, seed) =>
      previews.ask((requestId) => {
        const data = userDataFor(spec);
        client.send({ type: 'augmentPreview', requestId, spec, ...(data ? { data } : {}), count: 16, seed });
      }),
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
      epochs.drop(id);
      releaseRun(id);
      if (openedId === id) openedId = null;
      void archive.deleteRun(id).then(
        () => tellOtherTabs({ type: 'deleted', id }),
        () => {},
      );
      const unsavedRuns = forget(id);
      set((s) => {
        const runs = s.runs.filter((r) => r.id !== id);
        return { runs, selectedId: s.selectedId === id ? null : s.selectedId, unsavedRuns };
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
    ...runFiles,
    uploadWeights(bytes, fileName, currentSpec) {
      const loaded = runFromWeights(bytes, fileName, currentSpec, { notify, newRun });
      if (!loaded) return;
      const { run, checkpoint, spec } = loaded;
      set((s) => ({ runs: [...s.runs, run], selectedId: run.id }));
      uploads.set(run.id, { fileName, checkpoint });
      openedId = run.id;
      // A model of the person's table needs the table read first (it may not be, another dataset being open).
      void readUserData([spec]).then(() =>
        client.send({
          type: 'open',
          runId: run.id,
          spec,
          checkpoint: structuredClone(checkpoint),
          data: userDataFor(spec),
          avoid: avoidFor(spec.backend),
          sampling,
          evaluate: true,
        }),
      );
    },
    dismissNotice: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
    notify,
    probeBackend: (backend) => {
      openedId = null; // a probe frees the opened model in the worker
      client.send({ type: 'probe', backend, avoid: avoidFor(backend) });
    },
  };
});
