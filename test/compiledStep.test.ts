// The compiled WebGPU step (engine/compiled) against tfjs: each step's loss, gradients and updated
// weights against autodiff and the tf-op optimizer on the same backend, for every activation, loss
// and optimizer kind, L1/L2 and clipping, and shapes that do not fill a tile.
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend';
import { buildMlp } from '../src/engine/mlp';
import { createOptimizer } from '../src/engine/optimizers';
import { CompiledMlpStep, compiledMlpFits } from '../src/engine/compiled/mlpStep';
import { compiledBuffersAlive, compiledDispatches, forgetCompiledPipelines } from '../src/engine/compiled/plan';
import type { Learner } from '../src/engine/learner';
import { taskLoss, type Task } from '../src/engine/losses';
import {
  MLP_OPTION_DEFAULTS,
  defaultSpec,
  mlpOf,
  type Activation,
  type ExperimentSpec,
  type ClassificationLoss,
  type OptimizerSpec,
} from '../src/experiment';
import { Rng } from '../src/data/rng';
import { Trainer } from '../src/engine/trainer';
import type { EpochMetrics, TrainingCheckpoint } from '../src/engine/types';
import { simulateInternalsMismatch } from '../src/engine/kernels/tfjsInternals';
import { tunedMatMuls } from '../src/engine/kernels/matMulTuning';
import { expectSameSteps } from './helpers/compiledSteps';

beforeAll(async () => {
  expect((await activateBackend('webgpu')).active).toBe('webgpu');
});
afterAll(() => expect(compiledBuffersAlive()).toBe(0));

interface Case {
  name: string;
  widths: number[];
  activations: Activation[];
  task: Task;
  loss?: ClassificationLoss;
  rows: number;
  optimizer?: Partial<OptimizerSpec>;
  penalty?: { l1: number; l2: number };
  clipNorm?: number;
  /** Each hidden layer's dropout rate. */
  dropout?: number[];
  /** Residual connections where a hidden layer is as wide as the one before. */
  residual?: boolean;
}

const N = 150;

function dataFor(c: Case) {
  const rng = new Rng(7);
  const nIn = c.widths[0];
  const classes = c.widths[c.widths.length - 1];
  const x = Float32Array.from({ length: N * nIn }, () => rng.next() * 2 - 1);
  const y = Float32Array.from({ length: N }, () =>
    c.task === 'multiclass'
      ? Math.floor(rng.next() * classes)
      : c.task === 'binary'
        ? Number(rng.next() < 0.5)
        : rng.next() * 2 - 1,
  );
  return { x: tf.tensor2d(x, [N, nIn]), y: tf.tensor1d(y), order: tf.tensor1d(rng.permutation(N), 'int32') };
}

/** The same network twice (same seed, same first weights): one for each path. */
function mlpFor(c: Case) {
  const spec = {
    ...MLP_OPTION_DEFAULTS,
    kind: 'mlp' as const,
    residual: c.residual ?? false,
    hidden: c.activations.map((activation, i) => ({
      units: c.widths[i + 1],
      activation,
      dropout: c.dropout?.[i] ?? 0,
    })),
  };
  return buildMlp(spec, c.widths[0], c.widths[c.widths.length - 1], 3);
}

