// Live mode: the training loop waits between epochs until the page has drawn the last one and a
// watchable interval has passed; Fast mode, a release (pause, stop) or a page that never answers
// does not hold it. The Trainer calls the wait between epochs only, outside their timing.
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { DRAWN_TIMEOUT_MS, LIVE_EPOCH_MS, LivePace } from '../src/worker/livePace';
import { activateBackend } from '../src/engine/backend';
import { Trainer } from '../src/engine/trainer';
import { defaultSpec } from '../src/experiment';
import type { EpochMetrics } from '../src/engine/types';
import { batchPoints } from '../src/ui/Charts';
import { specFor } from './specFor';

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

const MLP = defaultSpec();
// A GRU keeps its batch losses on the device (the MLP's host path has them as numbers).
const GRU = specFor('reverse', { kind: 'lstm', cell: 'gru', embedding: 4, layers: [{ units: 4, dropout: 0 }] }, (s) => {
  s.dataset.samples = 500;
});

test.each([
  ['an MLP', MLP],
  ['a GRU', GRU],
])(
  "%s: a long epoch's batch losses can be read while it runs, the values the epoch reports, nothing leaked",
  async (_, base) => {
    vi.useRealTimers();
    await activateBackend('cpu');
    const spec = structuredClone(base);
    spec.training.epochs = 2;
    spec.training.batchSize = 32; // 13 batches an epoch
    const seen = new Map<number, number[]>();
    const reported = new Map<number, number[]>();
    let tensorsAt: number | null = null;
    const status = await new Trainer(spec, {
      onEpoch: (m) => reported.set(m.epoch, m.batchLosses),
      // As the worker does: every few batches, the losses since the last look.
      onProgress: async (epoch, batch, _batches, lossesFrom) => {
        if (batch % 4 !== 0) return;
        const before = tf.memory().numTensors;
        const had = seen.get(epoch) ?? [];
        seen.set(epoch, [...had, ...(await lossesFrom(had.length))]);
        expect(seen.get(epoch)).toHaveLength(batch);
        expect(tf.memory().numTensors).toBe(before);
        tensorsAt ??= before;
      },
    }).run();
    expect(status).toBe('completed');
    expect(tensorsAt).not.toBeNull();
    for (const epoch of [1, 2]) {
      const read = seen.get(epoch)!;
      expect(read).toHaveLength(12);
      expect(read).toEqual(reported.get(epoch)!.slice(0, 12));
    }
  },
);

test('the loss chart places the batch losses of the epoch in progress after the finished epochs', () => {
  const epoch = (n: number, losses: number[]) =>
    ({ epoch: n, step: n * losses.length, batchLosses: losses }) as unknown as EpochMetrics;
  const done = [epoch(1, [4, 3])];
  const progress = { epoch: 2, batch: 3, batches: 4, ms: 300, losses: [2.5, 2, 1.5] };
  expect(batchPoints(done, 'epoch', progress)).toEqual([
    { x: 0.5, y: 4 },
    { x: 1, y: 3 },
    { x: 1.25, y: 2.5 },
    { x: 1.5, y: 2 },
    { x: 1.75, y: 1.5 },
  ]);
  expect(batchPoints(done, 'step', progress).map((p) => p.x)).toEqual([1, 2, 3, 4, 5]);
  // Progress left over from an epoch already reported adds nothing.
  expect(batchPoints([...done, epoch(2, [2, 2, 2, 2])], 'epoch', progress)).toHaveLength(6);
});

test("a long run's batch losses are averaged in equal groups per epoch, so the chart never computes millions of points", () => {
  const epochs = Array.from(
    { length: 100 },
    (_, k) =>
      ({
        epoch: k + 1,
        step: (k + 1) * 800,
        batchLosses: Array.from({ length: 800 }, (_, i) => k + i / 800),
      }) as unknown as EpochMetrics,
  );
  const points = batchPoints(epochs, 'epoch');
  expect(points).toHaveLength(100 * 40); // 4,000 points: 40 groups of 20 batches an epoch
  // Each point is its group's mean, placed at the group's last batch.
  expect(points[0].x).toBe(20 / 800);
  expect(points[0].y).toBeCloseTo(19 / 2 / 800, 12);
  expect(points[39].x).toBe(1);
  expect(points.at(-1)!.x).toBe(100);
  expect(batchPoints(epochs, 'step').at(-1)!.x).toBe(80_000);
});
