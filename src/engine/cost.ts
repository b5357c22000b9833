// The compute-cost model: parameters and FLOPs per layer, counted from the spec (see DESIGN.md,
// "Compute cost"). No tfjs import, so the UI can use it.
import {
  GATES,
  residualLayers,
  type Activation,
  type LstmSpec,
  type MlpSpec,
  type OptimizerKind,
  type OptimizerSpec,
  type RecurrentCell,
  type TransformerSpec,
} from '../experiment/types';

/**
 * Approximate FLOPs per element for each activation's forward pass (exp/tanh counted as a
 * few FLOPs, as is customary). Backward counts elementwise work twice (see LayerCost).
 */
export const ACTIVATION_FLOPS: Record<Activation, number> = {
  linear: 0,
  relu: 1,
  leakyRelu: 2,
  elu: 5,
  sigmoid: 4,
  silu: 5,
  tanh: 6,
  gelu: 10,
};

/**
 * Per-parameter FLOPs of one optimizer update, counting each elementwise op of its rule in
 * engine/optimizers.ts (a square root as one): SGD w −= lr·g is 2; momentum adds 2 for the
 * velocity; Nesterov 6; RMSProp and Adagrad ≈ 8; Adam and AdamW ≈ 12 (+2 for AdamW's decay);
 * Lion 11 (its interpolation, sign, step and momentum). Muon's ≈ 12 per matrix element (momentum,
 * Nesterov mix, normalising, scaled step with decay) leaves out its Newton–Schulz products, which
 * depend on the matrices' shapes: newtonSchulzFlops counts those.
 */
export const OPTIMIZER_FLOPS: Record<OptimizerKind, number> = {
  sgd: 2,
  momentum: 4,
  nesterov: 6,
  rmsprop: 8,
  adagrad: 7,
  adam: 12,
  adamw: 14,
  lion: 11,
  muon: 12,
};

/**
 * One orthogonalisation of an m×n matrix (m ≤ n after Muon turns it wide), per Newton–Schulz
 * step: A = X·Xᵀ (2m²n), A·A (2m³), (bA + cA²)·X (2m²n) and the elementwise sums (3m² + 3mn);
 * five steps, plus the normalisation (3mn).
 */
export function newtonSchulzFlops([rows, cols]: [number, number]): number {
  const m = Math.min(rows, cols);
  const n = Math.max(rows, cols);
  return 5 * (4 * m * m * n + 2 * m * m * m + 3 * m * m + 3 * m * n) + 3 * m * n;
}

/** What an optimizer's switches add per parameter: centered a ← ρa + (1−ρ)g and s − a² (5), RMSprop's momentum buffer (2), AMSGrad's max (1). */
export function optimizerSwitchFlops(
  o: Pick<OptimizerSpec, 'kind' | 'centered' | 'rmspropMomentum' | 'amsgrad'>,
): number {
  if (o.kind === 'rmsprop') return (o.centered ? 5 : 0) + (o.rmspropMomentum > 0 ? 2 : 0);
  return (o.kind === 'adam' || o.kind === 'adamw') && o.amsgrad ? 1 : 0;
}

export interface LayerCost {
  name: string;
  inputs: number;
  outputs: number;
  params: number;
  /** Forward FLOPs per example (a sequence counts as one example): dense 2·in·out + out + activation. */
  forwardFlops: number;
  /**
   * Backward FLOPs per example, as executed: each matmul's weight gradient (as big as its forward),
   * its input gradient only where the input needs one (not for data: an MLP's first layer, the
   * token embeddings), bias gradients as the 1ᵀ·dz matmul linear.ts runs, and twice the
   * elementwise work.
   */
  backwardFlops: number;
  /** The matmul part of those two: what a profile of the kernels a step runs can check. */
  matmulFlops: MatMulFlops;
  /** Its weight matrices' shapes [rows, columns] (Muon's per-step work depends on them). */
  matrices: [number, number][];
}

export interface MatMulFlops {
  forward: number;
  backward: number;
}

export interface ModelCost {
  layers: LayerCost[];
  params: number;
  forwardFlops: number;
  backwardFlops: number;
}

/** x·W (+ b) over `rows` rows per example, as linear.ts runs it forward and backward. */
export function linearMatMuls(
  rows: number,
  inputs: number,
  outputs: number,
  { bias, inputGrad }: { bias: boolean; inputGrad: boolean },
): MatMulFlops {
  const product = 2 * rows * inputs * outputs;
  return { forward: product, backward: product * (inputGrad ? 2 : 1) + (bias ? 2 * rows * outputs : 0) };
}

