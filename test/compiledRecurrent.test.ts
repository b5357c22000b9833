// The compiled WebGPU step of recurrent stacks (engine/compiled/recurrentStep.ts) against tfjs:
// each step's loss, gradients and updated weights against autodiff and the tf-op optimizer on the
// same backend, for the LSTM, GRU and vanilla RNN, tokens (with and without a target mask) and
// series, dropout, two layers, and shapes that do not fill a workgroup's tile.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend';
import { buildLstmModel, sequenceLoss, type LstmModelSpec } from '../src/engine/sequenceModels';
import { createOptimizer } from '../src/engine/optimizers';
import { CompiledRecurrentStep } from '../src/engine/compiled/recurrentStep';
import { compiledBuffersAlive } from '../src/engine/compiled/plan';
import type { Learner } from '../src/engine/learner';
import {
  datasetDefaults,
  defaultSpec,
  type ExperimentSpec,
  type ModelSpec,
  type OptimizerSpec,
} from '../src/experiment';
import { Rng } from '../src/data/rng';
import { Trainer } from '../src/engine/trainer';
import type { EpochMetrics } from '../src/engine/types';
import { expectSameSteps } from './helpers/compiledSteps';

beforeAll(async () => {
  expect((await activateBackend('webgpu')).active).toBe('webgpu');
});
afterAll(() => expect(compiledBuffersAlive()).toBe(0));

interface Case {
  name: string;
  model: LstmModelSpec;
  time: number;
  batch: number;
  masked?: boolean;
  optimizer?: Partial<OptimizerSpec>;
  penalty?: { l1: number; l2: number };
  clipNorm?: number;
}

const N = 40;

function dataFor(c: Case) {
  const rng = new Rng(11);
  const T = c.time;
  const order = tf.tensor1d(rng.permutation(N), 'int32');
  if (!c.model.vocab) {
    const x = Float32Array.from({ length: N * T }, () => rng.next() * 2 - 1);
    const y = Float32Array.from({ length: N }, () => rng.next() * 2 - 1);
    return { x: tf.tensor2d(x, [N, T]), y: tf.tensor1d(y), mask: null, order };
  }
  const V = c.model.vocab;
  const tokens = () => Int32Array.from({ length: N * T }, () => Math.floor(rng.next() * V));
  const mask = c.masked ? Float32Array.from({ length: N * T }, (_, i) => Number(i % T >= 2 || rng.next() < 0.3)) : null;
  return {
    x: tf.tensor2d(tokens(), [N, T], 'int32'),
    y: tf.tensor2d(tokens(), [N, T], 'int32'),
    mask: mask && tf.tensor2d(mask, [N, T]),
    order,
  };
}

async function compare(c: Case, steps = 3): Promise<void> {
  const { x, y, mask, order } = dataFor(c);
  const optimizerSpec = { ...defaultSpec().training.optimizer, learningRate: 0.05, ...c.optimizer };
  const penalty = c.penalty ?? { l1: 0, l2: 0 };
  const clipNorm = c.clipNorm ?? 0;
  const compiledModel = buildLstmModel(c.model, 5);
  const referenceModel = buildLstmModel(c.model, 5);
  const compiledOptimizer = createOptimizer(optimizerSpec, compiledModel.variables);
  const referenceOptimizer = createOptimizer(optimizerSpec, referenceModel.variables, { fused: false });
  const plan = new CompiledRecurrentStep(
    {
      model: compiledModel.recurrent!,
      x,
      y,
      mask,
      batch: c.batch,
      update: compiledOptimizer.perElement!,
      penalty,
      clipNorm,
    },
    N,
  );
  await plan.checked;
  expect(plan.failure).toBeNull();
  const reference = {
    variables: referenceModel.variables,
    groups: referenceModel.groups,
    batchLoss: (idx: tf.Tensor1D, dropoutSeed: () => number) => {
      const out = referenceModel.forward(x.gather(idx), dropoutSeed);
      if (!c.model.vocab) return out.reshape([-1]).sub(y.gather(idx)).square().mean() as tf.Scalar;
      return sequenceLoss(out, y.gather(idx) as tf.Tensor2D, mask ? (mask.gather(idx) as tf.Tensor2D) : undefined);
    },
  } as unknown as Learner;
  try {
    await expectSameSteps({
      name: c.name,
      plan,
      compiled: { variables: compiledModel.variables, optimizer: compiledOptimizer },
      reference: { learner: reference, optimizer: referenceOptimizer, names: referenceModel.names },
      order,
      rows: c.batch,
      total: N,
      stride: 13,
      steps,
      learningRate: optimizerSpec.learningRate,
      penalty,
      clipNorm,
    });
  } finally {
    plan.dispose();
    compiledOptimizer.dispose();
    referenceOptimizer.dispose();
    compiledModel.dispose();
    referenceModel.dispose();
    tf.dispose([x, y, order, ...(mask ? [mask] : [])]);
  }
}

const tokens = (cell: LstmModelSpec['cell'], layers: LstmModelSpec['layers']): LstmModelSpec => ({
  vocab: 7,
  embedding: 4,
  cell,
  layers,
});

