/// <reference lib="webworker" />
// The person's big files are read here, not on the page's thread: a run file of 1,000 runs is
// tens of megabytes of JSON and base64 to check, which would freeze the page for seconds.
import { readRunFile } from '../export/runFile';
import type { FilesReply, FilesRequest } from './filesProtocol';

/** Runs per message to the page: taking in one message is then a short task, not a frozen second. */
const RUNS_PER_MESSAGE = 50;

function post(msg: FilesReply, transfer: Transferable[] = []): void {
  (self as unknown as DedicatedWorkerGlobalScope).postMessage(msg, transfer);
}

self.onmessage = async (event: MessageEvent<FilesRequest>) => {
  const { requestId, file } = event.data;
  try {
    const result = readRunFile(await file.text());
    if (!result.ok) return post({ type: 'refused', requestId, result });
    for (let from = 0; from < result.runs.length; from += RUNS_PER_MESSAGE) {
      const runs = result.runs.slice(from, from + RUNS_PER_MESSAGE);
      // The models' arrays move to the page instead of being copied.
      const transfer = runs.flatMap(({ checkpoint }) =>
        checkpoint ? [...checkpoint.weights, ...checkpoint.optimizer.slots].map((t) => t.values.buffer) : [],
      );
      post(
        { type: 'runs', requestId, runs, last: from + RUNS_PER_MESSAGE >= result.runs.length },
        transfer as ArrayBuffer[],
      );
    }
  } catch (e) {
    post({ type: 'error', requestId, message: e instanceof Error ? e.message : String(e) });
  }
};
