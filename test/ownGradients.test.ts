// Gradients of ours where tfjs-wasm's are missing or wrong, against tf's kernels on the cpu backend: a 2-D
// convolution's filter gradient (wasm has no Conv2DBackpropFilter) for odd shapes, strides and paddings, and max
// pooling's (wasm's MaxPoolGrad drops windows whose values are all negative); and both at work on wasm.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { activateBackend } from '../src/engine/backend';
import {
  conv2d,
  conv2dFilterGradient,
  conv2dOwnGradient,
  lacksFilterGradient,
  takesOwnFilterGradient,
  type ConvPadding,
} from '../src/engine/kernels/conv2dFilterGradient';
import { maxPool, maxPoolGradient } from '../src/engine/kernels/maxPoolGradient';

interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: [number, number];
  pad: ConvPadding;
}

const CASES: Case[] = [
  { x: [2, 7, 6, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: 'same' },
  { x: [2, 7, 6, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: 'valid' },
  { x: [3, 9, 8, 2], filter: [3, 3, 2, 5], strides: [2, 2], pad: 'same' },
  { x: [3, 9, 8, 2], filter: [3, 3, 2, 5], strides: [2, 2], pad: 'valid' },
  // Non-square filter and stride; sizes the stride does not divide (the last rows are never read).
  { x: [1, 11, 7, 1], filter: [5, 2, 1, 3], strides: [3, 2], pad: 'valid' },
  { x: [1, 11, 7, 1], filter: [5, 2, 1, 3], strides: [3, 2], pad: 'same' },
  { x: [4, 5, 5, 6], filter: [1, 1, 6, 2], strides: [1, 1], pad: 'same' },
  { x: [2, 28, 28, 1], filter: [5, 5, 1, 8], strides: [1, 1], pad: 'same' },
  // PyTorch's padding (as the CNN pads), where the input's gradient is a convolution of ours too.
  { x: [2, 7, 6, 3], filter: [3, 3, 3, 4], strides: [1, 1], pad: 1 },
  { x: [2, 9, 9, 2], filter: [5, 5, 2, 3], strides: [1, 1], pad: 2 },
  { x: [2, 9, 9, 2], filter: [5, 5, 2, 3], strides: [1, 1], pad: 1 },
  { x: [2, 9, 8, 2], filter: [3, 3, 2, 5], strides: [2, 2], pad: 1 },
];

const label = (c: Case) => `x ${c.x.join('×')}, filter ${c.filter.join('×')}, stride ${c.strides.join('×')}, ${c.pad}`;

/** Inputs, and the output gradient, seeded. */
function inputs(c: Case) {
  const x = tf.randomNormal<tf.Rank.R4>(c.x, 0, 1, 'float32', 1);
  const filter = tf.randomNormal<tf.Rank.R4>(c.filter, 0, 1, 'float32', 2);
  const outShape = tf.conv2d(x, filter, c.strides, c.pad).shape;
  const dy = tf.randomNormal<tf.Rank.R4>(outShape, 0, 1, 'float32', 3);
  return { x, filter, dy };
}

function expectClose(ours: Float32Array, reference: Float32Array, tolerance = 1e-5): void {
  expect(ours.length).toBe(reference.length);
  const scale = Math.max(1, ...reference.map(Math.abs));
  for (let i = 0; i < ours.length; i++) expect(Math.abs(ours[i] - reference[i]) / scale).toBeLessThan(tolerance);
}

describe('on cpu, against tf’s Conv2DBackpropFilter', () => {
  beforeAll(async () => {
    await activateBackend('cpu');
  });

  test.each(CASES.map((c) => [label(c), c] as const))('%s', (_, c) => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const { x, filter, dy } = inputs(c);
      const reference = tf
        .engine()
        .runKernel(
          'Conv2DBackpropFilter',
          { x, dy },
          { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', filterShape: c.filter },
        ) as tf.Tensor4D;
      const ours = conv2dFilterGradient(x, dy, c.filter, c.strides, c.pad);
      expect(ours.shape).toEqual(c.filter);
      expectClose(ours.dataSync() as Float32Array, reference.dataSync() as Float32Array);
      // Through autodiff: the input's gradient is tf's, the filter's ours, both equal to tf's own.
      const loss = (f: typeof conv2dOwnGradient) => (a: tf.Tensor, w: tf.Tensor) =>
        f(a as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad)
          .mul(dy)
          .sum();
      const [dxOurs, dwOurs] = tf.grads(loss(conv2dOwnGradient))([x, filter]);
      const [dxTf, dwTf] = tf.grads(loss((a, w, s, p) => tf.conv2d(a, w, s, p)))([x, filter]);
      expectClose(dxOurs.dataSync() as Float32Array, dxTf.dataSync() as Float32Array);
      expectClose(dwOurs.dataSync() as Float32Array, dwTf.dataSync() as Float32Array);
    });
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('on cpu, whose Conv2DBackpropFilter is a slow loop', () => {
  beforeAll(async () => {
    await activateBackend('cpu');
  });

  test('a convolution takes our filter gradient there (tf’s kernel never runs), with tf’s values', async () => {
    expect(lacksFilterGradient()).toBe(false);
    expect(takesOwnFilterGradient()).toBe(true);
    const c = CASES[8];
    const { x, filter, dy } = inputs(c);
    const gradients = (f: typeof conv2d) =>
      tf.grads((a: tf.Tensor, w: tf.Tensor) =>
        f(a as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad)
          .mul(dy)
          .sum(),
      )([x, filter]);
    let ours: tf.Tensor[] = [];
    const profile = await tf.profile(() => {
      ours = gradients(conv2d);
    });
    const kernels = new Set(profile.kernelNames);
    expect(kernels.has('Conv2D')).toBe(true);
    expect(kernels.has('Conv2DBackpropFilter')).toBe(false);
    const reference = gradients((a, w, s, p) => tf.conv2d(a, w, s, p));
    for (const [i, g] of ours.entries())
      expectClose(g.dataSync() as Float32Array, reference[i].dataSync() as Float32Array);
    tf.dispose([x, filter, dy, ...ours, ...reference]);
  });
});

describe('on wasm, which lacks the kernel', () => {
  beforeAll(async () => {
    await activateBackend('wasm');
  });
  afterAll(async () => {
    await activateBackend('cpu');
  });

  test('tf’s own gradient fails there; the convolution takes ours, with the cpu backend’s values', async () => {
    expect(lacksFilterGradient()).toBe(true);
    const c = CASES[2];
    const grads = async (backend: 'cpu' | 'wasm', f: typeof conv2d) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const { x, filter, dy } = inputs(c);
        const [dx, dw] = tf.grads((a: tf.Tensor, w: tf.Tensor) =>
          f(a as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad)
            .mul(dy)
            .sum(),
        )([x, filter]);
        return [dx.dataSync() as Float32Array, dw.dataSync() as Float32Array];
      });
    };
    const plain = (a: tf.Tensor4D, w: tf.Tensor4D, s: [number, number], p: ConvPadding) => tf.conv2d(a, w, s, p);
    await expect(grads('wasm', plain)).rejects.toThrow(/Conv2DBackpropFilter/);
    const [dxCpu, dwCpu] = await grads('cpu', conv2d);
    const before = (await tf.setBackend('wasm'), tf.memory().numTensors);
    const [dxWasm, dwWasm] = await grads('wasm', conv2d);
    expect(tf.memory().numTensors).toBe(before);
    expectClose(dxWasm, dxCpu, 1e-4);
    expectClose(dwWasm, dwCpu, 1e-4);
  });

  test('a small convolution learns on wasm: SGD through our filter gradient halves its loss', () => {
    // Fit a 3×3 filter to the output of a fixed one: the loss falls only if the filter gradient is right.
    const x = tf.randomNormal<tf.Rank.R4>([8, 10, 10, 2], 0, 1, 'float32', 4);
    const target = tf.conv2d(x, tf.randomNormal<tf.Rank.R4>([3, 3, 2, 3], 0, 1, 'float32', 5), [2, 2], 'same');
    const w = tf.variable(tf.zeros<tf.Rank.R4>([3, 3, 2, 3]));
    const optimizer = tf.train.sgd(0.02);
    const lossOf = () => conv2d(x, w, [2, 2], 'same').sub(target).square().mean() as tf.Scalar;
    const first = tf.tidy(() => lossOf().dataSync()[0]);
    for (let i = 0; i < 30; i++) optimizer.minimize(lossOf);
    const last = tf.tidy(() => lossOf().dataSync()[0]);
    expect(last).toBeLessThan(first / 2);
    tf.dispose([x, target, w]);
    optimizer.dispose();
  });
});

describe('max pooling’s gradient', () => {
  const POOLS = [
    { x: [2, 7, 6, 3], size: 2, stride: 2 },
    { x: [1, 9, 9, 2], size: 3, stride: 2 }, // overlapping windows
    { x: [2, 8, 5, 4], size: 3, stride: 3 }, // a partial last window, dropped
    { x: [1, 6, 6, 1], size: 2, stride: 1 },
  ] as { x: [number, number, number, number]; size: number; stride: number }[];
  const windowsOf = (p: (typeof POOLS)[number]) =>
    `x ${p.x.join('×')}, ${p.size}×${p.size} windows, stride ${p.stride}`;

  /** Inputs shifted down so that many windows hold only negative values, and a few hold ties. */
  function poolInputs(p: (typeof POOLS)[number]) {
    const x = tf.randomNormal<tf.Rank.R4>(p.x, -0.8, 1, 'float32', 11).round().div(2).add(0.01) as tf.Tensor4D;
    const pooled = tf.maxPool(x, p.size, p.stride, 'valid').shape;
    return { x, dy: tf.randomNormal<tf.Rank.R4>(pooled, 0, 1, 'float32', 12) };
  }

  beforeAll(async () => {
    await activateBackend('cpu');
  });

  test.each(POOLS.map((p) => [windowsOf(p), p] as const))('on cpu, against tf’s MaxPoolGrad: %s', (_, p) => {
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const { x, dy } = poolInputs(p);
      const y = tf.maxPool(x, p.size, p.stride, 'valid');
      const reference = tf.grad((a: tf.Tensor) =>
        tf
          .maxPool(a as tf.Tensor4D, p.size, p.stride, 'valid')
          .mul(dy)
          .sum(),
      )(x);
      expectClose(
        maxPoolGradient(x, y, dy, p.size, p.stride).dataSync() as Float32Array,
        reference.dataSync() as Float32Array,
      );
    });
    expect(tf.memory().numTensors).toBe(before);
  });

  test('on wasm, tf’s gradient loses all-negative windows; ours gives the cpu backend’s', async () => {
    const p = POOLS[0];
    const gradient = async (backend: 'cpu' | 'wasm', pool: (x: tf.Tensor4D) => tf.Tensor4D) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const { x, dy } = poolInputs(p);
        return tf
          .grad((a: tf.Tensor) =>
            pool(a as tf.Tensor4D)
              .mul(dy)
              .sum(),
          )(x)
          .dataSync() as Float32Array;
      });
    };
    await activateBackend('wasm');
    const theirs = await gradient('wasm', (x) => tf.maxPool(x, p.size, p.stride, 'valid'));
    const reference = await gradient('cpu', (x) => tf.maxPool(x, p.size, p.stride, 'valid'));
    const ours = await gradient('wasm', (x) => maxPool(x, p.size, p.stride));
    expect(theirs.filter((v, i) => v !== reference[i]).length).toBeGreaterThan(0);
    expectClose(ours, reference);
    await tf.setBackend('cpu');
  });
});
