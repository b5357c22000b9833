import { beforeAll, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend';
import { buildLstmModel, buildTransformer, sequenceAccuracy, sequenceLoss } from '../src/engine/sequenceModels';
import { createOptimizer } from '../src/engine/optimizers';
import { Rng, toyExamples, TOY_VOCAB } from '../src/data';
import { defaultSpec } from '../src/spec';

beforeAll(async () => {
  await activateBackend('wasm');
});

const V = TOY_VOCAB.length;

test.each(['transformer', 'lstm'] as const)('the %s is causal: later tokens never change earlier outputs', (kind) => {
  const before = tf.memory().numTensors;
  const model = kind === 'transformer'
    ? buildTransformer({ vocab: V, contextLength: 6, layers: 2, dModel: 16, heads: 4, dropout: 0 }, 1)
    : buildLstmModel({ vocab: V, embedding: 8, units: 12, layers: 2, dropout: 0 }, 1);
  const [a, b] = tf.tidy(() => [
    model.forward(tf.tensor2d([[1, 2, 3, 4, 5, 6]], [1, 6], 'int32')).arraySync()[0],
    model.forward(tf.tensor2d([[1, 2, 3, 9, 9, 9]], [1, 6], 'int32')).arraySync()[0],
  ]);
  expect(a.slice(0, 3)).toEqual(b.slice(0, 3));
  expect(a[3]).not.toEqual(b[3]);
  model.dispose();
  expect(tf.memory().numTensors).toBe(before);
});

test('the transformer learns to reverse digit strings (≥ 95% token accuracy)', async () => {
  const n = 3000;
  const train = toyExamples('reverse', 5, n, 1);
  const val = toyExamples('reverse', 5, 500, 2);
  const T = train.length;
  const model = buildTransformer({ vocab: V, contextLength: T, layers: 2, dModel: 48, heads: 4, dropout: 0 }, 3);
  const optimizer = createOptimizer({ ...defaultSpec().training.optimizer, kind: 'adam', learningRate: 3e-3 }, model.variables);
  const tensors = {
    x: tf.tensor2d(train.x, [n, T], 'int32'), y: tf.tensor2d(train.y, [n, T], 'int32'), m: tf.tensor2d(train.mask, [n, T]),
    xv: tf.tensor2d(val.x, [500, T], 'int32'), yv: tf.tensor2d(val.y, [500, T], 'int32'), mv: tf.tensor2d(val.mask, [500, T]),
  };
  const order = new Rng(5).permutation(n);
  const batch = 64;
  for (let b = 0; b < Math.floor(n / batch); b++) {
    tf.tidy(() => {
      const idx = tf.tensor1d(order.subarray(b * batch, (b + 1) * batch), 'int32');
      const [xb, yb, mb] = [tensors.x, tensors.y, tensors.m].map((t) => tf.gather(t, idx) as tf.Tensor2D);
      const { grads } = tf.variableGrads(() => sequenceLoss(model.forward(xb), yb, mb), model.variables);
      optimizer.step(grads, 3e-3);
    });
  }
  const accuracy = tf.tidy(() => sequenceAccuracy(model.forward(tensors.xv), tensors.yv, tensors.mv).token.dataSync()[0]);
  expect(accuracy).toBeGreaterThanOrEqual(0.95);
  tf.dispose(Object.values(tensors));
  optimizer.dispose();
  model.dispose();
});
