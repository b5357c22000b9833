// The cost model: hand counts for small layers, and, for each kind of model, the matmul FLOPs it
// claims for a training step against the matmul kernels that step actually runs (tf.profile).
import { beforeAll, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  epochFlops,
  layerEpochFlops,
  layerNormFlops,
  mlpCost,
  newtonSchulzFlops,
  recurrentCost,
  transformerCost,
} from '../src/engine/cost';
import { activateBackend } from '../src/engine/backend';
import { prepareLearner } from '../src/engine/prepareLearner';
import {
  TRANSFORMER_OPTION_DEFAULTS,
  MLP_OPTION_DEFAULTS,
  defaultModel,
  type ExperimentSpec,
  type ModelSpec,
} from '../src/experiment';
import { specFor } from './specFor';

beforeAll(async () => {
  await activateBackend('wasm');
});

test('MLP parameter and FLOP counts match a hand count; the first layer computes no input gradient', () => {
  // 2 → 3 (relu) → 1. Dense 1: 2·3 + 3 = 9 params; forward 2·2·3 + 3 (bias) + 3 (relu) = 18;
  // backward: the weight gradient 12, the bias gradient as 1ᵀ·dz 2·3, elementwise 2·6, and no
  // input gradient (its input is data) = 30. Output: 4 params; forward 2·3 + 1 + 5 (loss) = 12;
  // backward 2·6 (weights and input) + 2 (bias) + 2·6 = 26.
  const cost = mlpCost(
    { ...MLP_OPTION_DEFAULTS, kind: 'mlp', hidden: [{ units: 3, activation: 'relu', dropout: 0 }] },
    2,
    1,
  );
  expect(cost.layers.map((l) => [l.name, l.params, l.forwardFlops, l.backwardFlops])).toEqual([
    ['dense 1', 9, 18, 30],
    ['output', 4, 12, 26],
  ]);
  expect(cost.params).toBe(13);
  expect(cost.forwardFlops).toBe(30);
  expect(cost.backwardFlops).toBe(56);
  // 10 steps of batch 4 with plain SGD: 10·(4·(30 + 56) + 13·2) = 3700, plus 100 evaluated examples · 30.
  expect(epochFlops(cost, { batches: 10, batchSize: 4, evalExamples: 100, optimizer: 'sgd', extraPerParam: 0 })).toBe(
    3700 + 3000,
  );
  // Muon also orthogonalises the two matrices every step. 2×3 (m = 2, n = 3): five steps of
  // 4·m²·n + 2·m³ + 3·m² + 3·m·n = 94, plus 3·m·n to normalise: 488. 3×1: m = 1, n = 3: 5·(12 + 2 + 3 + 9) + 9 = 139.
  expect(cost.layers.map((l) => l.matrices)).toEqual([[[2, 3]], [[3, 1]]]);
  expect([newtonSchulzFlops([2, 3]), newtonSchulzFlops([3, 1])]).toEqual([488, 139]);
  const muon = epochFlops(cost, { batches: 10, batchSize: 4, evalExamples: 0, optimizer: 'muon', extraPerParam: 0 });
  expect(muon).toBe(10 * (4 * (30 + 56) + 13 * 12 + 488 + 139));
});

