// Causal multi-head self-attention and layer norm, written out in tf ops (tfjs exports no
// multi-head attention layer). The parametrisation matches PyTorch's nn.MultiheadAttention:
//   [q, k, v] = x·Wqkv + bqkv;  per head: softmax(q·kᵀ/√d_h + causal mask)·v;  out = concat·Wo + bo
import * as tf from '@tensorflow/tfjs';
import { linear } from './linear';

export interface AttentionWeights {
  /** [d, 3d]: columns are the q, k, v blocks. */
  wqkv: tf.Tensor2D;
  bqkv: tf.Tensor1D;
  /** [d, d]. */
  wo: tf.Tensor2D;
  bo: tf.Tensor1D;
}

/** [T, T] additive mask: 0 where a position may attend (itself and earlier), −1e9 after. */
export function causalMask(time: number): tf.Tensor2D {
  return tf.tidy(
    () =>
      tf.linalg
        .bandPart(tf.ones([time, time]), -1, 0)
        .sub(1)
        .mul(1e9) as tf.Tensor2D,
  );
}

export interface AttentionResult {
  out: tf.Tensor3D;
  /** [batch, heads, time, time] attention weights (each row sums to 1). */
  weights: tf.Tensor4D;
}

/** x: [batch, time, d] → [batch, time, d]; `mask` from causalMask(time). */
export function causalSelfAttention(
  x: tf.Tensor3D,
  w: AttentionWeights,
  heads: number,
  mask: tf.Tensor2D,
): AttentionResult {
  const [batch, time, d] = x.shape;
  const dh = d / heads;
  // Split q, k, v first and move heads forward per tensor: wasm transposes a 5-D tensor through a
  // slow generic path (68 ms for [32, 64, 3, 4, 24], against 10 ms for the split and three 4-D ones).
  const qkv = linear(x.reshape([batch * time, d]), w.wqkv, w.bqkv);
  const [q, k, v] = tf.split(qkv, 3, 1).map(
    (t) =>
      t
        .reshape([batch, time, heads, dh])
        .transpose([0, 2, 1, 3])
        .reshape([batch * heads, time, dh]) as tf.Tensor3D,
  );
  const scores = q
    .matMul(k, false, true)
    .mul(1 / Math.sqrt(dh))
    .add(mask);
  const weights = scores.softmax() as tf.Tensor3D;
  const mixed = weights
    .matMul(v)
    .reshape([batch, heads, time, dh])
    .transpose([0, 2, 1, 3])
    .reshape([batch * time, d]);
  const out = linear(mixed as tf.Tensor2D, w.wo, w.bo).reshape([batch, time, d]) as tf.Tensor3D;
  return { out, weights: weights.reshape([batch, heads, time, time]) as tf.Tensor4D };
}

/** Layer norm over the last axis: (x − mean)/√(var + ε)·γ + β, ε = 1e-5 as in PyTorch. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon = 1e-5): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).div(variance.add(epsilon).sqrt()).mul(gamma).add(beta);
}
