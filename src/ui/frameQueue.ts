// Charts mount and redraw one at a time, each in a task of its own, and each redraws at most every
// REDRAW_INTERVAL_MS in Fast mode: recharts renders and commits a chart's SVG synchronously (mounting one took
// 50–100 ms on a slow machine while training, redrawing one 15–30 ms), so doing it for every chart
// in one go, or on every epoch of a fast run, blocks the page.
import { useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';

/**
 * In Fast mode a chart shows new data at most this often (epochs of small models come many times
 * a second); in Live mode the worker waits for each epoch to be drawn, so every one is.
 */
export const REDRAW_INTERVAL_MS = 500;
let redrawIntervalMs = REDRAW_INTERVAL_MS;

/** Live mode draws every epoch (0), Fast at most every REDRAW_INTERVAL_MS. */
export function drawEveryValue(every: boolean): void {
  redrawIntervalMs = every ? 0 : REDRAW_INTERVAL_MS;
}

/** Call `done` once the draws queued now have run, after the browser painted (Live mode's "drawn"). */
export function afterQueuedDraws(done: () => void): void {
  const last = () => {
    queue.push(done);
    schedule();
  };
  // A hidden page paints nothing (requestAnimationFrame waits until it is shown): say so at once.
  if (typeof document !== 'undefined' && document.hidden) last();
  else requestAnimationFrame(() => setTimeout(last, 0));
}

const queue: (() => void)[] = [];
let scheduled = false;

function pump(): void {
  scheduled = false;
  queue.shift()?.();
  if (queue.length) schedule();
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setTimeout(pump, 0);
}

/**
 * `initial` on the first render, then `value`, taken up in a later task of its own (after the
 * components queued before it), at most every REDRAW_INTERVAL_MS, and always the newest one:
 * updates that arrive while it waits are merged. A new `urgentKey` (e.g. a run's status) skips
 * the wait, so a chart never lags what the status says ("Finished", "Paused").
 */
export function useQueuedValue<T>(value: T, initial: T, urgentKey?: string): T {
  const [shown, setShown] = useState(initial);
  const latest = useRef(value);
  const waiting = useRef(false);
  const lastShown = useRef(0);
  const shownKey = useRef(urgentKey);
  useEffect(() => {
    latest.current = value;
    if (waiting.current || Object.is(shown, value)) return;
    waiting.current = true;
    const enqueue = () => {
      queue.push(() => {
        waiting.current = false;
        lastShown.current = performance.now();
        flushSync(() => setShown(latest.current));
      });
      schedule();
    };
    const urgent = urgentKey !== shownKey.current;
    shownKey.current = urgentKey;
    const wait = urgent ? 0 : lastShown.current + redrawIntervalMs - performance.now();
    if (wait > 0) setTimeout(enqueue, wait);
    else enqueue();
  }, [value, shown, urgentKey]);
  return shown;
}
