// The compute-cost model: parameters and FLOPs per layer, counted from the spec (see DESIGN.md,
// "Compute cost"). No tfjs import, so the UI can use it.
import type {
  Activation,
  LstmSpec,
  MlpSpec,
  ModelSpec,
  OptimizerKind,
  OptimizerSpec,
  TransformerSpec,
} from '../spec/types';
import type { ProblemShape } from '../data/shapes';

/**
 * Approximate FLOPs per element for each activation's forward pass (exp/tanh counted as a
 * few FLOPs, as is customary). Backward is folded into the 2× rule below.
 */
export const ACTIVATION_FLOPS: Record<Activation, number> = { linear: 0, relu: 1, sigmoid: 4, tanh: 6, gelu: 10 };

/**
 * Per-parameter FLOPs of one optimizer update, counting each elementwise op of its rule in
 * engine/optimizers.ts (a square root as one): SGD w −= lr·g is 2; momentum adds 2 for the
 * velocity; Nesterov 6; RMSProp and Adagrad ≈ 8; Adam and AdamW ≈ 12 (+2 for AdamW's decay).
 */
export const OPTIMIZER_FLOPS: Record<OptimizerKind, number> = {
  sgd: 2,
  momentum: 4,
  nesterov: 6,
  rmsprop: 8,
  adagrad: 7,
  adam: 12,
  adamw: 14,
};

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
   * Backward FLOPs per example: 2× forward, since each matmul's backward is two matmuls of the
   * same size (gradients of the input and of the weights); elementwise work is counted likewise.
   */
  backwardFlops: number;
}

export interface ModelCost {
  layers: LayerCost[];
  params: number;
  forwardFlops: number;
}

function layer(name: string, inputs: number, outputs: number, params: number, forwardFlops: number): LayerCost {
  return { name, inputs, outputs, params, forwardFlops, backwardFlops: 2 * forwardFlops };
}

function dense(name: string, inputs: number, outputs: number, activation: Activation): LayerCost {
  return layer(
    name,
    inputs,
    outputs,
    inputs * outputs + outputs,
    2 * inputs * outputs + outputs + ACTIVATION_FLOPS[activation] * outputs,
  );
}

function total(layers: LayerCost[]): ModelCost {
  return {
    layers,
    params: layers.reduce((s, l) => s + l.params, 0),
    forwardFlops: layers.reduce((s, l) => s + l.forwardFlops, 0),
  };
}

