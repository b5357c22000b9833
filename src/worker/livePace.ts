// Live mode: the training loop waits between epochs until the page has drawn the last one and a
// watchable interval has passed, so every epoch's boundary, curves and graph reach the screen
// (TensorFlow Playground's feel). Fast mode trains as fast as the backend goes, and the page draws
// what it can. Plain TypeScript, no DOM: the worker owns one, the tests drive one in Node.

/** The shortest time between two epochs in Live mode: about 12 epochs a second. */
export const LIVE_EPOCH_MS = 80;
/**
 * The longest the loop waits for the page to say it drew an epoch: a page in a background tab
 * draws nothing, and a page that went away says nothing; training must not stall on either.
 */
export const DRAWN_TIMEOUT_MS = 1000;

type Wake = 'look again' | 'go';

export class LivePace {
  private live = true;
  /** The newest epoch the page has drawn, by run. */
  private drawn = new Map<number, number>();
  private lastEpochAt = -Infinity;
  private wake: ((why: Wake) => void) | null = null;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Live mode: the page draws every epoch, and the loss while a long one runs. */
  get isLive(): boolean {
    return this.live;
  }

  setLive(live: boolean): void {
    this.live = live;
    this.wakeUp('look again');
  }

  /** The page has drawn this run's epoch. */
  markDrawn(runId: number, epoch: number): void {
    this.drawn.set(runId, Math.max(epoch, this.drawn.get(runId) ?? 0));
    this.wakeUp('look again');
  }

  /** End any wait now (pause, step, stop). */
  release(): void {
    this.wakeUp('go');
  }

  /** A run has ended: forget what was drawn of it. */
  forget(runId: number): void {
    this.drawn.delete(runId);
  }

  private wakeUp(why: Wake): void {
    const w = this.wake;
    this.wake = null;
    w?.(why);
  }

  /**
   * After `epoch` was posted: in Live mode, resolves once the page has drawn it and LIVE_EPOCH_MS
   * have passed since the previous epoch was let go (waiting at most DRAWN_TIMEOUT_MS for the
   * drawing); at once in Fast mode, and on release().
   */
  async afterEpoch(runId: number, epoch: number): Promise<void> {
    const posted = this.now();
    while (this.live) {
      const t = this.now();
      const drawn = (this.drawn.get(runId) ?? 0) >= epoch || t - posted >= DRAWN_TIMEOUT_MS;
      const paced = t - this.lastEpochAt >= LIVE_EPOCH_MS;
      if (drawn && paced) break;
      const wait = drawn ? this.lastEpochAt + LIVE_EPOCH_MS - t : posted + DRAWN_TIMEOUT_MS - t;
      const why = await new Promise<Wake>((resolve) => {
        const timer = setTimeout(
          () => {
            this.wake = null;
            resolve('look again');
          },
          Math.max(1, wait),
        );
        this.wake = (w) => {
          clearTimeout(timer);
          resolve(w);
        };
      });
      if (why === 'go') break;
    }
    this.lastEpochAt = this.now();
  }
}
