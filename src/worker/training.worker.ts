/// <reference lib="webworker" />
import './wasmPaths';
import { activateBackend } from '../engine/backend';
import { Trainer } from '../engine/trainer';
import type { FromWorker, ToWorker } from './protocol';

let current: Trainer | null = null;
let latestRunId = -1;
// Runs execute one after another: a new start stops the current run and queues behind it.
let queue: Promise<void> = Promise.resolve();

function post(message: FromWorker, transfer: Transferable[] = []): void {
  (self as unknown as DedicatedWorkerGlobalScope).postMessage(message, transfer);
}

async function runOne(msg: Extract<ToWorker, { type: 'start' }>): Promise<void> {
  const { runId, spec } = msg;
  if (runId !== latestRunId) return; // superseded before it began
  try {
    post({ type: 'status', runId, status: 'preparing' });
    post({ type: 'backend', runId, report: await activateBackend(spec.backend) });
    if (runId !== latestRunId) return;
    current = new Trainer(spec, {
      onStatus: (status, message) => post({ type: 'status', runId, status, message }),
      onBatch: (report) => post({ type: 'batch', runId, report }),
      onEpoch: (metrics, boundary) =>
        post({ type: 'epoch', runId, metrics, boundary }, boundary ? [boundary.values.buffer as ArrayBuffer] : []),
    }, { boundaryResolution: 48, startPaused: msg.stepFirst });
    // "Step" before any run: start paused with one batch allowed.
    if (msg.stepFirst) current.step();
    await current.run();
  } catch (e) {
    post({ type: 'status', runId, status: 'failed', message: e instanceof Error ? e.message : String(e) });
  } finally {
    current = null;
  }
}

self.onmessage = (event: MessageEvent<ToWorker>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'start':
      latestRunId = msg.runId;
      current?.stop();
      queue = queue.then(() => runOne(msg));
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
    case 'pause': current?.pause(); break;
    case 'resume': current?.resume(); break;
    case 'step': current?.step(); break;
    case 'stop': current?.stop(); break;
  }
};