function sumMatMuls(parts: MatMulFlops[]): MatMulFlops {
  return {
    forward: parts.reduce((s, p) => s + p.forward, 0),
    backward: parts.reduce((s, p) => s + p.backward, 0),
  };
}

/** A layer's cost from its matmuls and its elementwise work (counted twice backward). */
export function layer(
  name: string,
  inputs: number,
  outputs: number,
  params: number,
  matmuls: MatMulFlops,
  elementwise: number,
  matrices: [number, number][],
): LayerCost {
  return {
    name,
    inputs,
    outputs,
    params,
    forwardFlops: matmuls.forward + elementwise,
    backwardFlops: matmuls.backward + 2 * elementwise,
    matmulFlops: matmuls,
    matrices,
  };
}

/** A dense layer; `inputGrad` is false when its input is data. */
function dense(
  name: string,
  inputs: number,
  outputs: number,
  activation: Activation,
  inputGrad: boolean,
  extra: { params: number; work: number; bias?: boolean } = { params: 0, work: 0 },
): LayerCost {
  const bias = extra.bias ?? true;
  return layer(
    name,
    inputs,
    outputs,
    inputs * outputs + (bias ? outputs : 0) + extra.params,
    linearMatMuls(1, inputs, outputs, { bias, inputGrad }),
    outputs + ACTIVATION_FLOPS[activation] * outputs + extra.work,
    [[inputs, outputs]],
  );
}

/** A model's cost: its layers' summed. */
export function total(layers: LayerCost[]): ModelCost {
  return {
    layers,
    params: layers.reduce((s, l) => s + l.params, 0),
    forwardFlops: layers.reduce((s, l) => s + l.forwardFlops, 0),
    backwardFlops: layers.reduce((s, l) => s + l.backwardFlops, 0),
  };
}

/**
 * Per-layer parameters and FLOPs of an MLP; the output layer's loss costs ~5 FLOPs per output. A
 * hidden layer's LayerNorm or BatchNorm adds its gain and bias and ~8 FLOPs per unit; before
 * BatchNorm, whose bias takes its place, the layer has none of its own. (BatchNorm's running
 * statistics are buffers, not parameters; their update, a few FLOPs per unit per batch, is left
 * out.) A residual adds one FLOP per unit.
 */
export function mlpCost(model: MlpSpec, inputDim: number, outputDim: number): ModelCost {
  const layers: LayerCost[] = [];
  let width = inputDim;
  const norm = model.norm !== 'none';
  const residualAt = residualLayers(model);
  model.hidden.forEach((l, i) => {
    const extra = {
      params: norm ? 2 * l.units : 0,
      work: (norm ? layerNormFlops(l.units, 1) : 0) + (residualAt[i] ? l.units : 0),
      bias: model.norm !== 'batchNorm',
    };
    layers.push(dense(`dense ${i + 1}`, width, l.units, l.activation, i > 0, extra));
    width = l.units;
  });
  const out = dense('output', width, outputDim, 'linear', model.hidden.length > 0);
  layers.push(
    layer('output', width, outputDim, out.params, out.matmulFlops, outputDim + LOSS_FLOPS * outputDim, out.matrices),
  );
  return total(layers);
}

export interface EpochWork {
  batches: number;
  batchSize: number;
  /** Examples passed forward only (evaluation of train and validation sets, boundary grid). */
  evalExamples: number;
  optimizer: OptimizerKind;
  /** Extra FLOPs per parameter per step: ~3 for an L1/L2 penalty, 2 for weight decay, 3 for clipping. */
  extraPerParam: number;
}

/**
 * FLOPs of one epoch: each trained example costs forward + backward, each step one optimizer
 * update per parameter (and, for Muon, orthogonalising every matrix), each evaluated example one
 * forward pass.
 */
export function epochFlops(cost: ModelCost, work: EpochWork): number {
  const orthogonalising =
    work.optimizer === 'muon'
      ? cost.layers.flatMap((l) => l.matrices).reduce((s, m) => s + newtonSchulzFlops(m), 0)
      : 0;
  const perStep =
    work.batchSize * (cost.forwardFlops + cost.backwardFlops) +
    cost.params * (OPTIMIZER_FLOPS[work.optimizer] + work.extraPerParam) +
    orthogonalising;
  return work.batches * perStep + work.evalExamples * cost.forwardFlops;
}

// Sequence layers, per example of `time` steps/tokens (DESIGN.md's formulas).

/**
 * Token embedding as a gather (kernels/embedTokens.ts): no product either way, a copy of rows forward and their
 * gradients added into the table backward (one add per value, not counted: under 1% of any block).
 */
