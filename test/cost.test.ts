import { expect, test } from 'vitest';
import { epochFlops, mlpCost } from '../src/engine/cost';

test('MLP parameter and FLOP counts match a hand count', () => {
  // 2 → 3 (relu) → 1: dense 1 has 2·3 + 3 = 9 params and 2·2·3 + 3 + 1·3 = 18 FLOPs;
  // output has 3 + 1 = 4 params and 2·3·1 + 1 + 5 (loss) = 12 FLOPs.
  const cost = mlpCost({ kind: 'mlp', hidden: [{ units: 3, activation: 'relu', dropout: 0 }] }, 2, 1);
  expect(cost.layers.map((l) => [l.name, l.params, l.forwardFlops])).toEqual([['dense 1', 9, 18], ['output', 4, 12]]);
  expect(cost.params).toBe(13);
  expect(cost.forwardFlops).toBe(30);
  // 10 steps of batch 4 with plain SGD: 10·(4·3·30 + 13·2) = 3860, plus 100 evaluated examples · 30.
  expect(epochFlops(cost, { batches: 10, batchSize: 4, evalExamples: 100, optimizer: 'sgd', extraPerParam: 0 }))
    .toBe(3860 + 3000);
});
