// A convolutional network from its spec: the shapes its layers hand on (and the layer that would shrink an image
// below 1×1, named), its parameters, the FLOPs its cost claims against the kernels a training step runs, and a
// LeNet that learns real digits on wasm through our filter and pooling gradients, directly and as a run.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { activateBackend } from '../src/engine/backend';
import { buildCnn } from '../src/engine/cnnModel';
import { cnnCost } from '../src/engine/cnnCost';
import {
  cnnShapes,
  lenet,
  type CnnSpec,
  type ConvLayerSpec,
  type ImageShape,
  convLayer,
  poolLayer,
} from '../src/experiment/cnn';
import { datasetDefaults, defaultSpec, switchModel } from '../src/experiment';
import { Trainer } from '../src/engine/trainer';
import type { EpochMetrics, EpochViews } from '../src/engine/types';

const DIGIT: ImageShape = { height: 28, width: 28, channels: 1 };

/** A small ResNet: a BatchNorm'd convolution, an identity block, a projected block (stride 2), global average pooling, dropout. */
const tinyResnet = (): CnnSpec => ({
  kind: 'cnn',
  layers: [
    convLayer(4, 3, { batchNorm: true, dropout: 0.1 }),
    { kind: 'residual', filters: 4, stride: 1 },
    { kind: 'residual', filters: 8, stride: 2 },
    poolLayer(2, 2, 'avg'),
  ],
  head: 'globalAverage',
  dense: [{ units: 12, activation: 'tanh', dropout: 0.2 }],
});

beforeAll(async () => {
  await activateBackend('cpu');
});

describe('shapes', () => {
  test('LeNet on 28×28 digits: 28×28×6, 14×14×6, 14×14×16, 7×7×16', () => {
    const walked = cnnShapes(lenet().layers, DIGIT);
    expect(walked.ok && walked.shapes.map((s) => `${s.height}×${s.width}×${s.channels}`)).toEqual([
      '28×28×6',
      '14×14×6',
      '14×14×16',
      '7×7×16',
    ]);
  });

  test('a layer that would shrink the image below 1×1 is named, with the size it gets', () => {
    const pool = poolLayer(2);
    const conv = lenet().layers[0] as ConvLayerSpec;
    const walked = cnnShapes([pool, pool, pool, { ...conv, padding: 'valid' as const }], DIGIT);
    expect(walked).toEqual({
      ok: false,
      index: 3,
      message:
        "layer 4 (conv 5×5, 6 filters) gets 3×3 images and would make them smaller than 1×1: remove it, or use a smaller window, a smaller stride or 'same' padding before it",
    });
    expect(() =>
      buildCnn({ ...lenet(), layers: [pool, pool, pool, { ...conv, padding: 'valid' }] }, DIGIT, 10, 1),
    ).toThrow(/layer 4 \(conv 5×5, 6 filters\)/);
  });
});

/** Executed FLOPs of the convolution and matmul kernels in a profile (nominal: padding counted as work). */
function executedFlops(kernels: { name: string; inputShapes: number[][]; outputShapes: number[][] }[]): number {
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  let flops = 0;
  for (const k of kernels) {
    if (k.name === 'Conv2D') {
      const filter = k.inputShapes[1];
      flops += 2 * size(k.outputShapes[0]) * (size(filter) / filter[3]);
    } else if (k.name === 'Conv2DBackpropInput') {
      const [dy, filter] = k.inputShapes;
      flops += 2 * size(dy) * (size(filter) / filter[3]);
    } else if (k.name === 'Conv2DBackpropFilter') {
      const filter = k.outputShapes[0];
      flops += 2 * size(k.inputShapes[1]) * (size(filter) / filter[3]);
    } else if (k.name === 'BatchMatMul' || k.name === '_FusedMatMul') {
      const out = k.outputShapes[0];
      const [m, n] = out.slice(-2);
      const batch = size(out.slice(0, -2));
      flops += 2 * batch * m * n * (size(k.inputShapes[0]) / (batch * m));
    }
  }
  return flops;
}

describe.each([
  ['LeNet', lenet],
  ['a small ResNet', tinyResnet],
] as const)('%s', (_, make) => {
  test('its cost counts the parameters it is built with', () => {
    const model = buildCnn(make(), DIGIT, 10, 7);
    expect(cnnCost(make(), DIGIT, 10).params).toBe(model.variables.reduce((s, v) => s + v.size, 0));
    model.dispose();
  });

  test('the convolution and matmul FLOPs its cost claims for a step are the ones that run (within 2%)', async () => {
    const model = buildCnn(make(), DIGIT, 10, 7);
    const batch = 4;
    const x = tf.randomNormal<tf.Rank.R4>([batch, 28, 28, 1], 0, 1, 'float32', 3);
    const labels = tf.oneHot(tf.tensor1d([1, 2, 3, 4], 'int32'), 10);
    const step = () => {
      const { value, grads } = tf.variableGrads(() => {
        const { logits, stats } = model.forward(x, () => 5);
        tf.dispose(stats.flatMap((s) => [s.mean, s.variance]));
        return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
      }, model.variables);
      tf.dispose([value, ...Object.values(grads)]);
    };
    const before = tf.memory().numTensors;
    const info = await tf.profile(step);
    expect(tf.memory().numTensors).toBe(before);
    const claimed =
      batch * cnnCost(make(), DIGIT, 10).layers.reduce((s, l) => s + l.matmulFlops.forward + l.matmulFlops.backward, 0);
    const executed = executedFlops(info.kernels);
    expect(executed).toBeGreaterThan(0);
    expect(Math.abs(claimed / executed - 1)).toBeLessThan(0.02);
    tf.dispose([x, labels]);
    model.dispose();
  });

  test('a training pass returns one batch statistic per BatchNorm; evaluation none, and the same seed the same logits', () => {
    const a = buildCnn(make(), DIGIT, 10, 7);
    const b = buildCnn(make(), DIGIT, 10, 7);
    tf.tidy(() => {
      const x = tf.randomNormal<tf.Rank.R4>([3, 28, 28, 1], 0, 1, 'float32', 4);
      expect(a.forward(x, () => 1).stats).toHaveLength(a.norms.length);
      const evaluated = a.forward(x);
      expect(evaluated.stats).toHaveLength(0);
      expect(evaluated.logits.shape).toEqual([3, 10]);
      expect(Array.from(b.forward(x).logits.dataSync())).toEqual(Array.from(evaluated.logits.dataSync()));
    });
    a.dispose();
    b.dispose();
  });
});

