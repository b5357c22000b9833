import { expect, test } from 'vitest';
import {
  attentionFlops,
  embeddingFlops,
  epochFlops,
  layerEpochFlops,
  layerNormFlops,
  lstmCost,
  lstmFlops,
  mlpCost,
  transformerCost,
} from '../src/engine/cost';

test('MLP parameter and FLOP counts match a hand count', () => {
  // 2 → 3 (relu) → 1: dense 1 has 2·3 + 3 = 9 params and 2·2·3 + 3 + 1·3 = 18 FLOPs;
  // output has 3 + 1 = 4 params and 2·3·1 + 1 + 5 (loss) = 12 FLOPs.
  const cost = mlpCost({ kind: 'mlp', hidden: [{ units: 3, activation: 'relu', dropout: 0 }] }, 2, 1);
  expect(cost.layers.map((l) => [l.name, l.params, l.forwardFlops])).toEqual([
    ['dense 1', 9, 18],
    ['output', 4, 12],
  ]);
  expect(cost.params).toBe(13);
  expect(cost.forwardFlops).toBe(30);
  // 10 steps of batch 4 with plain SGD: 10·(4·3·30 + 13·2) = 3860, plus 100 evaluated examples · 30.
  expect(epochFlops(cost, { batches: 10, batchSize: 4, evalExamples: 100, optimizer: 'sgd', extraPerParam: 0 })).toBe(
    3860 + 3000,
  );
});

test('sequence-layer FLOP counts match hand counts', () => {
  // LSTM 3 → 5 over 4 steps: per step 2·4·5·(3+5) = 320, + 20 bias, + 29·5 = 145 → 485; × 4 = 1940.
  expect(lstmFlops(3, 5, 4)).toBe(1940);
  // Attention d = 6, T = 4, 2 heads: per token 2·4·36 = 288, + 2·2·4·6 = 96, + 5·2·4 = 40 → 424; × 4 = 1696.
  expect(attentionFlops(6, 4, 2)).toBe(1696);
  expect(layerNormFlops(6, 4)).toBe(192);
  expect(embeddingFlops(14, 8, 10)).toBe(2240);
});

test('LSTM and transformer layer costs match hand counts, backward is 2× forward', () => {
  // Vocabulary 4, embedding 2, one LSTM of 3 units, 2 steps.
  const lstm = lstmCost({ kind: 'lstm', embedding: 2, layers: [{ units: 3, dropout: 0 }] }, 4, 2);
  expect(lstm.layers.map((l) => [l.name, l.params, l.forwardFlops, l.backwardFlops])).toEqual([
    ['embedding', 8, 32, 64], // 4·2 params; 2 tokens · 2·4·2
    ['lstm 1', 72, 438, 876], // 4·3·(2+3+1); 2 · (2·4·3·5 + 12 + 29·3)
    ['head', 16, 96, 192], // 3·4+4; 2 steps · (2·3·4 + 4 + 5·4)
  ]);
  // A series LSTM has no embedding and forecasts once, from the last step.
  const series = lstmCost({ kind: 'lstm', embedding: 2, layers: [{ units: 3, dropout: 0 }] }, null, 2);
  expect(series.layers.map((l) => [l.name, l.params, l.forwardFlops])).toEqual([
    ['lstm 1', 60, 2 * (2 * 4 * 3 * 4 + 12 + 87)],
    ['head', 4, 6 + 1 + 5],
  ]);
  // Transformer d = 4, 1 block, 2 heads, vocabulary 5, 3 tokens.
  const t = transformerCost({ kind: 'transformer', layers: 1, dModel: 4, heads: 2, dropout: 0 }, 5, 3);
  expect(t.layers.map((l) => [l.name, l.params])).toEqual([
    ['embeddings', 5 * 4 + 3 * 4],
    ['block 1 attention', 4 * 16 + 6 * 4],
    ['block 1 MLP', 8 * 16 + 7 * 4],
    ['head', 2 * 4 + 4 * 5],
  ]);
  // Attention: layer norm 3·8·4 + attentionFlops(4, 3, 2) + biases 3·4·4 + residual 3·4.
  expect(t.layers[1].forwardFlops).toBe(96 + attentionFlops(4, 3, 2) + 48 + 12);
  expect(t.forwardFlops).toBe(t.layers.reduce((s, l) => s + l.forwardFlops, 0));
  // Per epoch: (forward + backward) per trained example, forward per evaluated one.
  expect(layerEpochFlops(t.layers[0], 10, 4)).toBe(10 * 3 * t.layers[0].forwardFlops + 4 * t.layers[0].forwardFlops);
});
