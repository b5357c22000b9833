// The whole-MLP kernels (engine/kernels/mlpHost.ts) against tfjs autodiff of the same model, and
// the Trainer using them: same losses as the tf-op step, and a model that learns.
import { afterAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend';
import { buildMlp } from '../src/engine/mlp';
import { taskLoss, weightPenalty, type Task } from '../src/engine/losses';
import { hostMlpForward, hostMlpGradients, hostMlpSuits } from '../src/engine/kernels/mlpHost';
import { Trainer } from '../src/engine/trainer';
import { useCompiledMatMul } from '../src/engine/kernels/wasmMatMulKernel';
import { prepareLearner } from '../src/engine/prepareLearner';
import {
  MLP_OPTION_DEFAULTS,
  defaultSpec,
  type Activation,
  type ClassificationLoss,
  type ExperimentSpec,
} from '../src/experiment';
import type { EpochMetrics } from '../src/engine/types';
import { Rng } from '../src/data/rng';

const rng = new Rng(11);
const random = (n: number, scale = 1) => Float32Array.from({ length: n }, () => rng.uniform(-scale, scale));

afterAll(async () => {
  await activateBackend('cpu');
});

/** Largest |a − b| relative to the largest |b|. */
function relativeGap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let gap = 0;
  let scale = 1e-12;
  for (let i = 0; i < a.length; i++) {
    gap = Math.max(gap, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return gap / scale;
}

const CASES: {
  task: Task;
  loss: ClassificationLoss;
  classes: number;
  activations: Activation[];
  l1: number;
  l2: number;
}[] = [
  { task: 'binary', loss: 'crossEntropy', classes: 1, activations: ['tanh', 'tanh'], l1: 0, l2: 0 },
  { task: 'binary', loss: 'crossEntropy', classes: 1, activations: ['relu', 'sigmoid'], l1: 0.01, l2: 0.001 },
  { task: 'multiclass', loss: 'crossEntropy', classes: 3, activations: ['gelu', 'relu', 'linear'], l1: 0, l2: 0.01 },
  { task: 'regression', loss: 'crossEntropy', classes: 1, activations: ['sigmoid'], l1: 0.003, l2: 0 },
  { task: 'multiclass', loss: 'crossEntropy', classes: 3, activations: ['leakyRelu', 'elu', 'silu'], l1: 0.002, l2: 0 },
  // The squared error of the probabilities, σ(z) or softmax(z) against one-hot targets.
  { task: 'binary', loss: 'mse', classes: 1, activations: ['tanh'], l1: 0, l2: 0 },
  { task: 'multiclass', loss: 'mse', classes: 4, activations: ['relu', 'tanh'], l1: 0, l2: 0.01 },
];

describe.each(['cpu', 'wasm'] as const)('on %s', (backend) => {
  test.each(CASES)(
    '$task ($loss), $activations, L1 $l1, L2 $l2: loss, gradients and outputs equal tfjs autodiff',
    async ({ task, loss, classes, activations, l1, l2 }) => {
      await activateBackend(backend);
      const before = tf.memory().numTensors;
      const inputs = 3;
      const n = 20;
      const mlp = buildMlp(
        {
          ...MLP_OPTION_DEFAULTS,
          kind: 'mlp',
          hidden: activations.map((activation) => ({ units: 5, activation, dropout: 0 })),
        },
        inputs,
        classes,
        7,
      );
      const layers = mlp.plain!;
      // Non-zero biases, so their part of the pass is checked too.
      layers.forEach((l) => tf.tidy(() => l.bias.assign(tf.tensor1d(random(l.bias.size, 0.5)))));
      const x = tf.tensor2d(random(n * inputs, 2), [n, inputs]);
      const y = tf.tensor1d(
        Float32Array.from({ length: n }, (_, i) =>
          task === 'regression' ? rng.uniform(-1, 1) : task === 'binary' ? i % 2 : i % classes,
        ),
      );
      // A batch is a run of rows in the epoch's order: here rows 1–7 of `order`.
      const order = tf.tensor1d([8, 3, 0, 17, 3, 9, 12, 5, 1], 'int32');
      const idx = order.slice(1, 7);
      const batch = { x, y, rows: order, from: 1, count: 7 };
      const host = hostMlpGradients(batch, layers, { task, loss }, { l1, l2 });
      const stock = tf.variableGrads(() => {
        const value = taskLoss(task, mlp.forward(tf.gather(x, idx)), tf.gather(y, idx), loss);
        const penalty = weightPenalty(
          mlp.layers.map((l) => l.kernel),
          l1,
          l2,
        );
        return penalty ? value.add(penalty) : value;
      }, mlp.variables);
      expect(relativeGap([host.loss], stock.value.dataSync())).toBeLessThan(1e-5);
      mlp.variables.forEach((v, i) => {
        expect(relativeGap(host.grads[i], stock.grads[v.name].dataSync())).toBeLessThan(1e-5);
      });

      const ours = hostMlpForward(x, layers);
      const theirs = tf.tidy(() => mlp.forward(x));
      expect(ours.shape).toEqual([n, classes]);
      expect(relativeGap(ours.dataSync(), theirs.dataSync())).toBeLessThan(1e-5);

      tf.dispose([stock.value, ...Object.values(stock.grads), ours, theirs, x, y, idx, order]);
      mlp.dispose();
      expect(tf.memory().numTensors).toBe(before);
    },
  );
});

async function epochsOf(spec: ExperimentSpec): Promise<EpochMetrics[]> {
  const seen: EpochMetrics[] = [];
  await new Trainer(spec, { onEpoch: (m) => seen.push(m) }).run();
  return seen;
}

describe('the Trainer with the whole-MLP step', () => {
  const spiral: ExperimentSpec = (() => {
    const d = defaultSpec();
    return {
      ...d,
      dataset: { ...d.dataset, kind: 'spiral' },
      model: {
        ...MLP_OPTION_DEFAULTS,
        kind: 'mlp',
        hidden: [0, 1, 2].map(() => ({ units: 8, activation: 'tanh' as const, dropout: 0 })),
      },
      training: { ...d.training, epochs: 60, l2: 1e-4 },
    };
  })();

  test('takes the step on cpu, follows the tf-op step (webgpu) epoch by epoch, and learns the spiral', async () => {
    await activateBackend('cpu');
    // The default spiral network and batch are small enough for one kernel here.
    expect(hostMlpSuits(8 * 2 + 8 + 2 * (8 * 8 + 8) + 8 * 3 + 3, spiral.training.batchSize)).toBe(true);
    const before = tf.memory().numTensors;
    const host = await epochsOf(spiral);
    expect(tf.memory().numTensors).toBe(before);
    // webgpu has no whole-MLP kernel: the same run as tf ops through autodiff.
    await activateBackend('webgpu');
    const stock = await epochsOf({ ...spiral, training: { ...spiral.training, epochs: 5 } });
    for (let e = 0; e < 5; e++) expect(Math.abs(host[e].trainLoss - stock[e].trainLoss)).toBeLessThan(1e-4);
    const last = host[host.length - 1];
    expect(last.valAccuracy).toBeGreaterThan(0.9);
  });

  // With our compiled product, and with tfjs-wasm's (XNNPACK, the threaded build's), which packs a
  // matmul operand once per tensor.
  test.each([true, false])(
    'on wasm, the decision boundary follows the weights it updates in place (compiled product: %s)',
    async (compiled) => {
      // The default network over the 48×48 grid is past the plain forward's limit, so the grid goes
      // through a matmul; XNNPACK's had kept the first epoch's weights packed.
      useCompiledMatMul(compiled);
      const boundaries = async (backend: 'cpu' | 'wasm') => {
        await activateBackend(backend);
        const seen: Float32Array[] = [];
        const spec = defaultSpec();
        await new Trainer(
          { ...spec, training: { ...spec.training, epochs: 8 } },
          { onEpoch: (_, views) => seen.push(views.boundary!.values) },
          { boundaryResolution: 48 },
        ).run();
        return seen;
      };
      await activateBackend('wasm');
      expect(hostMlpSuits(105, 48 * 48)).toBe(false);
      const before = [tf.memory().numTensors, tf.backend().numDataIds()];
      const wasm = await boundaries('wasm');
      expect([tf.memory().numTensors, tf.backend().numDataIds()]).toEqual(before);
      useCompiledMatMul(true);
      const cpu = await boundaries('cpu');
      const gap = (a: Float32Array, b: Float32Array) => Math.max(...a.map((v, i) => Math.abs(v - b[i])));
      expect(gap(wasm[7], wasm[1])).toBeGreaterThan(0.01); // it moves
      for (const e of [1, 7]) expect(gap(wasm[e], cpu[e])).toBeLessThan(1e-4);
    },
  );

  test('is taken only without dropout, and only where the backend has the kernel', async () => {
    const rows = tf.tensor1d([0, 1, 2, 3], 'int32');
    const offered = async (backend: 'cpu' | 'wasm' | 'webgpu', dropout: number) => {
      await activateBackend(backend);
      const hidden = spiral.model.kind === 'mlp' ? spiral.model.hidden.map((l) => ({ ...l, dropout })) : [];
      const learner = prepareLearner({ ...spiral, model: { ...MLP_OPTION_DEFAULTS, kind: 'mlp', hidden } }).make();
      const result = learner.hostGradients?.(rows, 0, 4, { l1: 0, l2: 0 }) ?? null;
      learner.dispose();
      return result !== null;
    };
    expect(await offered('wasm', 0)).toBe(true);
    expect(await offered('wasm', 0.1)).toBe(false);
    expect(await offered('webgpu', 0)).toBe(false);
    rows.dispose();
  });
});
