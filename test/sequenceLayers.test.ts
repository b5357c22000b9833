import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend';
import { lstmLayer } from '../src/engine/lstm';
import { gruLayer } from '../src/engine/gru';
import { rnnLayer } from '../src/engine/rnn';
import {
  alibiSlopes,
  causalMask,
  causalSelfAttention,
  layerNorm,
  rmsNorm,
  ropeTables,
  sinusoidalPositions,
  type AttentionOptions,
  type RopeTables,
} from '../src/engine/attention';
import { batchNormEval, batchNormTrain, updateRunningStatistics } from '../src/engine/batchNorm';
import { Rng } from '../src/data/rng';
import { buildTransformer, type TransformerModelSpec } from '../src/engine/sequenceModels';
import { TRANSFORMER_OPTION_DEFAULTS } from '../src/experiment';
import golden from './fixtures/sequence.json';
import { expectClose, gradsOf } from './helpers/reference';

beforeAll(async () => {
  await activateBackend('cpu');
});

/** Central finite differences of loss = Σ f·R for a few coordinates of one parameter. */
function finiteDifference(
  f: (p: Record<string, tf.Tensor>) => tf.Tensor,
  params: Record<string, tf.Tensor>,
  R: tf.Tensor,
  name: string,
  coords: number[],
  eps = 1e-2,
): number[] {
  return coords.map((k) =>
    tf.tidy(() => {
      const base = params[name].dataSync().slice();
      const at = (delta: number) => {
        const v = base.slice();
        v[k] += delta;
        return f({ ...params, [name]: tf.tensor(v, params[name].shape) })
          .mul(R)
          .sum()
          .dataSync()[0];
      };
      return (at(eps) - at(-eps)) / (2 * eps);
    }),
  );
}

const t = (values: number[], shape: number[]) => tf.tensor(values, shape);

/** Each recurrent cell against its PyTorch module: the weights' shapes, given gate blocks G. */
const cells = [
  {
    name: 'LSTM',
    module: 'nn.LSTM',
    g: golden.lstm,
    gates: 4,
    biases: { b: 4 },
    run: (p: Record<string, tf.Tensor>) =>
      lstmLayer(p.x as tf.Tensor3D, { wx: p.wx as tf.Tensor2D, wh: p.wh as tf.Tensor2D, b: p.b as tf.Tensor1D }),
  },
  {
    name: 'GRU',
    module: 'nn.GRU',
    g: golden.gru,
    gates: 3,
    biases: { bx: 3, bh: 3 },
    run: (p: Record<string, tf.Tensor>) =>
      gruLayer(p.x as tf.Tensor3D, {
        wx: p.wx as tf.Tensor2D,
        wh: p.wh as tf.Tensor2D,
        bx: p.bx as tf.Tensor1D,
        bh: p.bh as tf.Tensor1D,
      }),
  },
  {
    name: 'vanilla RNN',
    module: 'nn.RNN',
    g: golden.rnn,
    gates: 1,
    biases: { b: 1 },
    run: (p: Record<string, tf.Tensor>) =>
      rnnLayer(p.x as tf.Tensor3D, { wx: p.wx as tf.Tensor2D, wh: p.wh as tf.Tensor2D, b: p.b as tf.Tensor1D }),
  },
];

