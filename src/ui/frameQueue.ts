// Charts redraw one at a time, each in its own task: recharts renders and commits a chart's SVG
// synchronously, and committing every chart in one go blocks the page for over 50 ms.
import { useEffect, useRef, useState } from 'react';
import { flushSync } from 'react-dom';

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
 * `value`, taken up in a later task of its own (after the components queued before it), and
 * always the newest one: updates that arrive while it waits are merged.
 */
export function useQueuedValue<T>(value: T): T {
  const [shown, setShown] = useState(value);
  const latest = useRef(value);
  const waiting = useRef(false);
  latest.current = value;
  useEffect(() => {
    if (waiting.current || Object.is(shown, value)) return;
    waiting.current = true;
    queue.push(() => {
      waiting.current = false;
      flushSync(() => setShown(latest.current));
    });
    schedule();
  }, [value, shown]);
  return shown;
}