test('recurrent and transformer layer costs match hand counts', () => {
  // Vocabulary 4, embedding 2, one LSTM of 3 units, 2 steps.
  const lstm = recurrentCost({ kind: 'lstm', cell: 'lstm', embedding: 2, layers: [{ units: 3, dropout: 0 }] }, 4, 2);
  expect(lstm.layers.map((l) => [l.name, l.params, l.forwardFlops, l.backwardFlops])).toEqual([
    // 4·2 params; a gather: rows copied forward, added into the table backward (no FLOPs counted).
    ['embedding', 8, 0, 0],
    // 4·3·(2+3+1) params. Forward: projection 2·2·2·12 = 96, recurrence 2·2·3·12 = 144, elementwise
    // 2·(12 + 12 + 29·3) = 222. Backward: 2·96 + bias 2·2·12, 2·144, 2·222.
    ['lstm 1', 72, 462, 240 + 288 + 444],
    // 3·4+4 params. Forward: 2 steps · (2·3·4 + 4 + 5·4); backward 2·48 + bias 2·2·4 + 2·48.
    ['head', 16, 96, 208],
  ]);
  // A series LSTM has no embedding, reads the data (no input gradient) and forecasts once, from the last step.
  const series = recurrentCost(
    { kind: 'lstm', cell: 'lstm', embedding: 2, layers: [{ units: 3, dropout: 0 }] },
    null,
    2,
  );
  expect(series.layers.map((l) => [l.name, l.params, l.forwardFlops, l.backwardFlops])).toEqual([
    ['lstm 1', 60, 2 * 2 * 1 * 12 + 144 + 222, 48 + 2 * 2 * 12 + 288 + 444],
    ['head', 4, 6 + 1 + 5, 12 + 2 + 12],
  ]);
  // The GRU: 3 gate blocks and two biases, 3·3·(2+3+2) params. Forward: projection 2·2·2·9 = 72,
  // recurrence with its bias 2·2·3·9 = 108, elementwise 2·28·3 = 168. Backward: 2·72 + bias 2·2·9,
  // 2·108 + bias 2·2·9, 2·168.
  const gru = recurrentCost({ kind: 'lstm', cell: 'gru', embedding: 2, layers: [{ units: 3, dropout: 0 }] }, 4, 2);
  expect(gru.layers[1]).toMatchObject({ name: 'gru 1', params: 63, forwardFlops: 348, backwardFlops: 180 + 252 + 336 });
  // The RNN: 3·(2+3+1) params. Forward 2·2·2·3 = 24, 2·2·3·3 = 36, elementwise 2·7·3 = 42.
  const rnn = recurrentCost({ kind: 'lstm', cell: 'rnn', embedding: 2, layers: [{ units: 3, dropout: 0 }] }, 4, 2);
  expect(rnn.layers[1]).toMatchObject({
    name: 'rnn 1',
    params: 18,
    forwardFlops: 102,
    backwardFlops: 48 + 12 + 72 + 84,
  });
  // Transformer d = 4, 1 block, 2 heads, vocabulary 5, 3 tokens.
  const t = transformerCost(
    { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 1, dModel: 4, heads: 2, dropout: 0 },
    5,
    3,
  );
  expect(t.layers.map((l) => [l.name, l.params])).toEqual([
    ['embeddings', 5 * 4 + 3 * 4],
    ['block 1 attention', 4 * 16 + 6 * 4],
    ['block 1 MLP', 8 * 16 + 7 * 4],
    ['head', 2 * 4 + 4 * 5],
  ]);
  // Attention: layer norm 3·8·4; q, k, v and output projections 3·2·4·16; scores and mixing
  // 2·2·3·3·4; biases 3·4·4; scaling, mask and softmax 2·3·3·7; residual 3·4.
  expect(layerNormFlops(4, 3)).toBe(96);
  expect(t.layers[1].forwardFlops).toBe(96 + 384 + 144 + 48 + 126 + 12);
  expect(t.forwardFlops).toBe(t.layers.reduce((s, l) => s + l.forwardFlops, 0));
  // Per epoch: (forward + backward) per trained example, forward per evaluated one.
  const e = t.layers[0];
  expect(layerEpochFlops(e, 10, 4)).toBe(10 * (e.forwardFlops + e.backwardFlops) + 4 * e.forwardFlops);
});

/**
 * 2·m·n·k summed over the matmul kernels that run (tfjs' and, on wasm, our compiled one, whose
 * first operand may be stored transposed: k is its size over m either way): [batch, m, k] ×
 * [batch, k, n] → [batch, m, n].
 */
const MATMUL_KERNELS = ['BatchMatMul', '_FusedMatMul', 'PlaygroundMatMul'];
function executedMatMulFlops(kernels: { name: string; inputShapes: number[][]; outputShapes: number[][] }[]): number {
  let flops = 0;
  for (const k of kernels) {
    if (!MATMUL_KERNELS.includes(k.name)) continue;
    const out = k.outputShapes[0];
    const [m, n] = out.slice(-2);
    const batch = out.slice(0, -2).reduce((a, b) => a * b, 1);
    const a = k.inputShapes[0].reduce((x, y) => x * y, 1);
    flops += 2 * batch * m * n * (a / (batch * m));
  }
  return flops;
}

