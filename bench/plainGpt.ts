// The small GPT written the plain tfjs way, for the ratio "our engine vs plain tfjs" in tokens/s:
// tf.variable weights, tf ops for the forward pass (the same architecture as
// engine/sequenceModels.ts: token + learned position embeddings, pre-LayerNorm blocks of causal
// multi-head attention and a 4× GELU MLP, final LayerNorm, linear head), tf.losses'
// softmaxCrossEntropy, and tf.train.adam's minimize. It imports nothing from the engine, so it
// measures what a person writing the model by hand in tfjs gets. Runs in Node and in the page.
import * as tf from '@tensorflow/tfjs';
import { workPerStep } from './dispatches';

export interface PlainGptShape {
  vocab: number;
  contextLength: number;
  layers: number;
  dModel: number;
  heads: number;
}

export interface PlainGptData {
  /** n × T tokens and their next tokens. */
  x: Int32Array;
  y: Int32Array;
  n: number;
}

/** The model: variables in the order of engine/sequenceModels.ts' transformer, and its forward pass. */
export function plainGpt(s: PlainGptShape, seed: number) {
  const d = s.dModel;
  let next = seed;
  // tf.variable shares its initial value's memory; the initial tensor itself is disposed here.
  const variable = (initial: tf.Tensor) => {
    const v = tf.variable(initial);
    initial.dispose();
    return v;
  };
  const normal = (shape: number[], std: number) => variable(tf.randomNormal(shape, 0, std, 'float32', next++));
  const zeros = (n: number) => variable(tf.zeros([n]));
  const ones = (n: number) => variable(tf.ones([n]));
  const tokenEmbed = normal([s.vocab, d], 0.02);
  const posEmbed = normal([s.contextLength, d], 0.02);
  const blocks = Array.from({ length: s.layers }, () => ({
    ln1g: ones(d),
    ln1b: zeros(d),
    wqkv: normal([d, 3 * d], 0.02),
    bqkv: zeros(3 * d),
    wo: normal([d, d], 0.02 / Math.sqrt(2 * s.layers)),
    bo: zeros(d),
    ln2g: ones(d),
    ln2b: zeros(d),
    w1: normal([d, 4 * d], 0.02),
    b1: zeros(4 * d),
    w2: normal([4 * d, d], 0.02 / Math.sqrt(2 * s.layers)),
    b2: zeros(d),
  }));
  const lnfg = ones(d);
  const lnfb = zeros(d);
  const head = normal([d, s.vocab], 0.02);
  const variables = [tokenEmbed, posEmbed, ...blocks.flatMap((b) => Object.values(b)), lnfg, lnfb, head];
  const mask = tf.tidy(() =>
    tf.linalg
      .bandPart(tf.ones([s.contextLength, s.contextLength]), -1, 0)
      .sub(1)
      .mul(1e9),
  );

  const layerNorm = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return x.sub(mean).div(variance.add(1e-5).sqrt()).mul(g).add(b);
  };
  const gelu = (x: tf.Tensor) =>
    x.mul(0.5).mul(
      x
        .add(x.pow(3).mul(0.044715))
        .mul(Math.sqrt(2 / Math.PI))
        .tanh()
        .add(1),
    );
  const dense = (x: tf.Tensor, w: tf.Tensor, b: tf.Tensor) => {
    const shape = x.shape;
    const out = x
      .reshape([-1, shape[shape.length - 1]])
      .matMul(w as tf.Tensor2D)
      .add(b);
    return out.reshape([...shape.slice(0, -1), w.shape[1]!]);
  };

  /** tokens [B, T] → logits [B·T, V]. */
  const forward = (tokens: tf.Tensor2D) => {
    const [B, T] = tokens.shape;
    const dh = d / s.heads;
    // tf.gather's gradient needs UnsortedSegmentSum, which the wasm backend lacks: one-hot × table.
    let x = tf
      .oneHot(tokens, s.vocab)
      .toFloat()
      .reshape([B * T, s.vocab])
      .matMul(tokenEmbed)
      .reshape([B, T, d]);
    x = x.add(posEmbed);
    for (const b of blocks) {
      const qkv = dense(layerNorm(x, b.ln1g, b.ln1b), b.wqkv, b.bqkv).reshape([B, T, 3, s.heads, dh]);
      const [q, k, v] = tf.unstack(qkv.transpose([2, 0, 3, 1, 4])) as tf.Tensor4D[]; // [B, H, T, dh]
      const weights = tf.softmax(
        q
          .matMul(k, false, true)
          .mul(1 / Math.sqrt(dh))
          .add(mask),
      );
      const mixed = weights.matMul(v).transpose([0, 2, 1, 3]).reshape([B, T, d]);
      x = x.add(dense(mixed, b.wo, b.bo));
      x = x.add(dense(gelu(dense(layerNorm(x, b.ln2g, b.ln2b), b.w1, b.b1)), b.w2, b.b2));
    }
    return layerNorm(x, lnfg, lnfb)
      .reshape([B * T, d])
      .matMul(head) as tf.Tensor2D;
  };
  return {
    variables,
    forward,
    dispose: () => tf.dispose([...variables, mask]),
  };
}

function batchLoss(
  model: ReturnType<typeof plainGpt>,
  shape: PlainGptShape,
  data: PlainGptData,
  from: number,
  B: number,
) {
  const T = shape.contextLength;
  const x = tf.tensor2d(data.x.subarray(from * T, (from + B) * T), [B, T], 'int32');
  const y = tf.oneHot(tf.tensor1d(data.y.subarray(from * T, (from + B) * T), 'int32'), shape.vocab);
  return tf.losses.softmaxCrossEntropy(y, model.forward(x)) as tf.Scalar;
}

/**
 * Training examples (windows of contextLength tokens) per second of the plain tfjs GPT, over
 * epochs 2…epochs (the first is warm-up), batches in order.
 */
export async function plainGptExamplesPerSec(
  shape: PlainGptShape,
  data: PlainGptData,
  training: { batchSize: number; learningRate: number; epochs: number; seed: number },
): Promise<number> {
  const model = plainGpt(shape, training.seed);
  const optimizer = tf.train.adam(training.learningRate);
  const B = training.batchSize;
  const steps = Math.floor(data.n / B);
  let start = 0;
  for (let e = 0; e < training.epochs; e++) {
    if (e === 1) start = performance.now();
    for (let s = 0; s < steps; s++) {
      const cost = tf.tidy(() =>
        optimizer.minimize(() => batchLoss(model, shape, data, s * B, B), true, model.variables)!,
      );
      if (s === steps - 1) await cost.data(); // an epoch ends when its work is done
      cost.dispose();
    }
  }
  const seconds = (performance.now() - start) / 1000;
  model.dispose();
  optimizer.dispose();
  return ((training.epochs - 1) * steps * B) / seconds;
}

/** Kernels (dispatches on webgpu) one training step of the plain tfjs GPT runs, after a warm-up step. */
export async function plainGptKernelsPerStep(
  shape: PlainGptShape,
  data: PlainGptData,
  training: { batchSize: number; learningRate: number; seed: number },
): Promise<number> {
  const model = plainGpt(shape, training.seed);
  const optimizer = tf.train.adam(training.learningRate);
  const step = () =>
    tf.tidy(() => {
      optimizer.minimize(() => batchLoss(model, shape, data, 0, training.batchSize), false, model.variables);
    });
  step();
  const count = await workPerStep(step);
  model.dispose();
  optimizer.dispose();
  return count;
}
