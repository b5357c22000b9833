// The convolutional layers against PyTorch's own (fixtures from scripts/golden/conv.py): convolution (stride,
// padding), max and average pooling, BatchNorm2d (training, running statistics, evaluation) and ResNet's basic
// block, forward and every gradient, on cpu, wasm (whose filter gradient is ours) and WebGPU.
import { afterAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { activateBackend } from '../src/engine/backend';
import { batchNormEval, batchNormTrain, updateRunningStatistics, type BatchNormParams } from '../src/engine/batchNorm';
import { convolve, convOutputSide, pool, residualBlock, type PoolKind, type ResidualParams } from '../src/engine/conv';
import golden from './fixtures/conv.json';
import { expectClose, gradsOf } from './helpers/reference';

type Shape4 = [number, number, number, number];

const read = async (t: tf.Tensor) => (await t.data()) as Float32Array;

const image = (values: number[], shape: Shape4) => tf.tensor4d(values, shape);
const norm = (gamma: number[], beta: number[], mean: number[], variance: number[]): BatchNormParams => ({
  gain: tf.variable(tf.tensor1d(gamma)),
  bias: tf.variable(tf.tensor1d(beta)),
  runningMean: tf.variable(tf.tensor1d(mean), false),
  runningVar: tf.variable(tf.tensor1d(variance), false),
});

const BACKENDS = ['cpu', 'wasm', 'webgpu'] as const;

afterAll(async () => {
  await activateBackend('cpu');
});

describe.each(BACKENDS)('on %s', (backend) => {
  test('convolutions (stride 1 and 2, padded and not) and their gradients agree with nn.Conv2d', async () => {
    await activateBackend(backend);
    const before = tf.memory().numTensors;
    for (const c of golden.convolutions) {
      const s = c.shape;
      const geometry = { kernel: s.kernel, stride: s.stride, padding: s.padding > 0 ? 'same' : 'valid' } as const;
      const what = `${backend}: ${s.kernel}×${s.kernel} stride ${s.stride} padding ${s.padding}`;
      expect(c.outShape.slice(1, 3), what).toEqual([convOutputSide(s.h, geometry), convOutputSide(s.w, geometry)]);
      const params = {
        x: image(c.x, [s.n, s.h, s.w, s.in]),
        weight: tf.tensor4d(c.weight, [s.kernel, s.kernel, s.in, s.out]),
        bias: tf.tensor1d(c.bias),
      };
      const R = image(c.R, c.outShape as Shape4);
      const { out, grads } = await gradsOf(
        (p) => convolve(p.x as tf.Tensor4D, { weight: p.weight as tf.Tensor4D, bias: p.bias as tf.Tensor1D }, geometry),
        params,
        R,
      );
      expectClose(out, c.out, `${what} out`);
      for (const name of ['x', 'weight', 'bias'] as const) expectClose(grads[name], c.grad[name], `${what} d${name}`);
      tf.dispose([...Object.values(params), R]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  test('max and average pooling and their gradients agree with nn.MaxPool2d and nn.AvgPool2d', async () => {
    await activateBackend(backend);
    for (const c of golden.pools) {
      const s = c.shape;
      const x = image(c.x, [s.n, s.h, s.w, s.channels]);
      const R = image(c.R, c.outShape as Shape4);
      const { out, grads } = await gradsOf(
        (p) => pool(p.x as tf.Tensor4D, s.kind as PoolKind, s.size, s.stride),
        { x },
        R,
      );
      const what = `${backend}: ${s.kind} ${s.size}×${s.size} stride ${s.stride}`;
      expectClose(out, c.out, `${what} out`);
      expectClose(grads.x, c.grad.x, `${what} dx`);
      tf.dispose([x, R]);
    }
  });

  test('BatchNorm2d: the training pass, its gradients, the running statistics and evaluation agree with PyTorch', async () => {
    await activateBackend(backend);
    const g = golden.batchNorm2d;
    const shape: Shape4 = [2, 4, 5, 3];
    const p = norm(g.gamma, g.beta, g.start.runningMean, g.start.runningVar);
    const inputs = { x: image(g.x, shape), gamma: p.gain, beta: p.bias };
    const R = image(g.R, shape);
    const withGains = (q: Record<string, tf.Tensor>) => ({
      ...p,
      gain: q.gamma as tf.Variable,
      bias: q.beta as tf.Variable,
    });
    const { out, grads } = await gradsOf((q) => batchNormTrain(q.x as tf.Tensor4D, withGains(q)).out, inputs, R);
    expectClose(out, g.out, 'out');
    for (const name of ['x', 'gamma', 'beta'] as const) expectClose(grads[name], g.grad[name], `d${name}`);
    tf.tidy(() => updateRunningStatistics(p, batchNormTrain(inputs.x, p).stats));
    expectClose(await read(p.runningMean), g.runningMean, 'running mean');
    expectClose(await read(p.runningVar), g.runningVar, 'running variance');
    const evaluated = tf.tidy(() => batchNormEval(image(g.xEval, [1, 4, 5, 3]), p));
    expectClose(await read(evaluated), g.outEval, 'evaluation');
    evaluated.dispose();
    tf.dispose([inputs.x, R, p.gain, p.bias, p.runningMean, p.runningVar]);
  });

  test('the residual basic block, with and without its projection, agrees with PyTorch forward and backward', async () => {
    await activateBackend(backend);
    for (const c of golden.residual) {
      const s = c.shape;
      const P = c.params as Record<string, number[]>;
      const kernel = (name: string, k: number, cin: number) => tf.tensor4d(P[name], [k, k, cin, s.out]);
      const inputs: Record<string, tf.Tensor> = {
        x: image(c.x, [s.n, s.h, s.w, s.in]),
        conv1: kernel('conv1', 3, s.in),
        conv2: kernel('conv2', 3, s.out),
        ...('conv3' in P ? { conv3: kernel('conv3', 1, s.in) } : {}),
      };
      for (const bn of ['bn1', 'bn2', 'bn3'].filter((b) => `${b}.gamma` in P)) {
        inputs[`${bn}.gamma`] = tf.tensor1d(P[`${bn}.gamma`]);
        inputs[`${bn}.beta`] = tf.tensor1d(P[`${bn}.beta`]);
      }
      const units = s.out;
      const running = ['bn1', 'bn2', 'bn3'].map(() => ({
        mean: tf.variable(tf.zeros([units]), false),
        variance: tf.variable(tf.ones([units]), false),
      }));
      const params = (q: Record<string, tf.Tensor>): ResidualParams => {
        const bn = (i: number): BatchNormParams => ({
          gain: q[`bn${i + 1}.gamma`] as tf.Variable,
          bias: q[`bn${i + 1}.beta`] as tf.Variable,
          runningMean: running[i].mean,
          runningVar: running[i].variance,
        });
        return {
          conv1: q.conv1 as tf.Tensor4D,
          norm1: bn(0),
          conv2: q.conv2 as tf.Tensor4D,
          norm2: bn(1),
          projection: q.conv3 ? { conv: q.conv3 as tf.Tensor4D, norm: bn(2) } : null,
        };
      };
      const R = image(c.R, c.outShape as Shape4);
      const { out, grads } = await gradsOf(
        (q) => residualBlock(q.x as tf.Tensor4D, params(q), s.stride, true).out,
        inputs,
        R,
      );
      const what = `${backend}: ${s.in} → ${s.out} channels, stride ${s.stride}`;
      expectClose(out, c.out, `${what} out`);
      for (const name of Object.keys(inputs))
        expectClose(grads[name], (c.grad as Record<string, number[]>)[name], `${what} d${name}`);
      // One training pass moves each BatchNorm's running statistics as PyTorch's did.
      tf.tidy(() => {
        const { stats } = residualBlock(inputs.x as tf.Tensor4D, params(inputs), s.stride, true);
        const norms = [params(inputs).norm1, params(inputs).norm2, params(inputs).projection?.norm].filter(
          (n): n is BatchNormParams => n !== undefined,
        );
        norms.forEach((n, i) => updateRunningStatistics(n, stats[i]));
      });
      for (const [i, bn] of Object.keys(c.runningMean).entries()) {
        const mean = (c.runningMean as Record<string, number[]>)[bn];
        const variance = (c.runningVar as Record<string, number[]>)[bn];
        expectClose(await read(running[i].mean), mean, `${what} ${bn} mean`);
        expectClose(await read(running[i].variance), variance, `${what} ${bn} var`);
      }
      tf.dispose([...Object.values(inputs), R, ...running.flatMap((r) => [r.mean, r.variance])]);
    }
  });
});
