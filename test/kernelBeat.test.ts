import * as tf from '@tensorflow/tfjs';
import { expect, test } from 'vitest';
import { reportKernelProgress } from '../src/engine/kernelBeat';

test('every kernel of a backend reports progress before it runs, once however often it is wrapped; results are unchanged', async () => {
  await tf.setBackend('cpu');
  let calls = 0;
  const progress = () => calls++;
  expect(reportKernelProgress('cpu', progress)).toBeGreaterThan(100);
  // Wrapping again adds only kernels registered since: none here.
  expect(reportKernelProgress('cpu', progress)).toBe(0);
  const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  calls = 0;
  const product = tf.matMul(a, a);
  expect(calls).toBe(1);
  expect(Array.from(await product.data())).toEqual([7, 10, 15, 22]);
  // Gradients run kernels too.
  calls = 0;
  const grad = tf.grad((x: tf.Tensor) => x.square().sum())(a);
  expect(calls).toBeGreaterThanOrEqual(3);
  expect(Array.from(await grad.data())).toEqual([2, 4, 6, 8]);
  // A kernel registered later is wrapped by the next call.
  tf.registerKernel({
    kernelName: 'TestKernel',
    backendName: 'cpu',
    kernelFunc: ({ inputs }) => inputs.x as tf.TensorInfo,
  });
  expect(reportKernelProgress('cpu', progress)).toBe(1);
  tf.unregisterKernel('TestKernel', 'cpu');
  tf.dispose([a, product, grad]);
});
