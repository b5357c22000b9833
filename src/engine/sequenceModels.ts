// Sequence models built from a spec-like description: an LSTM stack and a decoder-only
// transformer. Weights are drawn in JavaScript from the seed, like the MLP's, so every backend
// starts from the same numbers.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../data/rng';
import { GATES, type RecurrentCell, type TransformerSpec } from '../experiment/types';
import { linear } from './linear';
import { targetLogProbs } from './kernels/targetLogProbs';
import { embedTokens } from './kernels/embedTokens';
import { lstmLayer } from './lstm';
import { gruLayer } from './gru';
import { rnnLayer } from './rnn';
import {
  cachedSelfAttention,
  causalMask,
  causalSelfAttention,
  type KeyValues,
  layerNorm,
  rmsNorm,
  ropeTables,
  alibiMask,
  sinusoidalPositions,
  type RopeTables,
} from './attention';
import { activate } from './activations';

export interface SequenceModel {
  variables: tf.Variable[];
  /** Each variable's stable name, in the same order (checkpoints, safetensors; see the README). */
  names: string[];
  /** Named groups of variables, for per-layer norms. */
  groups: { name: string; weights: tf.Variable[] }[];
  /**
   * tokens [batch, time] (int32) → logits [batch, time, vocab]; a series model takes values
   * [batch, time] and gives its forecast as [batch, 1, 1]. `dropoutSeed` turns dropout on;
   * `attention` collects each transformer block's attention weights when given.
   */
  forward: (tokens: tf.Tensor2D, dropoutSeed?: () => number, attention?: tf.Tensor4D[]) => tf.Tensor3D;
  /** Transformers: a decoder with a key–value cache, for sampling one token at a time (see Decoder). */
  startDecoding?: () => Decoder;
  /** Recurrent stacks: their variables by role (the compiled WebGPU step reads them; compiled/recurrentStep.ts). */
  recurrent?: RecurrentParts;
  dispose: () => void;
}

/**
 * Feeds one sequence's tokens a few at a time (a prompt, then one token a step), keeping each block's keys and
 * values, so each step computes only its new positions: the logits forward() gives for them, without recomputing
 * the positions before. It holds the model's context length of positions at most.
 */
export interface Decoder {
  /** Positions fed so far. */
  readonly length: number;
  /** Feed these tokens, at the positions after those fed before: the last one's logits [vocab] (the caller frees). */
  feed: (tokens: number[]) => tf.Tensor1D;
  dispose: () => void;
}

/** The tokens' rows of the embedding table (see kernels/embedTokens.ts): [batch, time] → [batch, time, width]. */
function embed(table: tf.Variable, tokens: tf.Tensor2D): tf.Tensor3D {
  const [batch, time] = tokens.shape;
  const width = table.shape[1] as number;
  return embedTokens(table as unknown as tf.Tensor2D, tokens.reshape([-1]).toInt() as tf.Tensor1D).reshape([
    batch,
    time,
    width,
  ]) as tf.Tensor3D;
}

function variable(values: Float32Array, shape: number[]): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor(values, shape)));
}

function normal(rng: Rng, size: number, std: number): Float32Array {
  return Float32Array.from({ length: size }, () => rng.normal() * std);
}

function uniform(rng: Rng, size: number, limit: number): Float32Array {
  return Float32Array.from({ length: size }, () => rng.uniform(-limit, limit));
}

const constant = (size: number, v: number) => new Float32Array(size).fill(v);

function maybeDropout<T extends tf.Tensor>(x: T, rate: number, seed?: () => number): T {
  return seed && rate > 0 ? (tf.dropout(x, rate, undefined, seed()) as T) : x;
}

export interface LstmModelSpec {
  /** Token inputs: the alphabet size; null for series, whose input is one value per step. */
  vocab: number | null;
  embedding: number;
  /** The recurrent cell of every layer. */
  cell: RecurrentCell;
  layers: { units: number; dropout: number }[];
}

/** A recurrent stack's variables by role: the embedding, each layer's, the head's. */
export interface RecurrentParts {
  cell: RecurrentCell;
  /** [vocab, embedding]; null for a series. */
  embedding: tf.Variable | null;
  /** bx: the LSTM's and RNN's one bias, the GRU's input bias; bh: the GRU's recurrent bias (null for the others). */
  layers: { wx: tf.Variable; wh: tf.Variable; bx: tf.Variable; bh: tf.Variable | null; dropout: number }[];
  head: tf.Variable;
  headBias: tf.Variable;
}