async function compare(c: Case, steps = 3): Promise<void> {
  const { x, y, order } = dataFor(c);
  const loss = c.loss ?? 'crossEntropy';
  const optimizerSpec = { ...defaultSpec().training.optimizer, learningRate: 0.05, ...c.optimizer };
  const penalty = c.penalty ?? { l1: 0, l2: 0 };
  const clipNorm = c.clipNorm ?? 0;
  const compiledMlp = mlpFor(c);
  const referenceMlp = mlpFor(c);
  const compiledOptimizer = createOptimizer(optimizerSpec, compiledMlp.variables);
  const referenceOptimizer = createOptimizer(optimizerSpec, referenceMlp.variables, { fused: false });
  const plan = new CompiledMlpStep(
    {
      layers: compiledMlp.withoutNorms!,
      x,
      y,
      rows: c.rows,
      task: c.task,
      loss,
      update: compiledOptimizer.perElement!,
      penalty,
      clipNorm,
    },
    N,
  );
  const reference = {
    variables: referenceMlp.variables,
    groups: referenceMlp.groups,
    batchLoss: (idx: tf.Tensor1D, dropoutSeed: () => number) =>
      taskLoss(c.task, referenceMlp.forward(x.gather(idx), dropoutSeed), y.gather(idx), loss),
  } as unknown as Learner;
  try {
    await expectSameSteps({
      name: c.name,
      plan,
      compiled: { variables: compiledMlp.variables, optimizer: compiledOptimizer },
      reference: { learner: reference, optimizer: referenceOptimizer, names: referenceMlp.names },
      order,
      rows: c.rows,
      total: N,
      stride: 37,
      steps,
      learningRate: optimizerSpec.learningRate,
      penalty,
      clipNorm,
    });
  } finally {
    plan.dispose();
    compiledOptimizer.dispose();
    referenceOptimizer.dispose();
    compiledMlp.dispose();
    referenceMlp.dispose();
    tf.dispose([x, y, order]);
  }
}

const CASES: Case[] = [
  {
    name: 'default-like tanh 2-8-8-1, binary, Adam',
    widths: [2, 8, 8, 1],
    activations: ['tanh', 'tanh'],
    task: 'binary',
    rows: 10,
  },
  {
    name: 'relu and sigmoid, 3 classes, SGD',
    widths: [3, 5, 4, 3],
    activations: ['relu', 'sigmoid'],
    task: 'multiclass',
    rows: 6,
    optimizer: { kind: 'sgd' },
  },
  {
    name: 'shapes past a tile (70-67-9, 130 rows), momentum',
    widths: [70, 67, 9],
    activations: ['gelu'],
    task: 'multiclass',
    rows: 130,
    optimizer: { kind: 'momentum' },
    dropout: [0.2],
  },
  {
    name: 'residual connections around tanh and sigmoid (one with dropout 0.2), Adam',
    widths: [3, 6, 6, 6, 2],
    activations: ['relu', 'tanh', 'sigmoid'],
    task: 'multiclass',
    rows: 9,
    residual: true,
    dropout: [0, 0.2, 0],
  },
  {
    name: 'dropout 0.3 and 0.5 after tanh and sigmoid, Adam',
    widths: [4, 8, 6, 3],
    activations: ['tanh', 'sigmoid'],
    task: 'multiclass',
    rows: 16,
    dropout: [0.3, 0.5],
  },
  {
    name: 'binary MSE, silu and leaky ReLU, Nesterov',
    widths: [4, 6, 5, 1],
    activations: ['silu', 'leakyRelu'],
    task: 'binary',
    loss: 'mse',
    rows: 12,
    optimizer: { kind: 'nesterov' },
  },
  {
    name: 'classes MSE, elu, RMSprop centered with momentum',
    widths: [5, 7, 4],
    activations: ['elu'],
    task: 'multiclass',
    loss: 'mse',
    rows: 9,
    optimizer: { kind: 'rmsprop', centered: true, rmspropMomentum: 0.5 },
  },
  {
    name: 'regression, linear hidden, Adagrad',
    widths: [3, 4, 1],
    activations: ['linear'],
    task: 'regression',
    rows: 8,
    optimizer: { kind: 'adagrad' },
  },
  {
    name: 'L1 and L2, AdamW decaying matrices only, AMSGrad',
    widths: [3, 6, 2],
    activations: ['relu'],
    task: 'multiclass',
    rows: 7,
    optimizer: { kind: 'adamw', amsgrad: true, weightDecay: 0.1, decayMatricesOnly: true },
    penalty: { l1: 0.01, l2: 0.02 },
  },
  {
    name: 'clipping (norm 0.05), Lion',
    widths: [3, 6, 1],
    activations: ['tanh'],
    task: 'binary',
    rows: 7,
    optimizer: { kind: 'lion', learningRate: 0.01 },
    clipNorm: 0.05,
  },
];

