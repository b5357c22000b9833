import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend';
import { gatherRows } from '../src/engine/kernels/gatherRows';
import { linear, type FusedActivation } from '../src/engine/linear';
import { useCompiledMatMul } from '../src/engine/kernels/wasmMatMulKernel';
import { Rng } from '../src/data/rng';

const rng = new Rng(3);
const random = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
const close = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  Array.from(a).forEach((v, i) => expect(v).toBeCloseTo(b[i], 4));
};

afterAll(async () => {
  await activateBackend('cpu');
});

// wasm twice: with our compiled product, and with XNNPACK's (where ours does not run); webgpu
// (SwiftShader here) with its one-shader activation gradient.
describe.each([
  ['cpu', true],
  ['wasm', true],
  ['wasm', false],
  ['webgpu', true],
] as const)('on %s (compiled product: %s)', (backend, compiled) => {
  beforeAll(() => useCompiledMatMul(compiled));
  afterAll(() => useCompiledMatMul(true));

  test('gatherRows picks the same rows as tf.gather, for floats and integers, 1-D to 3-D', async () => {
    await activateBackend(backend);
    const before = tf.memory().numTensors;
    const idx = tf.tensor1d([4, 0, 4, 2], 'int32');
    const cases = [
      tf.tensor3d(random(5 * 3 * 2), [5, 3, 2]),
      tf.tensor2d(
        Int32Array.from({ length: 15 }, (_, i) => i * 7),
        [5, 3],
        'int32',
      ),
      tf.tensor1d(random(5)),
    ];
    for (const x of cases) {
      const ours = gatherRows(x, idx);
      const stock = tf.gather(x, idx);
      expect(ours.shape).toEqual(stock.shape);
      expect(ours.dtype).toBe(x.dtype);
      expect(Array.from(ours.dataSync())).toEqual(Array.from(stock.dataSync()));
      tf.dispose([ours, stock, x]);
    }
    idx.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  const activations: FusedActivation[] = ['linear', 'relu', 'sigmoid', 'tanh'];
  // Layers once per step with more outputs than rows take the (Wᵀ·xᵀ)ᵀ forward on XNNPACK; 9 × 13
  // reaches every block of the compiled product (eight columns, four, one; four rows, one).
  const shapes = [
    { rows: 6, outs: 4, oncePerStep: false },
    { rows: 3, outs: 7, oncePerStep: true },
    { rows: 9, outs: 13, oncePerStep: true },
  ];
  const cases = activations.flatMap((a) => shapes.map((sh) => [a, sh.rows, sh.outs, sh] as const));
  test.each(cases)(
    'linear() with %s, %i rows × %i outputs: value and gradients equal tfjs autodiff of x·W + b',
    async (activation, rows, outs, { oncePerStep }) => {
      await activateBackend(backend);
      const x = tf.tensor2d(random(rows * 5), [rows, 5]);
      const W = tf.variable(tf.tensor2d(random(5 * outs), [5, outs]));
      const b = tf.variable(tf.tensor1d(random(outs)));
      const target = tf.tensor2d(random(rows * outs), [rows, outs]);
      const stockAct = (z: tf.Tensor): tf.Tensor =>
        activation === 'relu'
          ? z.relu()
          : activation === 'sigmoid'
            ? z.sigmoid()
            : activation === 'tanh'
              ? z.tanh()
              : z;
      const loss = (y: tf.Tensor) => y.sub(target).square().sum() as tf.Scalar;
      // Gradients for x too: x is an ordinary input here, not data.
      const ours = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        loss(linear(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D, { activation, oncePerStep })),
      )([x, W, b]);
      const stock = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        loss(stockAct((xx as tf.Tensor2D).matMul(ww as tf.Tensor2D).add(bb) as tf.Tensor2D)),
      )([x, W, b]);
      for (const [i, g] of ours.entries()) close(await g.data(), await stock[i].data());
      const [value, stockValue] = [linear(x, W, b, { activation, oncePerStep }), stockAct(x.matMul(W).add(b))];
      close(await value.data(), await stockValue.data());
      // The same with x as data, and without a bias: only dW, which must not change.
      const { grads } = tf.variableGrads(
        () => loss(linear(x, W, null, { activation, inputNeedsGrad: false, oncePerStep })),
        [W],
      );
      const { grads: stockGrads } = tf.variableGrads(() => loss(stockAct(x.matMul(W))), [W]);
      close(await grads[W.name].data(), await stockGrads[W.name].data());
      // Some gradient is non-zero, so the comparison means something.
      expect(Math.max(...Array.from(await ours[1].data(), Math.abs))).toBeGreaterThan(1e-3);
      tf.dispose([x, W, b, target, value, stockValue, ...ours, ...stock, grads[W.name], stockGrads[W.name]]);
    },
  );
});