interface RecurrentLayer {
  dropout: number;
  /** The same variables by role. */
  parts: RecurrentParts['layers'][number];
  /** Its variables with their names' last part, e.g. ['weight_x', wx]. */
  named: [string, tf.Variable][];
  /** The matrices (for per-layer norms). */
  matrices: tf.Variable[];
  run: (x: tf.Tensor3D, inputIsData: boolean) => tf.Tensor3D;
}

/**
 * One recurrent layer with PyTorch's initialisation, U(−1/√h, 1/√h) for every weight and bias,
 * except that the LSTM's forget-gate bias starts at 1 (as Keras does): the cell keeps its memory
 * from the start, which speeds learning markedly.
 */
function recurrentLayer(cell: RecurrentCell, inputs: number, units: number, dropout: number, rng: Rng): RecurrentLayer {
  const h = units;
  const k = 1 / Math.sqrt(h);
  const gates = GATES[cell] * h;
  const v2 = (t: tf.Variable) => t as unknown as tf.Tensor2D;
  const v1 = (t: tf.Variable) => t as unknown as tf.Tensor1D;
  if (cell === 'gru') {
    const bx = variable(uniform(rng, gates, k), [gates]);
    const bh = variable(uniform(rng, gates, k), [gates]);
    const wx = variable(uniform(rng, inputs * gates, k), [inputs, gates]);
    const wh = variable(uniform(rng, h * gates, k), [h, gates]);
    return {
      dropout,
      parts: { wx, wh, bx, bh, dropout },
      named: [
        ['weight_x', wx],
        ['weight_h', wh],
        ['bias_x', bx],
        ['bias_h', bh],
      ],
      matrices: [wx, wh],
      run: (x, isData) => gruLayer(x, { wx: v2(wx), wh: v2(wh), bx: v1(bx), bh: v1(bh) }, isData),
    };
  }
  const bias = uniform(rng, gates, k);
  if (cell === 'lstm') bias.fill(1, h, 2 * h);
  const b = variable(bias, [gates]);
  const wx = variable(uniform(rng, inputs * gates, k), [inputs, gates]);
  const wh = variable(uniform(rng, h * gates, k), [h, gates]);
  const w = { wx: v2(wx), wh: v2(wh), b: v1(b) };
  return {
    dropout,
    parts: { wx, wh, bx: b, bh: null, dropout },
    named: [
      ['weight_x', wx],
      ['weight_h', wh],
      ['bias', b],
    ],
    matrices: [wx, wh],
    run: (x, isData) => (cell === 'lstm' ? lstmLayer(x, w, isData) : rnnLayer(x, w, isData)),
  };
}

/**
 * Token embedding (or the raw value) → stacked recurrent layers (LSTM, GRU or vanilla RNN), each
 * with dropout on its outputs → a dense head: next-token logits at every position, or (series)
 * one forecast from the last step.
 */
export function buildLstmModel(s: LstmModelSpec, seed: number): SequenceModel {
  const rng = new Rng(seed);
  const vocab = s.vocab;
  const embedding = vocab ? variable(normal(rng, vocab * s.embedding, 1), [vocab, s.embedding]) : null;
  const stack = s.layers.map((layer, i) =>
    recurrentLayer(
      s.cell,
      i === 0 ? (vocab ? s.embedding : 1) : s.layers[i - 1].units,
      layer.units,
      layer.dropout,
      rng,
    ),
  );
  const top = s.layers[s.layers.length - 1].units;
  const outputs = vocab ?? 1;
  const head = variable(uniform(rng, top * outputs, 1 / Math.sqrt(top)), [top, outputs]);
  const headBias = variable(constant(outputs, 0), [outputs]);
  const variables = [
    ...(embedding ? [embedding] : []),
    ...stack.flatMap((l) => l.named.map(([, v]) => v)),
    head,
    headBias,
  ];
  const names = [
    ...(embedding ? ['embedding.weight'] : []),
    ...stack.flatMap((l, i) => l.named.map(([name]) => `${s.cell}.${i}.${name}`)),
    'head.weight',
    'head.bias',
  ];
  return {
    variables,
    names,
    groups: [
      ...(embedding ? [{ name: 'embedding', weights: [embedding] }] : []),
      ...stack.map((l, i) => ({ name: `${s.cell} ${i + 1}`, weights: l.matrices })),
      { name: 'head', weights: [head] },
    ],
    recurrent: { cell: s.cell, embedding, layers: stack.map((l) => l.parts), head, headBias },
    forward(x, dropoutSeed) {
      const [batch, time] = x.shape;
      let h = embedding ? embed(embedding, x) : (x.toFloat().reshape([batch, time, 1]) as tf.Tensor3D);
      for (const [i, l] of stack.entries()) {
        h = l.run(h, !embedding && i === 0);
        h = maybeDropout(h, l.dropout, dropoutSeed);
      }
      if (!vocab) {
        // Series: forecast the next value from the last step's state.
        const last = h.slice([0, time - 1, 0], [batch, 1, top]).reshape([batch, top]) as tf.Tensor2D;
        return linear(last, head as unknown as tf.Tensor2D, headBias as unknown as tf.Tensor1D).reshape([
          batch,
          1,
          1,
        ]) as tf.Tensor3D;
      }
      return linear(
        h.reshape([batch * time, top]) as tf.Tensor2D,
        head as unknown as tf.Tensor2D,
        headBias as unknown as tf.Tensor1D,
      ).reshape([batch, time, vocab]) as tf.Tensor3D;
    },
    dispose: () => variables.forEach((v) => v.dispose()),
  };
}

