// BatchNorm in the MLP: evaluation normalises with the running statistics (a row's output does
// not depend on its batch), each optimizer step folds its batch's statistics into them, weights
// files carry them, and a network with it learns. Layer-level agreement with PyTorch is in
// sequenceLayers.test.ts; train.py reproducing a BatchNorm run is in pytorch.test.ts.
import { beforeAll, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend';
import { buildMlp } from '../src/engine/mlp';
import { Trainer } from '../src/engine/trainer';
import type { EpochMetrics, TrainingCheckpoint } from '../src/engine/types';
import { Rng } from '../src/data/rng';
import { MLP_OPTION_DEFAULTS, defaultSpec, mlpOf, type MlpSpec } from '../src/experiment';

beforeAll(async () => {
  await activateBackend('cpu');
});

const model: MlpSpec = {
  ...MLP_OPTION_DEFAULTS,
  kind: 'mlp',
  hidden: [
    { units: 4, activation: 'tanh', dropout: 0 },
    { units: 3, activation: 'relu', dropout: 0 },
  ],
  norm: 'batchNorm',
};

function randomRows(n: number, d: number): tf.Tensor2D {
  const rng = new Rng(3);
  return tf.tensor2d(
    Array.from({ length: n * d }, () => rng.normal() * 2 + 1),
    [n, d],
  );
}

test('in evaluation a row’s output does not depend on the rows beside it; in training it does', () => {
  const before = tf.memory().numTensors;
  const mlp = buildMlp(model, 2, 1, 5);
  const x = randomRows(8, 2);
  const [alone, inBatch, trainedA, trainedB] = tf.tidy(() => [
    mlp.predict(x.slice(0, 1)).dataSync()[0],
    mlp.predict(x).dataSync()[0],
    mlp.forward(x, () => 0).dataSync()[0],
    mlp.forward(x.slice(0, 4), () => 0).dataSync()[0],
  ]);
  expect(alone).toBeCloseTo(inBatch, 6);
  expect(Math.abs(trainedA - trainedB)).toBeGreaterThan(1e-4);
  x.dispose();
  mlp.dispose();
  expect(tf.memory().numTensors).toBe(before);
});

test('a training pass’s statistics reach the running ones at updateBuffers, as momentum 0.1 with the unbiased variance', () => {
  const before = tf.memory().numTensors;
  const mlp = buildMlp(model, 2, 1, 5);
  expect(mlp.buffers.map((b) => b.name)).toEqual([
    'layers.0.norm.running_mean',
    'layers.0.norm.running_var',
    'layers.1.norm.running_mean',
    'layers.1.norm.running_var',
  ]);
  // Buffers are not parameters: the matrices, the output's bias, and a gain and a bias per hidden
  // unit (which replaces the layer's own bias).
  expect(mlp.params).toBe(2 * 4 + 4 * 3 + 3 * 1 + 1 + 2 * (4 + 3));
  const x = randomRows(6, 2);
  const read = () => mlp.buffers.map((b) => Array.from(b.variable.dataSync()));
  const start = read();
  tf.tidy(() => {
    mlp.predict(x);
  });
  mlp.updateBuffers(); // evaluation recorded nothing
  expect(read()).toEqual(start);
  tf.tidy(() => {
    mlp.forward(x, () => 0);
  });
  expect(read()).toEqual(start); // not yet
  const { mean, variance } = tf.tidy(() => {
    const l = mlp.layers[0];
    expect(l.bias).toBeNull(); // BatchNorm's bias takes its place
    const z = x.matMul(l.kernel);
    const m = tf.moments(z, 0);
    return { mean: m.mean.dataSync(), variance: m.variance.mul(6 / 5).dataSync() };
  });
  mlp.updateBuffers();
  const [runningMean, runningVar] = read();
  runningMean.forEach((v, i) => expect(v).toBeCloseTo(0.1 * mean[i], 5));
  runningVar.forEach((v, i) => expect(v).toBeCloseTo(0.9 + 0.1 * variance[i], 5));
  mlp.updateBuffers(); // once per step: a second call changes nothing
  expect(read()[0]).toEqual(runningMean);
  x.dispose();
  mlp.dispose();
  expect(tf.memory().numTensors).toBe(before);
});

test('a BatchNorm MLP learns the circle; its checkpoints hold the running statistics; memory stays flat', async () => {
  const spec = defaultSpec();
  spec.model = { ...mlpOf(spec), norm: 'batchNorm' };
  spec.training.epochs = 12;
  const before = tf.memory().numTensors;
  const epochs: EpochMetrics[] = [];
  const counts: number[] = [];
  let checkpoint: TrainingCheckpoint | null = null;
  const status = await new Trainer(
    spec,
    {
      onEpoch: (m) => {
        epochs.push(m);
        counts.push(tf.memory().numTensors);
      },
      onCheckpoint: (cp) => (checkpoint = cp),
    },
    { boundaryResolution: 16 },
  ).run();
  expect(status).toBe('completed');
  expect(epochs.at(-1)!.valAccuracy).toBeGreaterThanOrEqual(0.9);
  expect(new Set(counts.slice(1)).size).toBe(1);
  expect(tf.memory().numTensors).toBe(before);
  const weights = new Map(checkpoint!.weights.map((w) => [w.name, w.values]));
  const units = mlpOf(spec).hidden[0].units;
  const mean = weights.get('layers.0.norm.running_mean')!;
  const variance = weights.get('layers.0.norm.running_var')!;
  expect(mean).toHaveLength(units);
  // They moved from 0 and 1 (the inputs are not centred per unit), and a variance stays positive.
  expect(Math.max(...Array.from(mean, Math.abs))).toBeGreaterThan(0.01);
  expect(Array.from(variance).some((v) => Math.abs(v - 1) > 0.01)).toBe(true);
  expect(Math.min(...variance)).toBeGreaterThan(0);
});