const CASES: Case[] = [
  { name: 'LSTM 6 on tokens, Adam', model: tokens('lstm', [{ units: 6, dropout: 0 }]), time: 5, batch: 4 },
  {
    name: 'RNN 5 on tokens, momentum',
    model: tokens('rnn', [{ units: 5, dropout: 0 }]),
    time: 4,
    batch: 3,
    optimizer: { kind: 'momentum' },
  },
  {
    name: 'two LSTM layers (dropout 0.3 on the first), a target mask, L2 and clipping',
    model: tokens('lstm', [
      { units: 5, dropout: 0.3 },
      { units: 4, dropout: 0 },
    ]),
    time: 4,
    batch: 5,
    masked: true,
    penalty: { l1: 0, l2: 0.01 },
    clipNorm: 0.5,
  },
  {
    name: 'two GRU layers with dropout 0.2 on both, a target mask, L1, SGD',
    model: tokens('gru', [
      { units: 4, dropout: 0.2 },
      { units: 5, dropout: 0.2 },
    ]),
    time: 3,
    batch: 6,
    masked: true,
    penalty: { l1: 0.01, l2: 0 },
    optimizer: { kind: 'sgd', learningRate: 0.5 },
  },
  {
    name: 'shapes past a tile: LSTM 33 units, 9 sequences of 3',
    model: { vocab: 40, embedding: 17, cell: 'lstm', layers: [{ units: 33, dropout: 0 }] },
    time: 3,
    batch: 9,
  },
  {
    name: 'a series, two LSTM layers, the top with dropout 0.25, RMSprop',
    model: {
      vocab: null,
      embedding: 0,
      cell: 'lstm',
      layers: [
        { units: 5, dropout: 0 },
        { units: 3, dropout: 0.25 },
      ],
    },
    time: 5,
    batch: 4,
    optimizer: { kind: 'rmsprop', learningRate: 0.01 },
  },
];

for (const c of CASES)
  test(`compiled recurrent step equals tfjs autodiff and the tf-op optimizer: ${c.name}`, () => compare(c));

/** A small run: names (48 windows of 6 characters in batches of 16) or a sine mixture (series of 8), 3 epochs. */
function runSpec(model: ModelSpec, series = false): ExperimentSpec {
  const spec = defaultSpec();
  const kind = series ? 'sines' : 'names';
  spec.dataset = { ...spec.dataset, kind, ...datasetDefaults(kind), samples: 60, contextLength: series ? 8 : 6 };
  spec.model = model;
  spec.training.batchSize = 16;
  spec.training.epochs = 3;
  return spec;
}

const files = { text: readFileSync('datasets/names.txt', 'utf8') };

/** Each epoch's batch losses, training and validation loss, and each epoch's compiled dispatches per step. */
async function lossesOn(backend: 'cpu' | 'webgpu', spec: ExperimentSpec) {
  expect((await activateBackend(backend)).active).toBe(backend);
  const epochs: EpochMetrics[] = [];
  const before = tf.memory().numTensors;
  const status = await new Trainer(spec, { onEpoch: (m) => epochs.push(m) }, { files }).run();
  expect(status).toBe('completed');
  expect(tf.memory().numTensors).toBe(before);
  expect(compiledBuffersAlive()).toBe(0);
  return {
    figures: epochs.flatMap((m) => [...m.batchLosses, m.trainLoss, m.valLoss]),
    dispatches: epochs.map((m) => m.compiledDispatchesPerStep),
  };
}

for (const [name, model, series, perStep] of [
  [
    'two GRU layers, the first with dropout 0.2',
    {
      kind: 'lstm',
      cell: 'gru',
      embedding: 4,
      layers: [
        { units: 6, dropout: 0.2 },
        { units: 5, dropout: 0 },
      ],
    },
    false,
    // 2 per timestep and layer, 2 per layer, head, loss, head backward, embedding, update.
    2 * 2 * 6 + 2 * 2 + 5,
  ],
  // A series has no embedding: 2·8 + 2 + 4.
  [
    'a vanilla RNN forecasting a series',
    { kind: 'lstm', cell: 'rnn', embedding: 4, layers: [{ units: 6, dropout: 0 }] },
    true,
    22,
  ],
] as [string, ModelSpec, boolean, number][]) {
  test(`a whole run of ${name} on the compiled path has the cpu backend's losses to 1e-4`, async () => {
    const spec = runSpec(model, series);
    const cpu = await lossesOn('cpu', spec);
    expect(cpu.dispatches).toEqual([undefined, undefined, undefined]);
    const gpu = await lossesOn('webgpu', spec);
    expect(gpu.dispatches).toEqual([perStep, perStep, perStep]);
    expect(gpu.figures).toHaveLength(cpu.figures.length);
    gpu.figures.forEach((v, i) =>
      expect(Math.abs(v - cpu.figures[i]), `figure ${i}: ${v} vs ${cpu.figures[i]}`).toBeLessThanOrEqual(
        1e-4 * Math.abs(cpu.figures[i]),
      ),
    );
  });
}

test('10 start/stop cycles of an LSTM or GRU on the compiled path leave no tensors or GPU buffers', async () => {
  expect((await activateBackend('webgpu')).active).toBe('webgpu');
  const tensors = tf.memory().numTensors;
  for (let cycle = 0; cycle < 10; cycle++) {
    const spec = runSpec({
      kind: 'lstm',
      cell: cycle % 2 ? 'gru' : 'lstm',
      embedding: 4,
      layers: [{ units: 6, dropout: 0.1 }],
    });
    spec.training.epochs = 50;
    let batches = 0;
    const trainer = new Trainer(spec, { onBatch: () => batches++, onProgress: () => void batches++ }, { files });
    const done = trainer.run();
    while (batches < 2) await new Promise((r) => setTimeout(r, 5));
    trainer.stop();
    expect(await done).toBe('stopped');
    expect(tf.memory().numTensors).toBe(tensors);
    expect(compiledBuffersAlive()).toBe(0);
  }
});
