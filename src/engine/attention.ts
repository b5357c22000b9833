// Causal multi-head self-attention, layer and RMS norms, and position encodings, written out in tf
// ops (tfjs exports no multi-head attention layer). The parametrisation matches PyTorch's
// nn.MultiheadAttention:
//   [q, k, v] = x·Wqkv + bqkv;  per head: softmax(q·kᵀ/√d_h + causal mask)·v;  out = concat·Wo + bo
// with, as options, q and k rotated by position (RoPE), a linear bias by distance (ALiBi) in place
// of the plain causal mask, and dropout on the attention weights.
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

/** What an attention layer may add: rotary position (RoPE tables from ropeTables), ALiBi, and dropout on its weights. */
export interface AttentionOptions {
  rope?: RopeTables | null;
  /** ALiBi's [heads, T, T] mask (from alibiMask), used instead of the causal mask. */
  alibi?: tf.Tensor3D | null;
  /** Dropout rate on the attention weights, and the seed of this call's mask (training only). */
  dropout?: { rate: number; seed: number } | null;
}

/** cos and sin of each position's angles, [T, dh], in the half-split layout rotateHalf uses. */
export interface RopeTables {
  cos: tf.Tensor2D;
  sin: tf.Tensor2D;
}

/**
 * RoPE (Su et al.), as GPT-NeoX and LLaMA write it: pair i of a head's dimensions (i and i + dh/2)
 * turns by position·θᵢ, θᵢ = 10000^(−2i/dh). Returns [T, dh] cos and sin tables.
 */
export function ropeTables(time: number, dh: number): RopeTables {
  const half = dh / 2;
  const cos = new Float32Array(time * dh);
  const sin = new Float32Array(time * dh);
  for (let p = 0; p < time; p++)
    for (let j = 0; j < dh; j++) {
      const angle = p * 10000 ** (-(2 * (j % half)) / dh);
      cos[p * dh + j] = Math.cos(angle);
      sin[p * dh + j] = Math.sin(angle);
    }
  return { cos: tf.tensor2d(cos, [time, dh]), sin: tf.tensor2d(sin, [time, dh]) };
}

/**
 * ALiBi's slope per head (Press et al. 2022): for H a power of two, 2^(−8h/H) for h = 1…H; otherwise
 * the slopes of the power of two below H, then every other slope of the one above, as the paper's code.
 */
export function alibiSlopes(heads: number): number[] {
  const powerOfTwo = (n: number) => Array.from({ length: n }, (_, i) => 2 ** ((-8 * (i + 1)) / n));
  const below = 2 ** Math.floor(Math.log2(heads));
  if (below === heads) return powerOfTwo(heads);
  return [...powerOfTwo(below), ...alibiSlopes(2 * below).filter((_, i) => i % 2 === 0)].slice(0, heads);
}

/** [heads, T, T]: −slope·(i − j) where query i may see key j (j ≤ i), −1e9 after, as the causal mask. */
export function alibiMask(time: number, heads: number): tf.Tensor3D {
  const values = new Float32Array(heads * time * time);
  alibiSlopes(heads).forEach((slope, h) => {
    for (let i = 0; i < time; i++)
      for (let j = 0; j < time; j++) values[(h * time + i) * time + j] = j <= i ? -slope * (i - j) : -1e9;
  });
  return tf.tensor3d(values, [heads, time, time]);
}

/** x·cos + rotate_half(x)·sin for x [batch·heads, T, dh]; rotate_half(x) = [−x₂, x₁] of its halves. */
function rotate(x: tf.Tensor3D, { cos, sin }: RopeTables): tf.Tensor3D {
  const [x1, x2] = tf.split(x, 2, 2);
  return x.mul(cos).add(tf.concat([x2.neg(), x1], 2).mul(sin)) as tf.Tensor3D;
}

/**
 * The fixed sinusoidal position vectors of "Attention is all you need": [T, d] with
 * PE[p, 2i] = sin(p / 10000^(2i/d)) and PE[p, 2i+1] = cos(p / 10000^(2i/d)).
 */