describe.each(cells)('the $name layer', ({ module, g, gates, biases, run }) => {
  const { batch, time, inputs, units } = g.shape;
  const values = g as unknown as Record<string, number[]>;
  const grads = g.grad as unknown as Record<string, number[]>;
  const names = ['x', 'wx', 'wh', ...Object.keys(biases)];
  const params = (): Record<string, tf.Tensor> => ({
    x: t(g.x, [batch, time, inputs]),
    wx: t(g.wx, [inputs, gates * units]),
    wh: t(g.wh, [units, gates * units]),
    ...Object.fromEntries(Object.entries(biases).map(([name, k]) => [name, t(values[name], [k * units])])),
  });

  test(`forward and backward agree with PyTorch’s ${module}`, async () => {
    const p = params();
    const R = t(g.R, [batch, time, units]);
    const { out, grads: ours } = await gradsOf(run, p, R);
    expectClose(out, g.out);
    for (const name of names) expectClose(ours[name], grads[name]);
    tf.dispose([...Object.values(p), R]);
  });

  test('gradients agree with finite differences', async () => {
    const p = params();
    const R = t(g.R, [batch, time, units]);
    const { grads: ours } = await gradsOf(run, p, R);
    for (const name of names) {
      const coords = [...new Set([0, 3, 7, p[name].size - 1].filter((k) => k < p[name].size))];
      const fd = finiteDifference(run, p, R, name, coords);
      coords.forEach((k, i) => expect(Math.abs(fd[i] - ours[name][k]), `${name}[${k}]`).toBeLessThan(2e-3));
    }
    tf.dispose([...Object.values(p), R]);
  });
});

/** An attention fixture's input and weights as tensors, by name. */
function attentionParams(g: typeof golden.attention | typeof golden.ropeAttention): Record<string, tf.Tensor> {
  const { batch, time, d } = g.shape;
  return {
    x: t(g.x, [batch, time, d]),
    wqkv: t(g.wqkv, [d, 3 * d]),
    bqkv: t(g.bqkv, [3 * d]),
    wo: t(g.wo, [d, d]),
    bo: t(g.bo, [d]),
  };
}

/** causalSelfAttention of those tensors. */
const attend = (p: Record<string, tf.Tensor>, heads: number, mask: tf.Tensor2D, options: AttentionOptions = {}) =>
  causalSelfAttention(
    p.x as tf.Tensor3D,
    { wqkv: p.wqkv as tf.Tensor2D, bqkv: p.bqkv as tf.Tensor1D, wo: p.wo as tf.Tensor2D, bo: p.bo as tf.Tensor1D },
    heads,
    mask,
    options,
  );

describe('causal multi-head self-attention', () => {
  const g = golden.attention;
  const { batch, time, d, heads } = g.shape;
  const params = () => attentionParams(g);
  let mask: tf.Tensor2D;
  beforeAll(() => {
    mask = causalMask(time);
  });
  const f = (p: Record<string, tf.Tensor>) => attend(p, heads, mask).out;

  test('forward, attention weights and backward agree with PyTorch’s nn.MultiheadAttention', async () => {
    const p = params();
    const R = t(g.R, [batch, time, d]);
    const { out, grads } = await gradsOf(f, p, R);
    expectClose(out, g.out);
    const weights = tf.tidy(() => attend(p, heads, mask).weights.dataSync());
    expectClose(weights, g.weights);
    // Causal: no weight on later positions.
    for (let q = 0; q < time; q++) for (let k = q + 1; k < time; k++) expect(weights[q * time + k]).toBeLessThan(1e-6);
    for (const name of ['x', 'wqkv', 'bqkv', 'wo', 'bo'] as const) expectClose(grads[name], g.grad[name]);
    tf.dispose([...Object.values(p), R]);
  });

  test('gradients agree with finite differences', async () => {
    const p = params();
    const R = t(g.R, [batch, time, d]);
    const { grads } = await gradsOf(f, p, R);
    const rng = new Rng(1);
    for (const name of ['wqkv', 'bqkv', 'wo', 'x']) {
      const size = p[name].size;
      const coords = Array.from({ length: 4 }, () => Math.floor(rng.next() * size));
      const fd = finiteDifference(f, p, R, name, coords);
      coords.forEach((k, i) => expect(Math.abs(fd[i] - grads[name][k]), `${name}[${k}]`).toBeLessThan(2e-3));
    }
    tf.dispose([...Object.values(p), R]);
  });
});

