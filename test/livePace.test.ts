// Live mode: the training loop waits between epochs until the page has drawn the last one and a
// watchable interval has passed; Fast mode, a release (pause, stop) or a page that never answers
// does not hold it. The Trainer calls the wait between epochs only, outside their timing.
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { DRAWN_TIMEOUT_MS, LIVE_EPOCH_MS, LivePace } from '../src/worker/livePace';
import { activateBackend } from '../src/engine/backend';
import { Trainer } from '../src/engine/trainer';
import { defaultSpec } from '../src/spec';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Whether the promise has settled after the timers ran `ms` further. */
async function settledAfter(promise: Promise<void>, ms: number): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await vi.advanceTimersByTimeAsync(ms);
  return done;
}

test('Live: an epoch is let go once the page has drawn it, and no sooner than LIVE_EPOCH_MS after the one before', async () => {
  const pace = new LivePace(() => Date.now());
  const first = pace.afterEpoch(7, 1);
  expect(await settledAfter(first, 200)).toBe(false); // not drawn yet
  pace.markDrawn(7, 1);
  expect(await settledAfter(first, 0)).toBe(true);
  // Drawn at once, but only a few ms after the first was let go: it waits out the interval.
  pace.markDrawn(7, 2);
  const second = pace.afterEpoch(7, 2);
  expect(await settledAfter(second, LIVE_EPOCH_MS - 10)).toBe(false);
  expect(await settledAfter(second, 10)).toBe(true);
  // Another run's drawing does not count for this one.
  const third = pace.afterEpoch(7, 3);
  pace.markDrawn(8, 3);
  expect(await settledAfter(third, LIVE_EPOCH_MS + 10)).toBe(false);
  pace.markDrawn(7, 3);
  expect(await settledAfter(third, 0)).toBe(true);
});

test('a page that never says it drew (a hidden tab) holds each epoch back at most DRAWN_TIMEOUT_MS', async () => {
  const pace = new LivePace(() => Date.now());
  const wait = pace.afterEpoch(1, 1);
  expect(await settledAfter(wait, DRAWN_TIMEOUT_MS - 5)).toBe(false);
  expect(await settledAfter(wait, 10)).toBe(true);
});

test('Fast mode does not wait; switching to Fast, pausing or stopping ends a wait at once', async () => {
  const pace = new LivePace(() => Date.now());
  pace.setLive(false);
  expect(await settledAfter(pace.afterEpoch(1, 1), 0)).toBe(true);
  pace.setLive(true);
  const waiting = pace.afterEpoch(1, 2);
  expect(await settledAfter(waiting, 10)).toBe(false);
  pace.setLive(false);
  expect(await settledAfter(waiting, 0)).toBe(true);
  pace.setLive(true);
  const released = pace.afterEpoch(1, 3);
  expect(await settledAfter(released, 10)).toBe(false);
  pace.release();
  expect(await settledAfter(released, 0)).toBe(true);
});

test('the trainer waits between epochs only (not after the last), and reports every epoch', async () => {
  vi.useRealTimers();
  await activateBackend('cpu');
  const spec = defaultSpec();
  spec.training.epochs = 4;
  const between: number[] = [];
  const reported: number[] = [];
  const status = await new Trainer(spec, {
    onEpoch: (m) => reported.push(m.epoch),
    betweenEpochs: async (epoch) => {
      // The epoch it follows has been reported before the wait.
      expect(reported.at(-1)).toBe(epoch);
      between.push(epoch);
    },
  }).run();
  expect(status).toBe('completed');
  expect(reported).toEqual([1, 2, 3, 4]);
  expect(between).toEqual([1, 2, 3]);
});