/** Per-layer parameters and forward FLOPs of an MLP; the output layer's loss costs ~5 FLOPs per output. */
export function mlpCost(model: MlpSpec, inputDim: number, outputDim: number): ModelCost {
  const layers: LayerCost[] = [];
  let width = inputDim;
  model.hidden.forEach((l, i) => {
    layers.push(dense(`dense ${i + 1}`, width, l.units, l.activation));
    width = l.units;
  });
  const out = dense('output', width, outputDim, 'linear');
  layers.push(layer('output', width, outputDim, out.params, out.forwardFlops + 5 * outputDim));
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
 * FLOPs of one epoch: each trained example costs forward + backward ≈ 3× forward,
 * each step one optimizer update per parameter, each evaluated example one forward pass.
 */
export function epochFlops(cost: ModelCost, work: EpochWork): number {
  const perStep =
    work.batchSize * 3 * cost.forwardFlops + cost.params * (OPTIMIZER_FLOPS[work.optimizer] + work.extraPerParam);
  return work.batches * perStep + work.evalExamples * cost.forwardFlops;
}

// Sequence layers, per example of `time` steps/tokens (DESIGN.md's formulas). Backward ≈ 2×.

/** Token embedding as one-hot × table: 2·vocab·width per token (as implemented, not a gather). */
export function embeddingFlops(vocab: number, width: number, time: number): number {
  return time * 2 * vocab * width;
}

/**
 * One LSTM layer: per step the gate matmuls 2·4h·(in + h), the bias 4h, and gate arithmetic
 * (3 sigmoids and 2 tanh at ~5 FLOPs, 3 multiplies and 1 add per unit) ≈ 29h.
 */
export function lstmFlops(inputs: number, units: number, time: number): number {
  return time * (2 * 4 * units * (inputs + units) + 4 * units + 29 * units);
}

/**
 * One causal self-attention block: per token the q, k, v and output projections 2·4·d²,
 * scores and mixing 2·2·T·d, and the softmax at ~5 FLOPs per score (T per head). Counted over
 * the full T×T score matrix, as computed (the causal mask does not skip work).
 */
export function attentionFlops(d: number, time: number, heads: number): number {
  return time * (2 * 4 * d * d + 2 * 2 * time * d + 5 * heads * time);
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
 * Per-layer cost of an LSTM over sequences of `time` steps: the embedding (or the raw value for
 * series), each LSTM layer, and the head (logits at every step, or one forecast from the last).
 */
export function lstmCost(model: LstmSpec, vocab: number | null, time: number): ModelCost {
  const layers: LayerCost[] = [];
  let width = 1;
  if (vocab) {
    layers.push(
      layer('embedding', vocab, model.embedding, vocab * model.embedding, embeddingFlops(vocab, model.embedding, time)),
    );
    width = model.embedding;
  }
  model.layers.forEach((l, i) => {
    layers.push(
      layer(`lstm ${i + 1}`, width, l.units, 4 * l.units * (width + l.units + 1), lstmFlops(width, l.units, time)),
    );
    width = l.units;
  });
  const outputs = vocab ?? 1;
  const steps = vocab ? time : 1;
  layers.push(
    layer(
      'head',
      width,
      outputs,
      width * outputs + outputs,
      steps * (2 * width * outputs + outputs + LOSS_FLOPS * outputs),
    ),
  );
  return total(layers);
}

/**
 * Per-layer cost of the decoder-only transformer over `time` tokens. A block is its two layer
 * norms, the attention (projections with biases, scores, softmax, mixing), the 4× GELU MLP and
 * the two residual adds.
 */
export function transformerCost(model: TransformerSpec, vocab: number, time: number): ModelCost {
  const d = model.dModel;
  const layers: LayerCost[] = [
    layer('embeddings', vocab, d, vocab * d + time * d, embeddingFlops(vocab, d, time) + time * d),
  ];
  for (let i = 1; i <= model.layers; i++) {
    layers.push(
      layer(
        `block ${i} attention`,
        d,
        d,
        4 * d * d + 4 * d + 2 * d,
        layerNormFlops(d, time) + attentionFlops(d, time, model.heads) + time * 4 * d + time * d,
      ),
    );
    const mlpForward = time * (2 * d * 4 * d + 4 * d + ACTIVATION_FLOPS.gelu * 4 * d + 2 * 4 * d * d + d + d);
    layers.push(layer(`block ${i} MLP`, d, d, 8 * d * d + 5 * d + 2 * d, layerNormFlops(d, time) + mlpForward));
  }
  layers.push(
    layer('head', d, vocab, 2 * d + d * vocab, layerNormFlops(d, time) + time * (2 * d * vocab + LOSS_FLOPS * vocab)),
  );
  return total(layers);
}

/** A model's cost from its spec and what it depends on besides: input and output widths, or sequence shape. */
export function modelCost(model: ModelSpec, shape: ProblemShape): ModelCost {
  if (model.kind === 'mlp') {
    if (shape.kind !== 'tabular') throw new Error('an MLP needs tabular inputs');
    return mlpCost(model, shape.inputDim, shape.outputDim);
  }
  if (shape.kind !== 'sequence') throw new Error(`${model.kind} needs sequences`);
  if (model.kind === 'lstm') return lstmCost(model, shape.vocab, shape.length);
  if (!shape.vocab) throw new Error('a transformer needs tokens');
  return transformerCost(model, shape.vocab, shape.length);
}