test('layer norm agrees with PyTorch', async () => {
  const g = golden.layerNorm;
  const p = { x: t(g.x, [3, 6]), gamma: t(g.gamma, [6]), beta: t(g.beta, [6]) };
  const R = t(g.R, [3, 6]);
  const { out, grads } = await gradsOf((q) => layerNorm(q.x, q.gamma as tf.Tensor1D, q.beta as tf.Tensor1D), p, R);
  expectClose(out, g.out);
  for (const name of ['x', 'gamma', 'beta'] as const) expectClose(grads[name], g.grad[name]);
  tf.dispose([...Object.values(p), R]);
});

test('batch norm agrees with PyTorch’s BatchNorm1d: training pass, gradients, running statistics, evaluation', async () => {
  const g = golden.batchNorm;
  const [n, units] = [5, 6];
  const p = { x: t(g.x, [n, units]), gamma: t(g.gamma, [units]), beta: t(g.beta, [units]) };
  const R = t(g.R, [n, units]);
  const runningMean = tf.variable(t(g.start.runningMean, [units]), false);
  const runningVar = tf.variable(t(g.start.runningVar, [units]), false);
  const params = (q: Record<string, tf.Tensor>) => ({
    gain: q.gamma as tf.Variable,
    bias: q.beta as tf.Variable,
    runningMean,
    runningVar,
  });
  const train = (q: Record<string, tf.Tensor>) => batchNormTrain(q.x as tf.Tensor2D, params(q)).out;
  const { out, grads } = await gradsOf(train, p, R);
  expectClose(out, g.out);
  for (const name of ['x', 'gamma', 'beta'] as const) expectClose(grads[name], g.grad[name]);
  tf.tidy(() => updateRunningStatistics(params(p), batchNormTrain(p.x as tf.Tensor2D, params(p)).stats));
  expectClose(runningMean.dataSync(), g.runningMean);
  expectClose(runningVar.dataSync(), g.runningVar);
  const evaluated = tf.tidy(() => batchNormEval(t(g.xEval, [3, units]) as tf.Tensor2D, params(p)).dataSync());
  expectClose(evaluated, g.outEval);
  tf.dispose([...Object.values(p), R, runningMean, runningVar]);
});

test('ALiBi’s slopes are the paper’s: 2^(−8h/H) for 8 heads; for 6, the 4 heads’ then every other of the 8 heads’', () => {
  expect(alibiSlopes(8)).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((h) => 2 ** -h));
  expect(alibiSlopes(6)).toEqual([2, 4, 6, 8, 1, 3].map((h) => 2 ** -h));
  expect(alibiSlopes(1)).toEqual([2 ** -8]);
});

/** Each option of the transformer at least once, in a whole model the fixture script builds from the papers. */
const wholeTransformers = golden.transformers.map((g) => {
  const m = g.model as Pick<
    TransformerModelSpec,
    'layers' | 'dModel' | 'heads' | 'position' | 'norm' | 'normPlacement' | 'mlpActivation' | 'tiedEmbeddings'
  >;
  const label = `${m.position} positions, ${m.normPlacement}-norm ${m.norm}, ${m.mlpActivation}${m.tiedEmbeddings ? ', tied' : ''}`;
  return [label, { ...g, model: m }] as const;
});

