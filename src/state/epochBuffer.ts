// Epochs reach the page faster than it can redraw in Fast mode: they wait here and land in the
// store together, at most every FLUSH_MS. In Live mode each lands on its own (the worker waits
// for it to be drawn).
import type { EpochMetrics, EpochViews, TextSample } from '../engine/types';
import type { Run } from './runTypes';

/** Epochs can arrive faster than the page can redraw; charts take them at most this often. */
const FLUSH_MS = 200;
/** The text samples a run keeps (the newest). */
const MAX_SAMPLES = 200;

type Waiting = { metrics: EpochMetrics[]; views: EpochViews; samples: TextSample[] };

export class EpochBuffer {
  /** Live mode: every epoch drawn, paced to be watched (see worker/livePace.ts); else Fast. */
  live = true;
  private waiting = new Map<number, Waiting>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** `land`: put the waiting epochs into the store, given how each run changes. */
  constructor(private readonly land: (change: (r: Run) => Run) => void) {}

  add(runId: number, metrics: EpochMetrics, views: EpochViews): void {
    const w = this.waiting.get(runId) ?? { metrics: [], views: {}, samples: [] };
    w.metrics.push(metrics);
    w.views = { ...w.views, ...views };
    if (views.sample) w.samples.push(views.sample);
    this.waiting.set(runId, w);
    if (this.live) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  /** Land what waits now (before a status or test result that comes after those epochs). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.waiting;
    this.waiting = new Map();
    if (batch.size === 0) return;
    this.land((r) => {
      const w = batch.get(r.id);
      return w
        ? {
            ...r,
            epochs: [...r.epochs, ...w.metrics],
            progress: null,
            views: { ...r.views, ...w.views },
            samples: [...r.samples, ...w.samples].slice(-MAX_SAMPLES),
          }
        : r;
    });
  }

  /** A removed run's waiting epochs are dropped. */
  drop(runId: number): void {
    this.waiting.delete(runId);
  }
}