export function sinusoidalPositions(time: number, d: number): Float32Array {
  const pe = new Float32Array(time * d);
  for (let p = 0; p < time; p++)
    for (let j = 0; j < d; j++) {
      const angle = p / 10000 ** ((2 * Math.floor(j / 2)) / d);
      pe[p * d + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  return pe;
}

/** q, k, v of x [batch, time, d], each [batch·heads, time, dh]. */
function headsOf(x: tf.Tensor3D, w: AttentionWeights, heads: number): tf.Tensor3D[] {
  const [batch, time, d] = x.shape;
  // Split q, k, v first and move heads forward per tensor: wasm transposes a 5-D tensor through a
  // slow generic path (68 ms for [32, 64, 3, 4, 24], against 10 ms for the split and three 4-D ones).
  const qkv = linear(x.reshape([batch * time, d]), w.wqkv, w.bqkv);
  return tf.split(qkv, 3, 1).map(
    (t) =>
      t
        .reshape([batch, time, heads, d / heads])
        .transpose([0, 2, 1, 3])
        .reshape([batch * heads, time, d / heads]) as tf.Tensor3D,
  );
}

/** The heads' mixed values [batch·heads, time, dh] back to [batch, time, d], through the output projection. */
function outputOf(mixed: tf.Tensor3D, w: AttentionWeights, batch: number, heads: number): tf.Tensor3D {
  const [, time, dh] = mixed.shape;
  const d = heads * dh;
  const merged = mixed
    .reshape([batch, heads, time, dh])
    .transpose([0, 2, 1, 3])
    .reshape([batch * time, d]) as tf.Tensor2D;
  return linear(merged, w.wo, w.bo).reshape([batch, time, d]) as tf.Tensor3D;
}

/** x: [batch, time, d] → [batch, time, d]; `mask` from causalMask(time). */
export function causalSelfAttention(
  x: tf.Tensor3D,
  w: AttentionWeights,
  heads: number,
  mask: tf.Tensor2D,
  options: AttentionOptions = {},
): AttentionResult {
  const [batch, time, d] = x.shape;
  const dh = d / heads;
  const [q, k, v] = headsOf(x, w, heads);
  const [qr, kr] = options.rope ? [rotate(q, options.rope), rotate(k, options.rope)] : [q, k];
  const raw = qr.matMul(kr, false, true).mul(1 / Math.sqrt(dh));
  const scores = options.alibi
    ? raw
        .reshape([batch, heads, time, time])
        .add(options.alibi)
        .reshape([batch * heads, time, time])
    : raw.add(mask);
  const weights = scores.softmax() as tf.Tensor3D;
  const drop = options.dropout;
  const used = drop && drop.rate > 0 ? (tf.dropout(weights, drop.rate, undefined, drop.seed) as tf.Tensor3D) : weights;
  const out = outputOf(used.matMul(v) as tf.Tensor3D, w, batch, heads);
  return { out, weights: weights.reshape([batch, heads, time, time]) as tf.Tensor4D };
}

/** One block's keys (rotated, with RoPE) and values of the positions decoded so far: [heads, positions, dh]. */
export interface KeyValues {
  k: tf.Tensor3D;
  v: tf.Tensor3D;
}

/**
 * Attention for one sequence's new positions from, …, from + n − 1 (x: [1, n, d]), given the keys and values of the
 * positions before them: what causalSelfAttention gives those rows of the whole sequence, at the cost of n rows.
 * `full` holds the context's whole tables (mask, RoPE, ALiBi), of which the rows of these positions are used.
 * Returns the output and the keys and values now cached, `past`'s and the new ones'.
 */
export function cachedSelfAttention(
  x: tf.Tensor3D,
  w: AttentionWeights,
  heads: number,
  past: KeyValues | null,
  from: number,
  full: { mask: tf.Tensor2D; rope: RopeTables | null; alibi: tf.Tensor3D | null },
): { out: tf.Tensor3D; cache: KeyValues } {
  const [, n, d] = x.shape;
  const dh = d / heads;
  const [q, k, v] = headsOf(x, w, heads);
  const rows = (t: tf.Tensor2D) => t.slice([from, 0], [n, dh]);
  const rope = full.rope && { cos: rows(full.rope.cos), sin: rows(full.rope.sin) };
  const [qr, kr] = rope ? [rotate(q, rope), rotate(k, rope)] : [q, k];
  const keys = past ? (tf.concat([past.k, kr], 1) as tf.Tensor3D) : kr;
  const values = past ? (tf.concat([past.v, v], 1) as tf.Tensor3D) : v;
  const total = from + n;
  const raw = qr.matMul(keys, false, true).mul(1 / Math.sqrt(dh));
  const scores = full.alibi
    ? raw.add(full.alibi.slice([0, from, 0], [heads, n, total]))
    : raw.add(full.mask.slice([from, 0], [n, total]));
  const out = outputOf(scores.softmax().matMul(values) as tf.Tensor3D, w, 1, heads);
  return { out, cache: { k: keys, v: values } };
}

/** RMS norm over the last axis: x/√(mean(x²) + ε)·γ (Zhang and Sennrich), ε = 1e-5 as our layer norm. */
export function rmsNorm(x: tf.Tensor, gamma: tf.Tensor1D, epsilon = 1e-5): tf.Tensor {
  return x.mul(x.square().mean(-1, true).add(epsilon).rsqrt()).mul(gamma);
}

/** Layer norm over the last axis: (x − mean)/√(var + ε)·γ + β, ε = 1e-5 as in PyTorch. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor1D, beta: tf.Tensor1D, epsilon = 1e-5): tf.Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return x.sub(mean).div(variance.add(epsilon).sqrt()).mul(gamma).add(beta);
}