test('a LeNet learns real digits on wasm (our filter and pooling gradients), and memory stays flat', async () => {
  await activateBackend('wasm');
  const count = 1200;
  const pixels = readFileSync('datasets/mnist-images.u8');
  const labels = readFileSync('datasets/mnist-labels.u8');
  // The shipped digits are grouped by class: a stride coprime with 10,000 picks a mix of all ten, in mixed order.
  const pick = Array.from({ length: count }, (_, i) => (i * 7919) % labels.length);
  const images = new Float32Array(count * 784);
  pick.forEach((at, i) =>
    images.set(
      Array.from(pixels.subarray(at * 784, (at + 1) * 784), (v) => v / 255),
      i * 784,
    ),
  );
  const x = tf.tensor4d(images, [count, 28, 28, 1]);
  const y = tf.oneHot(
    tf.tensor1d(
      pick.map((at) => labels[at]),
      'int32',
    ),
    10,
  );
  const [trainX, testX] = [x.slice([0, 0, 0, 0], [1000, 28, 28, 1]), x.slice([1000, 0, 0, 0], [200, 28, 28, 1])];
  const [trainY, testY] = [y.slice([0, 0], [1000, 10]), y.slice([1000, 0], [200, 10])];
  const spec: CnnSpec = { ...lenet(), dense: [{ units: 32, activation: 'relu', dropout: 0 }] };
  const model = buildCnn(spec, DIGIT, 10, 1);
  const optimizer = tf.train.adam(0.003);
  const accuracy = () =>
    tf.tidy(() => model.forward(testX).logits.argMax(1).equal(testY.argMax(1)).mean().dataSync()[0]);
  const before = accuracy();
  const tensors: number[] = [];
  for (let epoch = 0; epoch < 3; epoch++) {
    for (let from = 0; from < 1000; from += 50) {
      optimizer.minimize(
        () => {
          const xb = trainX.slice([from, 0, 0, 0], [50, 28, 28, 1]);
          const yb = trainY.slice([from, 0], [50, 10]);
          return tf.losses.softmaxCrossEntropy(yb, model.forward(xb, () => 0).logits) as tf.Scalar;
        },
        false,
        model.variables,
      );
    }
    tensors.push(tf.memory().numTensors);
  }
  const after = accuracy();
  expect(before).toBeLessThan(0.3);
  expect(after).toBeGreaterThan(0.85);
  expect(new Set(tensors).size).toBe(1);
  optimizer.dispose();
  model.dispose();
  tf.dispose([x, y, trainX, testX, trainY, testY]);
  await activateBackend('cpu');
}, 120_000);

test('a CNN run through the trainer on wasm: it learns, names its layers, shows its mistakes, and leaks nothing', async () => {
  await activateBackend('wasm');
  const spec = defaultSpec();
  spec.dataset = { ...spec.dataset, kind: 'mnist', ...datasetDefaults('mnist'), samples: 800 };
  switchModel(spec, 'cnn');
  spec.model = { ...lenet(), dense: [] };
  spec.training = { ...spec.training, epochs: 3, batchSize: 32, l2: 1e-4 };
  const mnist = {
    images: new Uint8Array(readFileSync('datasets/mnist-images.u8')),
    labels: new Uint8Array(readFileSync('datasets/mnist-labels.u8')),
  };
  const epochs: EpochMetrics[] = [];
  const views: EpochViews[] = [];
  const tensors: number[] = [];
  const before = tf.memory().numTensors;
  const status = await new Trainer(
    spec,
    {
      onEpoch: (m, v) => {
        epochs.push(m);
        views.push(v);
        tensors.push(tf.memory().numTensors);
      },
    },
    { files: { mnist } },
  ).run();
  expect(status).toBe('completed');
  expect(epochs.at(-1)!.valAccuracy).toBeGreaterThan(0.8);
  expect(epochs.at(-1)!.trainLoss).toBeLessThan(epochs[0].trainLoss);
  expect(epochs[0].layers.map((l) => l.name)).toEqual(['conv 1', 'conv 3', 'output']);
  const classes = views.at(-1)!.classes!;
  expect(classes.confusion.reduce((a, b) => a + b, 0)).toBe(160);
  expect(classes.misclassified.length).toBeGreaterThan(0);
  expect(classes.misclassified[0].pixels).toHaveLength(784);
  expect(new Set(tensors).size).toBe(1);
  expect(tf.memory().numTensors).toBe(before);
  await activateBackend('cpu');
}, 120_000);
