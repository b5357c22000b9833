// Epochs on their way to the charts: Live lands each at once, Fast keeps them for one redraw.
import { expect, test } from 'vitest';
import { EpochBuffer } from '../src/state/epochBuffer';
import type { Run } from '../src/state/runTypes';
import type { EpochMetrics } from '../src/engine/types';

const run = (id: number) => ({ id, epochs: [], views: {}, samples: [], progress: { epoch: 1 } }) as unknown as Run;
const epoch = (n: number) => ({ epoch: n }) as EpochMetrics;

test('Live lands every epoch at once; Fast keeps them until a flush, then lands them together on their runs', () => {
  let runs = [run(1), run(2)];
  let landings = 0;
  const buffer = new EpochBuffer((change) => {
    landings++;
    runs = runs.map(change);
  });
  buffer.add(1, epoch(1), {});
  expect(landings).toBe(1);
  expect(runs[0].epochs.map((e) => e.epoch)).toEqual([1]);
  expect(runs[0].progress).toBeNull();
  buffer.live = false;
  buffer.add(1, epoch(2), {});
  buffer.add(2, epoch(1), { sample: { epoch: 1, text: 'ab', temperature: 1, topK: 0, topP: 1 } });
  buffer.add(1, epoch(3), {});
  expect(landings).toBe(1);
  buffer.drop(2);
  buffer.flush();
  expect(landings).toBe(2);
  expect(runs[0].epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
  expect(runs[1].epochs).toEqual([]);
  buffer.flush(); // nothing waits: nothing lands
  expect(landings).toBe(2);
});