function embeddingMatMuls(): MatMulFlops {
  return { forward: 0, backward: 0 };
}

/**
 * One recurrent layer of `gates` blocks (LSTM 4, GRU 3, RNN 1): the input projection for all steps
 * at once (with the bias), then per step the recurrent matmul h·W_h (the GRU's with its own bias);
 * `inputGrad` is false when its input is data (a series' values).
 */
function recurrentMatMuls(cell: RecurrentCell, inputs: number, units: number, time: number, inputGrad: boolean) {
  const width = GATES[cell] * units;
  return sumMatMuls([
    linearMatMuls(time, inputs, width, { bias: true, inputGrad }),
    linearMatMuls(time, units, width, { bias: cell === 'gru', inputGrad: true }),
  ]);
}

/**
 * A recurrent layer's elementwise work per unit and step, sigmoid and tanh at ~5 FLOPs:
 * LSTM: bias 4, adding the projection 4, 3 sigmoids, 2 tanh, 3 multiplies and 1 add = 37;
 * GRU: biases 3 + 3, adding 2, 2 sigmoids, 1 tanh, r·nₕ, its add, and n + z·(h − n) 3 = 28;
 * RNN: bias, adding the projection, one tanh = 7.
 */
const RECURRENT_ELEMENTWISE: Record<RecurrentCell, number> = { lstm: 37, gru: 28, rnn: 7 };

/** A recurrent layer's parameters: Wx, Wh and its bias (the GRU has two, as nn.GRU). */
function recurrentParams(cell: RecurrentCell, inputs: number, units: number): number {
  return GATES[cell] * units * (inputs + units + (cell === 'gru' ? 2 : 1));
}

/**
 * One causal self-attention block's matmuls: the q, k, v projection and the output projection
 * (with biases), and per head the scores q·kᵀ and the mixing w·v over the full T×T matrix, as
 * computed (the causal mask does not skip work), both of whose operands need gradients.
 */
function attentionMatMuls(d: number, time: number): MatMulFlops {
  const scoresAndMixing = 2 * 2 * time * time * d;
  return sumMatMuls([
    linearMatMuls(time, d, 3 * d, { bias: true, inputGrad: true }),
    { forward: scoresAndMixing, backward: 2 * scoresAndMixing },
    linearMatMuls(time, d, d, { bias: true, inputGrad: true }),
  ]);
}

/** Attention's elementwise work: the biases, scaling the scores and adding the mask, and the softmax at ~5 FLOPs per score. */
function attentionElementwise(d: number, time: number, heads: number): number {
  return time * 4 * d + heads * time * time * (2 + 5);
}

/** Layer norm: mean, variance, normalise, scale and shift ≈ 8 FLOPs per element. */
export function layerNormFlops(width: number, time: number): number {
  return time * 8 * width;
}

/**
 * Each epoch evaluates at most this many training examples (always the same ones): enough for a
 * steady eval-mode training curve, without a second full pass over a big training set.
 */
export const TRAIN_EVAL_LIMIT = 1024;
/** Sequence validation sets are evaluated on at most this many examples (always the same ones). */
export const SEQUENCE_VAL_LIMIT = 2048;

/** One layer's FLOPs in an epoch: forward + backward per trained example, forward per evaluated one. */
export function layerEpochFlops(layer: LayerCost, trained: number, evaluated: number): number {
  return trained * (layer.forwardFlops + layer.backwardFlops) + evaluated * layer.forwardFlops;
}

/** Softmax cross-entropy: ~5 FLOPs per logit (exp, sum, log, pick). */
const LOSS_FLOPS = 5;

/**
 * Per-layer cost of a recurrent model over sequences of `time` steps: the embedding (or the raw
 * value for series), each recurrent layer, and the head (logits at every step, or one forecast
 * from the last).
 */
export function recurrentCost(model: LstmSpec, vocab: number | null, time: number): ModelCost {
  const layers: LayerCost[] = [];
  let width = 1;
  if (vocab) {
    const e = model.embedding;
    layers.push(layer('embedding', vocab, e, vocab * e, embeddingMatMuls(), 0, [[vocab, e]]));
    width = e;
  }
  model.layers.forEach((l, i) => {
    const params = recurrentParams(model.cell, width, l.units);
    // A series' first layer reads the data itself, which needs no gradient.
    const matmuls = recurrentMatMuls(model.cell, width, l.units, time, vocab !== null || i > 0);
    const elementwise = time * RECURRENT_ELEMENTWISE[model.cell] * l.units;
    const gates = GATES[model.cell] * l.units;
    const matrices: [number, number][] = [
      [width, gates],
      [l.units, gates],
    ];
    layers.push(layer(`${model.cell} ${i + 1}`, width, l.units, params, matmuls, elementwise, matrices));
    width = l.units;
  });
  const outputs = vocab ?? 1;
  const steps = vocab ? time : 1;
  const head = linearMatMuls(steps, width, outputs, { bias: true, inputGrad: true });
  const headWork = steps * (outputs + LOSS_FLOPS * outputs);
  layers.push(layer('head', width, outputs, width * outputs + outputs, head, headWork, [[width, outputs]]));
  return total(layers);
}