test.each(wholeTransformers)(
  'a whole transformer (%s) agrees with the fixture script’s PyTorch reference: logits and every gradient',
  (_, g) => {
    const before = tf.memory().numTensors;
    const { batch, time, vocab } = g.shape;
    const model = buildTransformer(
      { ...TRANSFORMER_OPTION_DEFAULTS, ...g.model, dropout: 0, attentionDropout: 0, vocab, contextLength: time },
      1,
    );
    const params = g.params as Record<string, number[] | undefined>;
    const expectedGrads = g.grad as Record<string, number[] | undefined>;
    expect([...model.names].sort()).toEqual(Object.keys(params).sort());
    model.variables.forEach((v, i) => tf.tidy(() => v.assign(tf.tensor(params[model.names[i]]!, v.shape))));
    const tokens = tf.tensor2d(g.tokens, [batch, time], 'int32');
    const R = t(g.R, [batch, time, vocab]);
    const logits = tf.tidy(() => model.forward(tokens).dataSync());
    expectClose(logits, g.logits);
    const { value, grads } = tf.variableGrads(() => model.forward(tokens).mul(R).sum(), model.variables);
    model.variables.forEach((v, i) => expectClose(grads[v.name].dataSync(), expectedGrads[model.names[i]]!));
    tf.dispose([value, ...Object.values(grads), tokens, R]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  },
);

test('RMS norm agrees with the fixture script’s PyTorch reference', async () => {
  const g = golden.rmsNorm;
  const p = { x: t(g.x, [3, 6]), gamma: t(g.gamma, [6]) };
  const R = t(g.R, [3, 6]);
  const { out, grads } = await gradsOf((q) => rmsNorm(q.x, q.gamma as tf.Tensor1D), p, R);
  expectClose(out, g.out);
  for (const name of ['x', 'gamma'] as const) expectClose(grads[name], g.grad[name]);
  tf.dispose([...Object.values(p), R]);
});

describe('causal attention with rotary positions (RoPE)', () => {
  const g = golden.ropeAttention;
  const { batch, time, d, heads } = g.shape;
  const params = () => attentionParams(g);
  const run = (p: Record<string, tf.Tensor>, mask: tf.Tensor2D, rope: RopeTables) => attend(p, heads, mask, { rope });

  test('forward, weights and backward agree with the fixture script’s PyTorch reference', async () => {
    const p = params();
    const R = t(g.R, [batch, time, d]);
    const mask = causalMask(time);
    const rope = ropeTables(time, d / heads);
    const { out, grads } = await gradsOf((q) => run(q, mask, rope).out, p, R);
    expectClose(out, g.out);
    expectClose(
      tf.tidy(() => run(p, mask, rope).weights.dataSync()),
      g.weights,
    );
    for (const name of ['x', 'wqkv', 'bqkv', 'wo', 'bo'] as const) expectClose(grads[name], g.grad[name]);
    tf.dispose([...Object.values(p), R, mask, rope.cos, rope.sin]);
  });

  test('the tables make scores depend on relative position only: q at m, k at n as at m + 3, n + 3', () => {
    const dh = 4;
    const rope = ropeTables(8, dh);
    const [cos, sin] = [rope.cos.dataSync(), rope.sin.dataSync()];
    const rotated = (v: number[], p: number) =>
      v.map((x, j) => x * cos[p * dh + j] + (j < dh / 2 ? -v[j + dh / 2] : v[j - dh / 2]) * sin[p * dh + j]);
    const dot = (a: number[], b: number[]) => a.reduce((s, x, j) => s + x * b[j], 0);
    const q = [0.3, -1.2, 0.7, 0.5];
    const k = [1.1, 0.4, -0.6, 0.9];
    const score = (m: number, n: number) => dot(rotated(q, m), rotated(k, n));
    expect(score(4, 1)).toBeCloseTo(score(7, 4), 5);
    expect(score(2, 2)).toBeCloseTo(dot(q, k), 5); // no turn at distance 0
    expect(Math.abs(score(4, 1) - score(4, 2))).toBeGreaterThan(1e-3); // but distance matters
    tf.dispose([rope.cos, rope.sin]);
  });
});

test('sinusoidal positions follow sin(p / 10000^(2i/d)) and cos(p / 10000^(2i/d))', () => {
  const pe = sinusoidalPositions(3, 6);
  expect(pe[0 * 6 + 0]).toBe(0);
  expect(pe[0 * 6 + 1]).toBe(1);
  expect(pe[2 * 6 + 2]).toBeCloseTo(Math.sin(2 / 10000 ** (2 / 6)), 6);
  expect(pe[2 * 6 + 5]).toBeCloseTo(Math.cos(2 / 10000 ** (4 / 6)), 6);
});
