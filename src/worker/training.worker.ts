/// <reference lib="webworker" />
import './wasmPaths';
import { activateBackend } from '../engine/backend';
import { Trainer } from '../engine/trainer';
import { filesFor } from './datasetFiles';
import type { FromWorker, ToWorker } from './protocol';
import type { EpochViews } from '../engine/types';

let current: { runId: number; trainer: Trainer } | null = null;
/** The example each run's views last asked about, for the final look at a run. */
let lastExample = 0;
/** What language-model views ask for; read by the trainer after each epoch. */
const sampling = { temperature: 0.8, attentionText: null as string | null };
const cancelled = new Set<number>();
// Runs and probes execute one after another, in the order they were asked for.
let queue: Promise<void> = Promise.resolve();

function post(message: FromWorker, transfer: Transferable[] = []): void {
  (self as unknown as DedicatedWorkerGlobalScope).postMessage(message, transfer);
}

async function runOne(msg: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  const { runId, spec } = msg;
  if (cancelled.delete(runId)) {
    post({ type: 'status', runId, status: 'stopped' });
    return;
  }
  try {
    post({ type: 'status', runId, status: 'preparing' });
    post({ type: 'backend', runId, report: await activateBackend(spec.backend) });
    const files = await filesFor(spec.dataset, msg.text);
    const trainer = new Trainer(spec, {
      onStatus: (status, message) => post({ type: 'status', runId, status, message }),
      onBatch: (report) => post({ type: 'batch', runId, report }),
      onEpoch: (metrics, views) => post({ type: 'epoch', runId, metrics, views }, transferables(views)),
      // A run can end between two requests for a look inside; send one last look at its end.
      beforeDispose: async () => {
        const inspection = await trainer.inspect(lastExample);
        if (inspection) post({ type: 'inspection', runId, inspection });
      },
    }, {
      boundaryResolution: 48, startPaused: msg.stepFirst, files,
      sampling: { temperature: () => sampling.temperature, attentionText: () => sampling.attentionText },
    });
    current = { runId, trainer };
    // "Step" before any run: start paused with one batch allowed.
    if (msg.stepFirst) trainer.step();
    if (cancelled.delete(runId)) trainer.stop();
    await trainer.run();
  } catch (e) {
    post({ type: 'status', runId, status: 'failed', message: e instanceof Error ? e.message : String(e) });
  } finally {
    current = null;
    cancelled.delete(runId);
  }
}

/** The big arrays of an epoch's views move to the page instead of being copied. */
function transferables(views: EpochViews): Transferable[] {
  const out: Transferable[] = [];
  if (views.boundary) out.push(views.boundary.values.buffer as ArrayBuffer);
  if (views.attention) out.push(views.attention.weights.buffer as ArrayBuffer);
  return out;
}

/** Answer a request about the run in progress; errors (e.g. unknown characters) go back as messages. */
function answer<T>(runId: number, request: 'sample' | 'attention', work: (t: Trainer) => Promise<T | null>, reply: (value: T) => void): void {
  const run = current;
  if (run?.runId !== runId) {
    post({ type: 'requestError', runId, request, message: 'the run has ended; its model is gone (start it again to ask more)' });
    return;
  }
  work(run.trainer).then(
    (value) => { if (value !== null) reply(value); },
    (e) => post({ type: 'requestError', runId, request, message: e instanceof Error ? e.message : String(e) }),
  );
}

const queued = new Set<number>();

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'start':
      queued.add(msg.runId);
      queue = queue.then(() => runOne(msg)).finally(() => queued.delete(msg.runId));
      break;
    case 'probe':
      // Only between runs: a run in progress keeps its backend.
      queue = queue.then(async () => {
        if (current) return;
        try {
          post({ type: 'backend', runId: -1, report: await activateBackend(msg.backend) });
        } catch (e) {
          post({ type: 'status', runId: -1, status: 'failed', message: e instanceof Error ? e.message : String(e) });
        }
      });
      break;
    case 'pause': current?.trainer.pause(); break;
    case 'resume': current?.trainer.resume(); break;
    case 'step': current?.trainer.step(); break;
    case 'inspect': {
      const run = current;
      lastExample = msg.exampleIndex;
      if (run?.runId !== msg.runId) break;
      run.trainer.inspect(msg.exampleIndex).then(
        (inspection) => { if (inspection) post({ type: 'inspection', runId: msg.runId, inspection }); },
        () => {}, // the run ended while reading; its final state was already shown
      );
      break;
    }
    case 'sampling':
      sampling.temperature = msg.temperature;
      sampling.attentionText = msg.attentionText;
      break;
    case 'sample':
      answer(msg.runId, 'sample', (t) => t.sample(msg.temperature, msg.prompt, msg.seed),
        (text) => post({ type: 'sample', runId: msg.runId, text, temperature: msg.temperature, prompt: msg.prompt }));
      break;
    case 'attention':
      answer(msg.runId, 'attention', (t) => t.attention(msg.text),
        (attention) => post({ type: 'attention', runId: msg.runId, attention }, [attention.weights.buffer as ArrayBuffer]));
      break;
    case 'stop':
      for (const id of queued) if (msg.runId === undefined || msg.runId === id) cancelled.add(id);
      if (current && (msg.runId === undefined || msg.runId === current.runId)) current.trainer.stop();
      break;
  }
};
