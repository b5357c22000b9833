// Sweeps: the grid's cells are the experiment with the axes' values set, each validated.
import { expect, test } from 'vitest';
import { defaultModel, defaultSpec, mlpOf, parseSweepValues, planSweep, validateSpec } from '../src/experiment';

test('a 3 × 2 grid of learning rate × width: every cell set, named and valid, row by row', () => {
  const plan = planSweep(defaultSpec(), [
    { param: 'learningRate', values: [0.001, 0.01, 0.1] },
    { param: 'width', values: [4, 16] },
  ]);
  if (!plan.ok) throw new Error(plan.error);
  expect(plan.cells.map((c) => [c.i, c.j, c.label])).toEqual([
    [0, 0, 'lr 0.001 · width 4'],
    [0, 1, 'lr 0.001 · width 16'],
    [1, 0, 'lr 0.01 · width 4'],
    [1, 1, 'lr 0.01 · width 16'],
    [2, 0, 'lr 0.1 · width 4'],
    [2, 1, 'lr 0.1 · width 16'],
  ]);
  const last = plan.cells[5].spec;
  expect(last.training.optimizer.learningRate).toBe(0.1);
  expect(mlpOf(last).hidden.map((l) => l.units)).toEqual([16, 16]);
  for (const c of plan.cells) expect(validateSpec(c.spec).ok).toBe(true);
});

test('depth grows a model by copies of its last layer, and reaches a transformer’s blocks', () => {
  const plan = planSweep(defaultSpec(), [{ param: 'depth', values: [0, 3] }]);
  if (!plan.ok) throw new Error(plan.error);
  expect(plan.cells.map((c) => mlpOf(c.spec).hidden.length)).toEqual([0, 3]);
  const t = {
    ...defaultSpec(),
    dataset: { ...defaultSpec().dataset, kind: 'names' as const },
    model: defaultModel('transformer'),
  };
  const blocks = planSweep(t, [{ param: 'depth', values: [1, 4] }]);
  expect(blocks.ok && blocks.cells.map((c) => c.spec.model.kind === 'transformer' && c.spec.model.layers)).toEqual([
    1, 4,
  ]);
});

test('a cell the model cannot take is named before anything trains', () => {
  const t = {
    ...defaultSpec(),
    dataset: { ...defaultSpec().dataset, kind: 'names' as const },
    model: defaultModel('transformer'),
  };
  expect(planSweep(t, [{ param: 'width', values: [64, 30] }])).toEqual({
    ok: false,
    error: expect.stringMatching(/^Sweep cell width 30: Heads: must divide dModel \(30\) evenly/),
  });
  expect(planSweep(defaultSpec(), [{ param: 'depth', values: [9] }])).toEqual({
    ok: false,
    error: expect.stringMatching(/^Sweep cell depth 9: Hidden layers: must be a list of at most 8 layers/),
  });
  expect(planSweep(defaultSpec(), [{ param: 'batchSize', values: [16.5] }])).toEqual({
    ok: false,
    error: 'Sweep · Batch size: whole numbers only.',
  });
  expect(
    planSweep(defaultSpec(), [
      { param: 'seed', values: [1, 2, 3, 4, 5, 6, 7] },
      { param: 'learningRate', values: [1, 2, 3, 4, 5, 6] },
    ]),
  ).toEqual({ ok: false, error: 'Sweep: at most 36 runs (7 × 6 asked).' });
  expect(parseSweepValues('0.1, 0.01 1e-3')).toEqual([0.1, 0.01, 0.001]);
  expect(parseSweepValues('0.1, fast')).toBeNull();
});

test('a CNN sweeps its filters (width), its layers (depth) and its dropout; a depth that shrinks the digits away is named', () => {
  const spec = defaultSpec();
  spec.dataset = { ...spec.dataset, kind: 'mnist', samples: 3000 };
  spec.model = defaultModel('cnn');
  const plan = planSweep(spec, [
    { param: 'width', values: [4, 12] },
    { param: 'dropout', values: [0, 0.2] },
  ]);
  if (!plan.ok) throw new Error(plan.error);
  const last = plan.cells[3].spec.model;
  if (last.kind !== 'cnn') throw new Error('not a CNN');
  expect(last.layers.map((l) => (l.kind === 'pool' ? 'pool' : `${l.filters}`))).toEqual(['12', 'pool', '12', 'pool']);
  expect(last.layers.map((l) => (l.kind === 'conv' ? l.dropout : null))).toEqual([0.2, null, 0.2, null]);
  expect(last.dense.map((d) => d.dropout)).toEqual([0.2]);
  for (const c of plan.cells) expect(validateSpec(c.spec).ok).toBe(true);
  // Depth 6 adds two more 2×2 poolings (7 → 3 → 1); depth 8 adds a third, which gets 1×1 maps.
  expect(planSweep(spec, [{ param: 'depth', values: [6] }]).ok).toBe(true);
  const tooDeep = planSweep(spec, [{ param: 'depth', values: [8] }]);
  expect(tooDeep.ok ? '' : tooDeep.error).toMatch(
    /^Sweep cell depth 8: Pool 7: is too much: layer 7 \(max pool 2×2\) gets 1×1 images/,
  );
});