const names = 'anna.bob.carla.dmitri.eve.'.repeat(60);
const wide = { units: 48, activation: 'relu' as const, dropout: 0 };
const profiled: [string, ExperimentSpec][] = [
  [
    'MLP on spiral',
    specFor('spiral', { ...MLP_OPTION_DEFAULTS, kind: 'mlp', hidden: [wide, { ...wide, activation: 'tanh' }] }),
  ],
  [
    'MLP on spiral with LayerNorm and residual connections',
    specFor('spiral', {
      ...MLP_OPTION_DEFAULTS,
      kind: 'mlp',
      hidden: [wide, wide, wide],
      norm: 'layerNorm',
      residual: true,
    }),
  ],
  [
    // No bias before BatchNorm: the matmuls' backward pass has no bias sum.
    'MLP on spiral with BatchNorm',
    specFor('spiral', { ...MLP_OPTION_DEFAULTS, kind: 'mlp', hidden: [wide, wide], norm: 'batchNorm' }),
  ],
  [
    'MLP on a series (a wide first layer)',
    specFor('sines', { ...MLP_OPTION_DEFAULTS, kind: 'mlp', hidden: [wide] }, (s) => {
      s.dataset.contextLength = 64;
    }),
  ],
  [
    'LSTM on text, 2 layers',
    specFor('userText', {
      kind: 'lstm',
      cell: 'lstm',
      embedding: 16,
      layers: [
        { units: 24, dropout: 0 },
        { units: 16, dropout: 0 },
      ],
    }),
  ],
  ['LSTM on a series', specFor('mackeyGlass', defaultModel('lstm'))],
  [
    'GRU on text',
    specFor('userText', { kind: 'lstm', cell: 'gru', embedding: 8, layers: [{ units: 24, dropout: 0 }] }),
  ],
  [
    'vanilla RNN on a series, 2 layers',
    specFor('sines', {
      kind: 'lstm',
      cell: 'rnn',
      embedding: 8,
      layers: [
        { units: 16, dropout: 0 },
        { units: 8, dropout: 0 },
      ],
    }),
  ],
  ['transformer on a toy task', specFor('reverse', defaultModel('transformer'))],
  [
    'transformer with RoPE, RMSNorm, post-norm, SwiGLU and a tied head',
    specFor('reverse', {
      ...TRANSFORMER_OPTION_DEFAULTS,
      kind: 'transformer',
      layers: 2,
      dModel: 32,
      heads: 4,
      dropout: 0,
      position: 'rope',
      norm: 'rmsNorm',
      normPlacement: 'post',
      mlpActivation: 'swiglu',
      tiedEmbeddings: true,
    }),
  ],
  [
    'transformer with sinusoidal positions and ReLU',
    specFor('reverse', { ...defaultModel('transformer'), position: 'sinusoidal', mlpActivation: 'relu' } as ModelSpec),
  ],
];

test.each(profiled)('%s: the matmul FLOPs the cost model claims for a step are the ones that run', async (_, spec) => {
  const prepared = prepareLearner(spec, { files: { text: names } });
  const learner = prepared.make();
  const batch = spec.training.batchSize;
  const idx = tf.range(0, batch, 1, 'int32') as tf.Tensor1D;
  try {
    const step = () => {
      const { value, grads } = tf.variableGrads(() => learner.batchLoss(idx, () => 0), learner.variables);
      tf.dispose([value, ...Object.values(grads)]);
    };
    step(); // the transformer keeps its causal mask from the first step on
    const before = tf.memory().numTensors;
    const info = await tf.profile(step);
    expect(tf.memory().numTensors).toBe(before);
    const executed = executedMatMulFlops(info.kernels);
    const claimed =
      batch * prepared.cost.layers.reduce((s, l) => s + l.matmulFlops.forward + l.matmulFlops.backward, 0);
    expect(executed).toBeGreaterThan(0);
    expect(Math.abs(claimed / executed - 1)).toBeLessThan(0.02);
    expect(prepared.cost.params).toBe(learner.variables.reduce((s, v) => s + v.size, 0));
  } finally {
    idx.dispose();
    learner.dispose();
  }
});
