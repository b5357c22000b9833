import { expect, test } from 'vitest';
import { attentionFlops, embeddingFlops, epochFlops, layerNormFlops, lstmFlops, mlpCost } from '../src/engine/cost';

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

test('sequence-layer FLOP counts match hand counts', () => {
  // LSTM 3 → 5 over 4 steps: per step 2·4·5·(3+5) = 320, + 20 bias, + 29·5 = 145 → 485; × 4 = 1940.
  expect(lstmFlops(3, 5, 4)).toBe(1940);
  // Attention d = 6, T = 4, 2 heads: per token 2·4·36 = 288, + 2·2·4·6 = 96, + 5·2·4 = 40 → 424; × 4 = 1696.
  expect(attentionFlops(6, 4, 2)).toBe(1696);
  expect(layerNormFlops(6, 4)).toBe(192);
  expect(embeddingFlops(14, 8, 10)).toBe(2240);
});
