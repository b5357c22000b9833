import { beforeAll, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend';
import { buildLstmModel, buildTransformer } from '../src/engine/sequenceModels';
import { TOY_VOCAB } from '../src/data';

beforeAll(async () => {
  await activateBackend('wasm');
});

const V = TOY_VOCAB.length;

test.each(['transformer', 'lstm'] as const)('the %s is causal: later tokens never change earlier outputs', (kind) => {
  const before = tf.memory().numTensors;
  const model =
    kind === 'transformer'
      ? buildTransformer({ vocab: V, contextLength: 6, layers: 2, dModel: 16, heads: 4, dropout: 0 }, 1)
      : buildLstmModel(
          {
            vocab: V,
            cell: 'lstm',
            embedding: 8,
            layers: [
              { units: 12, dropout: 0 },
              { units: 12, dropout: 0 },
            ],
          },
          1,
        );
  const [a, b] = tf.tidy(() => [
    model.forward(tf.tensor2d([[1, 2, 3, 4, 5, 6]], [1, 6], 'int32')).arraySync()[0],
    model.forward(tf.tensor2d([[1, 2, 3, 9, 9, 9]], [1, 6], 'int32')).arraySync()[0],
  ]);
  expect(a.slice(0, 3)).toEqual(b.slice(0, 3));
  expect(a[3]).not.toEqual(b[3]);
  model.dispose();
  expect(tf.memory().numTensors).toBe(before);
});