/** The transformer as the spec describes it, with the data's alphabet and context length. */
export type TransformerModelSpec = Omit<TransformerSpec, 'kind'> & { vocab: number; contextLength: number };

/** SwiGLU's hidden width: ⌈8d/3⌉, so its three matrices hold about the parameters of a 4× MLP's two. */
export const swigluHidden = (d: number) => Math.ceil((8 * d) / 3);

/**
 * Decoder-only transformer: token embeddings plus position (learned, sinusoidal, RoPE or ALiBi
 * inside attention, or none); N blocks of causal multi-head self-attention and an MLP (GELU or ReLU on
 * 4d units, or SwiGLU), each a residual branch with LayerNorm or RMSNorm before it (pre-norm, with
 * a final norm, as GPT-2) or after the sum (post-norm, as the original transformer); a linear head,
 * or the token embedding transposed (tied). GPT-2 style initialisation (N(0, 0.02); residual
 * projections scaled by 1/√(2N)).
 */
export function buildTransformer(s: TransformerModelSpec, seed: number): SequenceModel {
  const rng = new Rng(seed);
  const d = s.dModel;
  const std = 0.02;
  const residualStd = std / Math.sqrt(2 * s.layers);
  const swiglu = s.mlpActivation === 'swiglu';
  const hidden = swiglu ? swigluHidden(d) : 4 * d;
  const fc1Width = swiglu ? 2 * hidden : hidden; // SwiGLU: the gate's columns, then the value's
  const layerNorm_ = s.norm === 'layerNorm';
  const named: [string, tf.Variable][] = [];
  const add = (name: string, v: tf.Variable) => {
    named.push([name, v]);
    return v;
  };
  const tokenEmbed = add('token_embedding.weight', variable(normal(rng, s.vocab * d, std), [s.vocab, d]));
  const posEmbed =
    s.position === 'learned'
      ? add('position_embedding.weight', variable(normal(rng, s.contextLength * d, std), [s.contextLength, d]))
      : null;
  /** A norm's gain (and, for LayerNorm, its bias). */
  const normParams = (prefix: string) => ({
    g: add(`${prefix}.weight`, variable(constant(d, 1), [d])),
    b: layerNorm_ ? add(`${prefix}.bias`, variable(constant(d, 0), [d])) : null,
  });
  const blocks = Array.from({ length: s.layers }, (_, i) => {
    const at = (name: string) => `blocks.${i}.${name}`;
    const ln1 = normParams(at('ln1'));
    const wqkv = add(at('attn.qkv.weight'), variable(normal(rng, d * 3 * d, std), [d, 3 * d]));
    const bqkv = add(at('attn.qkv.bias'), variable(constant(3 * d, 0), [3 * d]));
    const wo = add(at('attn.out.weight'), variable(normal(rng, d * d, residualStd), [d, d]));
    const bo = add(at('attn.out.bias'), variable(constant(d, 0), [d]));
    const ln2 = normParams(at('ln2'));
    const w1 = add(at('mlp.fc1.weight'), variable(normal(rng, d * fc1Width, std), [d, fc1Width]));
    const b1 = add(at('mlp.fc1.bias'), variable(constant(fc1Width, 0), [fc1Width]));
    const w2 = add(at('mlp.fc2.weight'), variable(normal(rng, hidden * d, residualStd), [hidden, d]));
    const b2 = add(at('mlp.fc2.bias'), variable(constant(d, 0), [d]));
    return { ln1, wqkv, bqkv, wo, bo, ln2, w1, b1, w2, b2 };
  });
  const lnf = s.normPlacement === 'pre' ? normParams('ln_f') : null;
  const head = s.tiedEmbeddings ? null : add('head.weight', variable(normal(rng, d * s.vocab, std), [d, s.vocab]));
  const variables = named.map(([, v]) => v);
  const names = named.map(([n]) => n);
  const v1 = (t: tf.Variable) => t as unknown as tf.Tensor1D;
  const v2 = (t: tf.Variable) => t as unknown as tf.Tensor2D;
  const norm = (x: tf.Tensor, p: { g: tf.Variable; b: tf.Variable | null }) =>
    (p.b ? layerNorm(x, v1(p.g), v1(p.b)) : rmsNorm(x, v1(p.g))) as tf.Tensor3D;
  // Tensors that depend only on the sequence length, made once per length.
  const constants = new Map<
    number,
    { mask: tf.Tensor2D; positions: tf.Tensor2D | null; rope: RopeTables | null; alibi: tf.Tensor3D | null }
  >();
  const constantsFor = (time: number) => {
    let c = constants.get(time);
    if (!c) {
      // Each made outside any tidy scope that could free it (the forward pass runs inside one).
      c = {
        mask: tf.keep(causalMask(time)),
        positions: s.position === 'sinusoidal' ? tf.keep(tf.tensor2d(sinusoidalPositions(time, d), [time, d])) : null,
        rope: s.position === 'rope' ? ropeTables(time, d / s.heads) : null,
        alibi: s.position === 'alibi' ? tf.keep(alibiMask(time, s.heads)) : null,
      };
      if (c.rope) {
        tf.keep(c.rope.cos);
        tf.keep(c.rope.sin);
      }
      constants.set(time, c);
    }
    return c;
  };
  const mlp = (x: tf.Tensor3D, b: (typeof blocks)[number]) => {
    const [batch, time] = x.shape;
    const x2 = x.reshape([batch * time, d]) as tf.Tensor2D;
    let inner: tf.Tensor2D;
    if (swiglu) {
      const [gate, value] = tf.split(linear(x2, v2(b.w1), v1(b.b1)), 2, 1) as tf.Tensor2D[];
      inner = activate(gate, 'silu').mul(value);
    } else if (s.mlpActivation === 'relu') inner = linear(x2, v2(b.w1), v1(b.b1), { activation: 'relu' });
    else inner = activate(linear(x2, v2(b.w1), v1(b.b1)), 'gelu');
    return linear(inner, v2(b.w2), v1(b.b2)).reshape([batch, time, d]) as tf.Tensor3D;
  };
  type Block = (typeof blocks)[number];
  const attentionWeights = (b: Block) => ({ wqkv: v2(b.wqkv), bqkv: v1(b.bqkv), wo: v2(b.wo), bo: v1(b.bo) });
  /** Token embeddings plus positions, for tokens at positions from, from + 1, …; `c` from constantsFor. */
  const embedded = (tokens: tf.Tensor2D, from: number, c: ReturnType<typeof constantsFor>) => {
    const time = tokens.shape[1];
    let x = embed(tokenEmbed, tokens);
    if (posEmbed) x = x.add(posEmbed.slice([from, 0], [time, d])) as tf.Tensor3D;
    if (c.positions) {
      const rows = from === 0 && c.positions.shape[0] === time ? c.positions : c.positions.slice([from, 0], [time, d]);
      x = x.add(rows) as tf.Tensor3D;
    }
    return x;
  };
  /** The blocks, in order; each attends through `attend` (given the block's input, the block and its index). */
  const throughBlocks = (
    input: tf.Tensor3D,
    attend: (h: tf.Tensor3D, b: Block, i: number) => tf.Tensor3D,
    dropoutSeed?: () => number,
  ) => {
    let x = input;
    blocks.forEach((b, i) => {
      if (s.normPlacement === 'pre') {
        x = x.add(attend(norm(x, b.ln1), b, i)) as tf.Tensor3D;
        x = x.add(maybeDropout(mlp(norm(x, b.ln2), b), s.dropout, dropoutSeed)) as tf.Tensor3D;
      } else {
        x = norm(x.add(attend(x, b, i)), b.ln1);
        x = norm(x.add(maybeDropout(mlp(x, b), s.dropout, dropoutSeed)), b.ln2);
      }
    });
    return x;
  };
  /** The final norm (pre-norm) and the head: [batch, time, d] → logits [batch, time, vocab]. */
  const logitsOf = (x: tf.Tensor3D) => {
    const [batch, time] = x.shape;
    const out = (lnf ? norm(x, lnf) : x).reshape([batch * time, d]) as tf.Tensor2D;
    const kernel = head ? v2(head) : (tokenEmbed.transpose() as tf.Tensor2D);
    return linear(out, kernel, null).reshape([batch, time, s.vocab]) as tf.Tensor3D;
  };
  return {
    variables,
    names,
    groups: [
      { name: 'embeddings', weights: posEmbed ? [tokenEmbed, posEmbed] : [tokenEmbed] },
      ...blocks.map((b, i) => ({ name: `block ${i + 1}`, weights: [b.wqkv, b.wo, b.w1, b.w2] })),
      ...(head ? [{ name: 'head', weights: [head] }] : []),
    ],
    forward(tokens, dropoutSeed, attention) {
      const c = constantsFor(tokens.shape[1]);
      const attend = (h: tf.Tensor3D, b: Block) => {
        const dropout =
          dropoutSeed && s.attentionDropout > 0 ? { rate: s.attentionDropout, seed: dropoutSeed() } : null;
        const a = causalSelfAttention(h, attentionWeights(b), s.heads, c.mask, {
          rope: c.rope,
          alibi: c.alibi,
          dropout,
        });
        attention?.push(a.weights);
        return maybeDropout(a.out, s.dropout, dropoutSeed);
      };
      return logitsOf(throughBlocks(maybeDropout(embedded(tokens, 0, c), s.dropout, dropoutSeed), attend, dropoutSeed));
    },
    startDecoding() {
      // The whole context's tables (mask, positions), of which each fed position uses its own rows.
      const c = constantsFor(s.contextLength);
      let caches: (KeyValues | null)[] = blocks.map(() => null);
      let length = 0;
      return {
        get length() {
          return length;
        },
        feed(tokens) {
          const n = tokens.length;
          if (n === 0 || length + n > s.contextLength)
            throw new Error(`the decoder holds ${s.contextLength} positions: ${length} fed, ${n} more asked`);
          const next: KeyValues[] = [];
          const logits = tf.tidy(() => {
            const attend = (h: tf.Tensor3D, b: Block, i: number) => {
              const a = cachedSelfAttention(h, attentionWeights(b), s.heads, caches[i], length, c);
              next.push({ k: tf.keep(a.cache.k), v: tf.keep(a.cache.v) });
              return a.out;
            };
            const x = throughBlocks(embedded(tf.tensor2d(tokens, [1, n], 'int32'), length, c), attend);
            return logitsOf(x.slice([0, n - 1, 0], [1, 1, d]) as tf.Tensor3D).reshape([-1]) as tf.Tensor1D;
          });
          caches.forEach((kv) => kv && tf.dispose([kv.k, kv.v]));
          caches = next;
          length += n;
          return logits;
        },
        dispose: () => caches.forEach((kv) => kv && tf.dispose([kv.k, kv.v])),
      };
    },
    dispose: () => {
      variables.forEach((v) => v.dispose());
      constants.forEach((c) =>
        tf.dispose([
          c.mask,
          ...(c.positions ? [c.positions] : []),
          ...(c.rope ? [c.rope.cos, c.rope.sin] : []),
          ...(c.alibi ? [c.alibi] : []),
        ]),
      );
    },
  };
}

