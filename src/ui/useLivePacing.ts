import { useEffect } from 'react';
import { executingRun, useRunStore } from '../state/runStore';
import { useViewStore } from '../state/viewStore';
import { afterQueuedDraws, drawEveryValue } from './frameQueue';

/**
 * Live mode: the charts draw every value, and the worker is told when each epoch of the run in
 * progress has reached the screen, so it trains the next one only then (see worker/livePace.ts).
 */
export function useLivePacing(): void {
  const live = useViewStore((s) => s.speed === 'live');
  const setLive = useRunStore((s) => s.setLive);
  const drawn = useRunStore((s) => s.drawn);
  const progress = useRunStore((s) => {
    const run = executingRun(s);
    return run ? `${run.id}:${run.epochs.length}` : '';
  });
  useEffect(() => {
    drawEveryValue(live);
    setLive(live);
  }, [live, setLive]);
  useEffect(() => {
    if (!live || !progress) return;
    const [id, epoch] = progress.split(':').map(Number);
    if (epoch > 0) afterQueuedDraws(() => drawn(id, epoch));
  }, [live, progress, drawn]);
}
