import type { FromWorker, ToWorker } from './protocol';

/** How often the page asks the worker whether it still answers. */
const PING_MS = 5_000;
/**
 * A worker that has not answered for this long is stuck (an endless loop, a hung device): it is
 * ended like a crashed one. Training yields between batches, so a live worker answers within one
 * batch; the memory budget keeps a batch far below this. (Tests may shorten it: `playgroundStallMs`.)
 */
const STALL_MS = (globalThis as { playgroundStallMs?: number }).playgroundStallMs ?? 60_000;

/** The UI side of the worker: one long-lived worker, typed messages both ways. */
export class TrainingWorkerClient {
  private worker: Worker | null = null;
  /** When the oldest ping still unanswered was sent (null: the worker has answered since). */
  private unansweredSince: number | null = null;
  private watchdog: ReturnType<typeof setInterval> | null = null;

  constructor(private onMessage: (msg: FromWorker) => void) {}

  send(msg: ToWorker): void {
    if (!this.worker) {
      this.worker = new Worker(new URL('./training.worker.ts', import.meta.url), { type: 'module' });
      this.unansweredSince = null;
      this.worker.onmessage = (e: MessageEvent<FromWorker>) => {
        this.unansweredSince = null;
        if (e.data.type !== 'pong') this.onMessage(e.data);
      };
      // A worker that threw may be in any state: end it, so the next message starts a fresh one.
      this.worker.onerror = (e) => this.fail(`The training worker crashed: ${e.message}`);
      this.watchdog ??= setInterval(() => this.check(), PING_MS);
    }
    this.worker.postMessage(msg);
  }

  /** End the worker (its backend stopped working); the next message starts a fresh one. */
  restart(): void {
    this.worker?.terminate();
    this.worker = null;
  }

  /** Timers of a hidden tab may run once a minute: only a ping left unanswered that long counts. */
  private check(): void {
    if (!this.worker) return;
    if (this.unansweredSince === null) {
      this.unansweredSince = performance.now();
      this.worker.postMessage({ type: 'ping' } satisfies ToWorker);
    } else if (performance.now() - this.unansweredSince > STALL_MS) {
      this.fail(`The training worker stopped answering for ${Math.round(STALL_MS / 1000)} s`);
    }
  }

  private fail(message: string): void {
    this.restart();
    this.onMessage({ type: 'crashed', runId: -1, message });
  }
}