for (const c of CASES) test(`compiled step equals tfjs autodiff and the tf-op optimizer: ${c.name}`, () => compare(c));

test('a compiled step is 2L + 2 dispatches (one more with a penalty or clipping), in one submit', async () => {
  const c = CASES[0];
  const { x, y, order } = dataFor(c);
  const mlp = mlpFor(c);
  const optimizer = createOptimizer(defaultSpec().training.optimizer, mlp.variables);
  const made = (penalty: { l1: number; l2: number }) =>
    new CompiledMlpStep(
      {
        layers: mlp.withoutNorms!,
        x,
        y,
        rows: 10,
        task: 'binary',
        loss: 'crossEntropy',
        update: optimizer.perElement!,
        penalty,
        clipNorm: 0,
      },
      N,
    );
  const device = (tf.backend() as unknown as { device: GPUDevice }).device;
  const queue = device.queue;
  const submit = queue.submit.bind(queue);
  let submits = 0;
  queue.submit = (buffers: Iterable<GPUCommandBuffer>) => {
    submits++;
    submit(buffers);
  };
  try {
    for (const [penalty, dispatches] of [
      [{ l1: 0, l2: 0 }, 8],
      [{ l1: 0, l2: 1e-3 }, 9],
    ] as const) {
      const plan = made(penalty);
      try {
        tf.dispose(plan.step(order, 0, 0.01, 1, () => 1)); // the first also sends tfjs' uploads of the data
        const before = compiledDispatches();
        submits = 0;
        tf.dispose(plan.step(order, 10, 0.01, 2, () => 1));
        expect(compiledDispatches() - before).toBe(dispatches);
        expect(submits).toBe(1);
      } finally {
        plan.dispose();
      }
    }
  } finally {
    delete (queue as Partial<GPUQueue>).submit; // the prototype's own again
    optimizer.dispose();
    mlp.dispose();
    tf.dispose([x, y, order]);
  }
});

/** The default experiment, small: 200 points, batches of 10, 3 epochs, no dropout. */
function runSpec() {
  const spec = defaultSpec();
  spec.dataset.samples = 200;
  spec.training.batchSize = 10;
  spec.training.epochs = 3;
  for (const l of mlpOf(spec).hidden) l.dropout = 0;
  return spec;
}

/** Each epoch's batch losses, training and validation loss, and how many dispatches its compiled steps took. */
async function lossesOn(backend: 'cpu' | 'webgpu', spec: ExperimentSpec): Promise<number[]> {
  expect((await activateBackend(backend)).active).toBe(backend);
  const epochs: EpochMetrics[] = [];
  const before = tf.memory().numTensors;
  const status = await new Trainer(spec, { onEpoch: (m) => epochs.push(m) }, { boundaryResolution: 8 }).run();
  expect(status).toBe('completed');
  expect(tf.memory().numTensors).toBe(before);
  lastDispatches = epochs.map((m) => m.compiledDispatchesPerStep);
  return epochs.flatMap((m) => [...m.batchLosses, m.trainLoss, m.valLoss]);
}
let lastDispatches: (number | null | undefined)[] = [];

