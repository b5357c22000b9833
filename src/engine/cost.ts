// engine/: models, losses, optimizers, the training loop, the compute-cost model, backends.
// This file is the analytic compute-cost model; it has no tfjs import so the UI can use it.
import type { Activation, MlpSpec, OptimizerKind } from '../spec/types';

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
  sgd: 2, momentum: 4, nesterov: 6, rmsprop: 8, adagrad: 7, adam: 12, adamw: 14,
};

export interface LayerCost {
  name: string;
  inputs: number;
  outputs: number;
  params: number;
  /** Forward FLOPs per example: 2·in·out for the matmul, out for the bias, plus the activation. */
  forwardFlops: number;
}

export interface ModelCost {
  layers: LayerCost[];
  params: number;
  forwardFlops: number;
}

function dense(name: string, inputs: number, outputs: number, activation: Activation): LayerCost {
  return {
    name, inputs, outputs,
    params: inputs * outputs + outputs,
    forwardFlops: 2 * inputs * outputs + outputs + ACTIVATION_FLOPS[activation] * outputs,
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
  out.forwardFlops += 5 * outputDim;
  layers.push(out);
  return {
    layers,
    params: layers.reduce((s, l) => s + l.params, 0),
    forwardFlops: layers.reduce((s, l) => s + l.forwardFlops, 0),
  };
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
    work.batchSize * 3 * cost.forwardFlops +
    cost.params * (OPTIMIZER_FLOPS[work.optimizer] + work.extraPerParam);
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
