import { beforeAll, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend';
import { buildLstmModel, buildTransformer, type TransformerModelSpec } from '../src/engine/sequenceModels';
import { TRANSFORMER_OPTION_DEFAULTS } from '../src/experiment';
import { TOY_VOCAB } from '../src/data';

beforeAll(async () => {
  await activateBackend('wasm');
});

const V = TOY_VOCAB.length;

const transformer = {
  ...TRANSFORMER_OPTION_DEFAULTS,
  vocab: V,
  contextLength: 6,
  layers: 2,
  dModel: 16,
  heads: 4,
  dropout: 0,
};
/** Each transformer option at least once. */
const TRANSFORMERS: Record<string, Partial<TransformerModelSpec>> = {
  transformer: {},
  'transformer with sinusoidal positions, RMSNorm, post-norm, ReLU': {
    position: 'sinusoidal',
    norm: 'rmsNorm',
    normPlacement: 'post',
    mlpActivation: 'relu',
  },
  'transformer with RoPE, SwiGLU, tied embeddings': { position: 'rope', mlpActivation: 'swiglu', tiedEmbeddings: true },
  'transformer with no positions': { position: 'none' },
  'transformer with ALiBi': { position: 'alibi' },
};

test.each([...Object.keys(TRANSFORMERS), 'lstm'])(
  'the %s is causal: later tokens never change earlier outputs',
  (kind) => {
    const before = tf.memory().numTensors;
    const model =
      kind !== 'lstm'
        ? buildTransformer({ ...transformer, ...TRANSFORMERS[kind] }, 1)
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
  },
);

test('attention dropout acts while training only, and only when set', () => {
  const before = tf.memory().numTensors;
  const outputs = (attentionDropout: number) => {
    const model = buildTransformer({ ...transformer, attentionDropout }, 1);
    let seed = 7;
    const [train, evaluate] = tf.tidy(() => {
      const x = tf.tensor2d([[1, 2, 3, 4, 5, 6]], [1, 6], 'int32');
      return [model.forward(x, () => seed++).dataSync(), model.forward(x).dataSync()];
    });
    model.dispose();
    return { train: Array.from(train), evaluate: Array.from(evaluate) };
  };
  const off = outputs(0);
  expect(off.train).toEqual(off.evaluate);
  const on = outputs(0.5);
  expect(on.evaluate).toEqual(off.evaluate); // the same weights, no dropout in evaluation
  expect(on.train).not.toEqual(on.evaluate);
  expect(tf.memory().numTensors).toBe(before);
});

test.each(Object.keys(TRANSFORMERS))(
  'the %s decodes with a key–value cache: each fed position gets the logits of the whole prefix',
  (kind) => {
    const before = tf.memory().numTensors;
    const model = buildTransformer({ ...transformer, ...TRANSFORMERS[kind], contextLength: 8 }, 3);
    const sequence = [4, 1, 7, 2, 2, 9, 0, 5];
    const decoder = model.startDecoding!();
    // A prompt of three tokens at once, then one token a step, to the end of the context.
    const feeds = [sequence.slice(0, 3), ...sequence.slice(3).map((t) => [t])];
    let fed = 0;
    for (const tokens of feeds) {
      const cached = decoder.feed(tokens);
      fed += tokens.length;
      expect(decoder.length).toBe(fed);
      const whole = tf.tidy(() => {
        const out = model.forward(tf.tensor2d(sequence.slice(0, fed), [1, fed], 'int32'));
        return out.slice([0, fed - 1, 0], [1, 1, V]).reshape([-1]);
      });
      const [a, b] = [cached.dataSync(), whole.dataSync()];
      const gap = Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i])));
      expect(gap, `after ${fed} tokens`).toBeLessThan(1e-5);
      expect(Math.max(...Array.from(b, Math.abs))).toBeGreaterThan(1e-3); // not a match of zeros
      tf.dispose([cached, whole]);
    }
    expect(() => decoder.feed([1])).toThrow('the decoder holds 8 positions: 8 fed, 1 more asked');
    decoder.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  },
);