/** Log-probability each position gives its target: logits [B, T, V], targets [B, T] → [B·T]. */
function positionLogProbs(logits: tf.Tensor3D, targets: tf.Tensor2D): tf.Tensor1D {
  return targetLogProbs(logits.reshape([-1, logits.shape[2]]), targets.reshape([-1]));
}

/** Mean cross-entropy of logits [B, T, V] against targets [B, T], over positions where mask is 1. */
export function sequenceLoss(logits: tf.Tensor3D, targets: tf.Tensor2D, mask?: tf.Tensor2D): tf.Scalar {
  const picked = positionLogProbs(logits, targets);
  if (!mask) return picked.mean().neg() as tf.Scalar;
  const m = mask.reshape([-1]);
  return picked.mul(m).sum().div(m.sum()).neg() as tf.Scalar;
}

/**
 * Sums for evaluating in chunks, over positions where mask is 1: [summed cross-entropy, targets
 * counted, targets predicted right, sequences right at every counted position].
 */
export function sequenceSums(logits: tf.Tensor3D, targets: tf.Tensor2D, mask: tf.Tensor2D): tf.Tensor1D {
  const m = mask.reshape([-1]);
  const right = logits.argMax(-1).equal(targets.toInt()).toFloat().mul(mask);
  const allRight = right.sum(1).equal(mask.sum(1)).toFloat().sum();
  return tf.stack([
    positionLogProbs(logits, targets).mul(m).sum().neg(),
    m.sum(),
    right.sum(),
    allRight,
  ]) as tf.Tensor1D;
}