for (const [name, change] of [
  ['the default MLP with Adam', () => {}],
  [
    'dropout 0.1 and 0.2, and L1',
    (s: ExperimentSpec) => {
      mlpOf(s).hidden[0].dropout = 0.1;
      mlpOf(s).hidden[1].dropout = 0.2;
      s.training.l1 = 1e-4;
    },
  ],
  ['residual connections (2 × 8 tanh)', (s: ExperimentSpec) => void (mlpOf(s).residual = true)],
  [
    'L2, clipping and SGD with momentum',
    (s: ExperimentSpec) => {
      s.training.l2 = 1e-3;
      s.training.clipNorm = 0.5;
      s.training.optimizer = { ...s.training.optimizer, kind: 'momentum', learningRate: 0.1 };
    },
  ],
] as const) {
  test(`a whole run on the compiled path has the cpu backend's losses to 1e-4: ${name}`, async () => {
    const spec = runSpec();
    change(spec);
    const cpu = await lossesOn('cpu', spec);
    expect(lastDispatches).toEqual([undefined, undefined, undefined]);
    const before = compiledDispatches();
    const gpu = await lossesOn('webgpu', spec);
    // Each epoch reports its steps' dispatches (the Compute cost panel shows them).
    const perStep = spec.training.l1 + spec.training.l2 + spec.training.clipNorm > 0 ? 9 : 8;
    expect(lastDispatches).toEqual([perStep, perStep, perStep]);
    // Every step was compiled: 8 dispatches each for 2-8-8-1 (one more with a penalty or clipping).
    const steps = 3 * (160 / 10);
    expect(compiledDispatches() - before).toBe(steps * perStep);
    // The first epoch's matmul tuning timed only the evaluation's shapes: the steps use none of tfjs' matmuls.
    expect(tunedMatMuls().has('10x2|10x8|10')).toBe(false);
    expect(compiledBuffersAlive()).toBe(0);
    expect(gpu).toHaveLength(cpu.length);
    gpu.forEach((v, i) => expect(Math.abs(v - cpu[i]), `figure ${i}`).toBeLessThanOrEqual(1e-4 * Math.abs(cpu[i])));
  });
}

test('20 start/stop cycles on the compiled path, stopped mid-epoch or after stepping and looking, leave no tensors or GPU buffers', async () => {
  expect((await activateBackend('webgpu')).active).toBe('webgpu');
  const tensors = tf.memory().numTensors;
  for (let cycle = 0; cycle < 20; cycle++) {
    const spec = runSpec();
    spec.training.epochs = 50;
    spec.training.optimizer.kind = cycle % 2 ? 'sgd' : 'adam';
    let batches = 0;
    const stepping = cycle % 4 === 3;
    const trainer = new Trainer(
      spec,
      { onBatch: () => batches++, onProgress: () => void batches++ },
      { startPaused: stepping },
    );
    const done = trainer.run();
    if (stepping) {
      trainer.step();
      while (batches === 0) await new Promise((r) => setTimeout(r, 5));
      // Step mode's look reads the last step's gradients from the device.
      const look = await trainer.inspect(0);
      expect(look?.layers[0].weightGrad?.some((g) => g !== 0)).toBe(true);
    } else {
      while (batches < 3) await new Promise((r) => setTimeout(r, 5));
    }
    trainer.stop();
    expect(await done).toBe('stopped');
    expect(tf.memory().numTensors).toBe(tensors);
    expect(compiledBuffersAlive()).toBe(0);
  }
});

test('where tfjs-webgpu’s internals are not as expected, the run trains through tf ops with the same losses', async () => {
  const spec = runSpec();
  spec.training.epochs = 1;
  const compiled = await lossesOn('webgpu', spec);
  simulateInternalsMismatch('simulated mismatch');
  try {
    const before = compiledDispatches();
    const plain = await lossesOn('webgpu', spec);
    expect(compiledDispatches()).toBe(before);
    expect(lastDispatches).toEqual([undefined]);
    // The tf-op step's first epoch timed its weight gradient's matmul (the compiled runs before did not).
    expect(tunedMatMuls().has('10x2|10x8|10')).toBe(true);
    plain.forEach((v, i) => expect(Math.abs(v - compiled[i])).toBeLessThanOrEqual(1e-4 * Math.abs(v)));
  } finally {
    simulateInternalsMismatch(null);
  }
});

