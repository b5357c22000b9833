// A kept sweep is untrusted input: only a grid the Sweep panel could have made, with one cell for
// each of its points, is shown; anything else is set aside (see sweepStore.ts).
import { expect, test } from 'vitest';
import { checkSweep } from '../src/state/sweepStore';
import { SWEEP_LIMITS } from '../src/experiment';

const axes = [
  { param: 'learningRate', values: [0.01, 0.1] },
  { param: 'batchSize', values: [16, 32, 64] },
];
const cells = [0, 1].flatMap((i) => [0, 1, 2].map((j) => ({ i, j, label: `cell ${i},${j}`, runId: 10 + 3 * i + j })));
const good = { id: 1733500000000, number: 2, axes, cells };

test('a whole grid is kept as it was', () => {
  expect(checkSweep(good)).toEqual(good);
  // One axis: one column of cells. Sweeps kept before they had a number are named by their id.
  const single = { id: 3, axes: [axes[0]], cells: cells.filter((c) => c.j === 0) };
  expect(checkSweep(single)).toEqual({ ...single, number: 3 });
});

test.each([
  ['cells that do not cover the grid', { ...good, cells: [] }],
  ['a cell missing', { ...good, cells: cells.slice(1) }],
  ['a cell twice', { ...good, cells: [...cells.slice(1), cells[1]] }],
  ['a cell off the grid', { ...good, cells: [...cells.slice(1), { ...cells[0], j: 3 }] }],
  [
    'a 300 × 300 grid',
    { ...good, axes: axes.map((a) => ({ ...a, values: Array.from({ length: 300 }, (_, k) => k + 1) })) },
  ],
  [
    'more cells than the panel makes',
    {
      ...good,
      axes: axes.map((a) => ({ ...a, values: Array.from({ length: SWEEP_LIMITS.values }, (_, k) => k + 1) })),
    },
  ],
  ['three axes', { ...good, axes: [...axes, axes[0]] }],
  ['an unknown parameter', { ...good, axes: [{ ...axes[0], param: 'colour' }, axes[1]] }],
  ['a value that is not a number', { ...good, axes: [{ ...axes[0], values: [0.1, 'x'] }, axes[1]] }],
  ['an id that is not a whole number', { ...good, id: 1.5 }],
  ['a run id that is not one', { ...good, cells: [{ ...cells[0], runId: '7' }, ...cells.slice(1)] }],
  ['nothing', null],
])('%s is not shown', (_, raw) => {
  expect(checkSweep(raw)).toBeNull();
});
