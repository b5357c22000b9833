import type { FromWorker, ToWorker } from './protocol';

/** The UI side of the worker: one long-lived worker, typed messages both ways. */
export class TrainingWorkerClient {
  private worker: Worker | null = null;

  constructor(private onMessage: (msg: FromWorker) => void) {}

  send(msg: ToWorker): void {
    if (!this.worker) {
      this.worker = new Worker(new URL('./training.worker.ts', import.meta.url), { type: 'module' });
      this.worker.onmessage = (e: MessageEvent<FromWorker>) => this.onMessage(e.data);
      // A worker that threw may be in any state: end it, so the next message starts a fresh one.
      this.worker.onerror = (e) => {
        this.worker?.terminate();
        this.worker = null;
        this.onMessage({ type: 'crashed', runId: -1, message: `The training worker crashed: ${e.message}` });
      };
    }
    this.worker.postMessage(msg);
  }
}