test('a compiled run stopped after epoch 2 and resumed from its checkpoint gives the uninterrupted run’s losses', async () => {
  expect((await activateBackend('webgpu')).active).toBe('webgpu');
  const spec = runSpec();
  spec.training.epochs = 4;
  const train = async (stopAfter?: number, resumeFrom?: TrainingCheckpoint) => {
    const out = { epochs: [] as EpochMetrics[], checkpoints: [] as TrainingCheckpoint[] };
    const trainer: Trainer = new Trainer(
      spec,
      {
        onEpoch: (m) => {
          out.epochs.push(m);
          if (m.epoch === stopAfter) trainer.stop();
        },
        onCheckpoint: (cp) => out.checkpoints.push(cp),
      },
      { boundaryResolution: 8, resumeFrom },
    );
    await trainer.run();
    return out;
  };
  const whole = await train();
  const stopped = await train(2);
  const resumed = await train(undefined, structuredClone(stopped.checkpoints.at(-1)!));
  expect(resumed.epochs.map((e) => e.epoch)).toEqual([3, 4]);
  const figures = (e: EpochMetrics) => [...e.batchLosses, e.trainLoss, e.valLoss];
  for (const [i, e] of resumed.epochs.entries())
    figures(e).forEach((v, k) =>
      expect(Math.abs(v - figures(whole.epochs[i + 2])[k])).toBeLessThanOrEqual(1e-6 * Math.abs(v)),
    );
});

test('a plan beyond the device’s limits (a training set larger than one binding) is not made', () => {
  const c = CASES[0];
  const { x, y, order } = dataFor(c);
  const mlp = mlpFor(c);
  const optimizer = createOptimizer(defaultSpec().training.optimizer, mlp.variables);
  const setup = {
    layers: mlp.withoutNorms!,
    x,
    y,
    rows: 10,
    task: 'binary' as const,
    loss: 'crossEntropy' as const,
    update: optimizer.perElement!,
    penalty: { l1: 0, l2: 0 },
    clipNorm: 0,
  };
  expect(compiledMlpFits(setup, N)).toBe(true);
  const limits = (tf.backend() as unknown as { device: GPUDevice }).device.limits;
  const tooMany = Math.ceil(limits.maxStorageBufferBindingSize / 4) + 1;
  expect(compiledMlpFits({ ...setup, x: { size: tooMany } as tf.Tensor2D }, N)).toBe(false);
  expect(compiledMlpFits(setup, tooMany)).toBe(false);
  optimizer.dispose();
  mlp.dispose();
  tf.dispose([x, y, order]);
});

test('a plan the GPU rejects is found before the first step: the run trains through tf ops, with the cpu losses, and says why', async () => {
  const spec = runSpec();
  spec.training.epochs = 1;
  const cpu = await lossesOn('cpu', spec);
  expect((await activateBackend('webgpu')).active).toBe('webgpu');
  const device = (tf.backend() as unknown as { device: GPUDevice }).device;
  const create = device.createShaderModule.bind(device);
  // Every shader of ours made invalid (tfjs' own, whose labels are not ours, untouched).
  device.createShaderModule = (d: GPUShaderModuleDescriptor) =>
    create(/^(forward|backward|loss|penalty|update)/.test(d.label ?? '') ? { ...d, code: 'not wgsl' } : d);
  forgetCompiledPipelines(device); // made by the tests before: made again, with the shaders above
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  try {
    const before = compiledDispatches();
    const gpu = await lossesOn('webgpu', spec);
    expect(compiledDispatches()).toBe(before);
    expect(lastDispatches).toEqual([undefined]);
    expect(warn.mock.calls.some(([m]) => String(m).startsWith('The compiled WebGPU step is off'))).toBe(true);
    gpu.forEach((v, i) => expect(Math.abs(v - cpu[i])).toBeLessThanOrEqual(1e-4 * Math.abs(cpu[i])));
    expect(compiledBuffersAlive()).toBe(0);
  } finally {
    delete (device as Partial<GPUDevice>).createShaderModule; // the prototype's own again
    warn.mockRestore();
  }
});
