// The worker's side of the page's watchdog (client.ts): besides answering pings between tasks,
// a worker that works for long without yielding says it is alive from within that work.
import { reportKernelProgress } from '../engine/kernelBeat';
import type { FromWorker } from './protocol';

/** Unasked signs of life go to the page at most this often (the page waits 10 s for one). */
const BEAT_MS = 1000;
const BACKENDS = ['cpu', 'wasm', 'webgl', 'webgpu'];

let lastBeat = -Infinity;
let post: (message: FromWorker) => void = () => {};

/** Tell the page this worker is alive, unless it was told less than BEAT_MS ago. */
export function beat(): void {
  const now = performance.now();
  if (now - lastBeat < BEAT_MS) return;
  lastBeat = now;
  post({ type: 'pong', runId: -1 });
}

/**
 * Every tf kernel this worker runs counts as progress. Call again after a backend starts: kernels
 * registered since (ours register on first use) are added.
 */
export function beatOnKernels(send: (message: FromWorker) => void): void {
  post = send;
  for (const backend of BACKENDS) reportKernelProgress(backend, beat);
}