/** RMS norm: square, mean, reciprocal root, normalise, scale ≈ 5 FLOPs per element. */
export function rmsNormFlops(width: number, time: number): number {
  return time * 5 * width;
}

/**
 * Per-layer cost of the decoder-only transformer over `time` tokens. A block is its two norms
 * (LayerNorm or RMSNorm, whose gain alone is a parameter), the attention (projections with biases,
 * RoPE's rotation of q and k where chosen, scores, softmax, mixing), the MLP (4d GELU or ReLU
 * units, or SwiGLU's gate and value of ⌈8d/3⌉) and the two residual adds. Learned positions are
 * parameters; sinusoidal ones a fixed add; RoPE none outside attention; ALiBi's bias is added to
 * the scores in place of the causal mask (no extra work). A pre-norm model has a final
 * norm; a tied head is the embedding's table, with no parameters of its own.
 */
export function transformerCost(model: TransformerSpec, vocab: number, time: number): ModelCost {
  const d = model.dModel;
  const T = time;
  const learned = model.position === 'learned';
  const addsPositions = learned || model.position === 'sinusoidal';
  const normWork = model.norm === 'rmsNorm' ? rmsNormFlops(d, T) : layerNormFlops(d, T);
  const normParams = model.norm === 'rmsNorm' ? d : 2 * d;
  const embeddingMatrices: [number, number][] = learned
    ? [
        [vocab, d],
        [T, d],
      ]
    : [[vocab, d]];
  const layers: LayerCost[] = [
    layer(
      'embeddings',
      vocab,
      d,
      vocab * d + (learned ? T * d : 0),
      embeddingMatMuls(),
      addsPositions ? T * d : 0,
      embeddingMatrices,
    ),
  ];
  const swiglu = model.mlpActivation === 'swiglu';
  const hidden = swiglu ? Math.ceil((8 * d) / 3) : 4 * d;
  const fc1 = swiglu ? 2 * hidden : hidden;
  for (let i = 1; i <= model.layers; i++) {
    const residual = T * d;
    const attentionParams = 4 * d * d + 4 * d + normParams;
    // RoPE: q·cos + rotate_half(q)·sin for q and k (negate, two multiplies, an add per element).
    const rope = model.position === 'rope' ? 2 * 4 * T * d : 0;
    const attentionWork = normWork + attentionElementwise(d, T, model.heads) + rope + residual;
    const attentionMatrices: [number, number][] = [
      [d, 3 * d],
      [d, d],
    ];
    layers.push(
      layer(`block ${i} attention`, d, d, attentionParams, attentionMatMuls(d, T), attentionWork, attentionMatrices),
    );
    const mlp = sumMatMuls([
      linearMatMuls(T, d, fc1, { bias: true, inputGrad: true }),
      linearMatMuls(T, hidden, d, { bias: true, inputGrad: true }),
    ]);
    // The biases, the activation (SwiGLU: SiLU of the gate times the value), and the residual add.
    const activation = swiglu
      ? (ACTIVATION_FLOPS.silu + 1) * hidden
      : ACTIVATION_FLOPS[model.mlpActivation === 'relu' ? 'relu' : 'gelu'] * hidden;
    const mlpWork = normWork + T * (fc1 + d + activation) + residual;
    const mlpMatrices: [number, number][] = [
      [d, fc1],
      [hidden, d],
    ];
    const mlpParams = d * fc1 + fc1 + hidden * d + d + normParams;
    layers.push(layer(`block ${i} MLP`, d, d, mlpParams, mlp, mlpWork, mlpMatrices));
  }
  const head = linearMatMuls(T, d, vocab, { bias: false, inputGrad: true });
  const pre = model.normPlacement === 'pre';
  const headWork = (pre ? normWork : 0) + T * LOSS_FLOPS * vocab;
  const headParams = (pre ? normParams : 0) + (model.tiedEmbeddings ? 0 : d * vocab);
  layers.push(layer('head', d, vocab, headParams, head, headWork, model.tiedEmbeddings ? [] : [[d, vocab]]));
  return total(layers);
}
