// How much memory a run needs on its backend, known before it starts (plain arithmetic, no tfjs).
import {
  residualLayers,
  type BackendName,
  type ExperimentSpec,
  type OptimizerSpec,
  type RecurrentCell,
  type TransformerActivation,
} from '../experiment/types';
import { exampleCounts } from '../experiment/validate';
import { cnnShapes, headWidth, type CnnSpec, type ImageShape } from '../experiment/cnn';
import type { ProblemShape } from '../data/shapes';

/** Bytes, by what holds them. */
export interface MemoryEstimate {
  parameters: number;
  /** The gradients of one step (one per parameter). */
  gradients: number;
  /** The optimizer's state: Adam's m and v, a momentum buffer… */
  optimizer: number;
  /** What one training batch keeps for its backward pass (and the work space the backward pass needs). */
  activations: number;
  /** The training and validation data, uploaded to the device once (and the test split, at the end). */
  data: number;
  total: number;
}

const FLOAT = 4;
const GIB = 1024 ** 3;
/** The backward pass adds its own work space on top: a peak 3–21% above the forward pass's (measured). */
const BACKWARD_PEAK = 1.15;

/**
 * What a run may use on each backend before the browser gives out. wasm's heap is one 32-bit
 * WebAssembly memory (tfjs grows it to at most 4 GiB, and a growing heap needs room to copy);
 * WebGL textures and CPU typed arrays live in a tab's few GiB. A spec of 6 blocks × dModel 256 ×
 * 16 heads, context 128, batch 1024 (about 245 GB by this estimate) aborted wasm after 8 s and
 * took Chromium to 17 GB on WebGPU: such specs are refused with what to reduce.
 */
export const MEMORY_BUDGET: Record<BackendName, number> = {
  webgpu: 4 * GIB,
  webgl: 2 * GIB,
  wasm: 2 * GIB,
  cpu: 2 * GIB,
};

/** Tensors the optimizer keeps per parameter. */
export function optimizerSlots(o: Pick<OptimizerSpec, 'kind' | 'centered' | 'rmspropMomentum' | 'amsgrad'>): number {
  switch (o.kind) {
    case 'sgd':
      return 0;
    case 'momentum':
    case 'nesterov':
    case 'adagrad':
      return 1;
    case 'rmsprop':
      return 1 + (o.centered ? 1 : 0) + (o.rmspropMomentum > 0 ? 1 : 0);
    case 'adam':
    case 'adamw':
      return 2 + (o.amsgrad ? 1 : 0);
    case 'lion':
      return 1;
    case 'muon':
      // A momentum buffer per matrix (AdamW's two on the few vectors), and the Newton–Schulz
      // iteration's copies of the largest matrix while it steps: counted as one more.
      return 2;
  }
}

/*
 * Floats one example keeps alive through a training step. Inside the gradient tape every tensor
 * the forward pass makes lives until the backward pass ends (the step is one tidy scope), so this
 * counts all of them, not only what the backward pass reads. The constants were measured with
 * tf.memory() at the end of the forward pass, batches of 32 (cpu, wasm and webgpu agree to within
 * 8%), and fit within 10% over the widths, lengths, heads and depths tried:
 */
/** An MLP's hidden unit: x·W + b, its activation and the backward pass's copy; a norm's mean, variance and steps; dropout's mask and product. */
const MLP_UNIT = { plain: 4, norm: 14.5, residual: 1, dropout: 3 };
/** A recurrent layer's unit, per step: the gates' slices, activations and products (GRU and RNN keep fewer). */
const RECURRENT_UNIT: Record<RecurrentCell, number> = { lstm: 80, gru: 70, rnn: 23 };
/** A transformer block, per token and model width: norms, q, k, v and their heads, the MLP (GELU's tanh form takes many steps). */
const TRANSFORMER_BLOCK: Record<TransformerActivation, number> = { gelu: 180, relu: 92, swiglu: 120 };
/** A CNN's output value, per layer kind: a convolution's, what BatchNorm adds, pooling's, a residual block's. */
const CNN_VALUE = { conv: 6, batchNorm: 10, pool: 2, residual: 48 };
/** Per head, per query–key pair: the scores, scaled, masked, and softmax's steps. */
const ATTENTION_PAIR = 10;

/**
 * Floats one example keeps through a training step (see above), by the units a pipeline stages: an MLP's layers
 * (its inputs with the first), a recurrent network's layers then its head (the embedding with the first, the
 * logits with the head), a transformer's blocks (the embeddings with the first, the logits with the last). A
 * CNN's are one unit.
 */
export function activationsByUnit(spec: ExperimentSpec, shape: ProblemShape): number[] {
  const m = spec.model;
  const withEnds = (units: number[], first: number, last: number) =>
    units.map((u, i) => u + (i === 0 ? first : 0) + (i === units.length - 1 ? last : 0));
  if (m.kind === 'mlp' && shape.kind === 'tabular') {
    const residual = residualLayers(m);
    const hidden = m.hidden.map(
      (l, i) =>
        l.units *
        (MLP_UNIT.plain +
          (m.norm !== 'none' ? MLP_UNIT.norm : 0) +
          (residual[i] ? MLP_UNIT.residual : 0) +
          (l.dropout > 0 ? MLP_UNIT.dropout : 0)),
    );
    return withEnds([...hidden, 10 * shape.outputDim + 16], shape.inputDim, 0);
  }
  if (m.kind === 'cnn' && shape.kind === 'tabular' && shape.image)
    return [cnnActivations(m, shape.image, shape.outputDim)];
  if (shape.kind !== 'sequence') return [0];
  const T = shape.length;
  const logits = shape.vocab ? 12 * T * shape.vocab : 2;
  if (m.kind === 'lstm') {
    const embedded = shape.vocab ? 3 * T * m.embedding : T;
    return withEnds([...m.layers.map((l) => T * RECURRENT_UNIT[m.cell] * l.units), logits], embedded, 0);
  }
  if (m.kind === 'transformer') {
    const perBlock = T * TRANSFORMER_BLOCK[m.mlpActivation] * m.dModel + ATTENTION_PAIR * m.heads * T * T;
    return withEnds(
      Array.from({ length: m.layers }, () => perBlock),
      21 * T * m.dModel,
      logits,
    );
  }
  return [0];
}

const activationsPerExample = (spec: ExperimentSpec, shape: ProblemShape) =>
  activationsByUnit(spec, shape).reduce((a, b) => a + b, 0);

/** Bytes a training step keeps for `examples` examples of `floats` floats each (the backward pass's work space added). */
export function activationBytes(floats: number, examples: number): number {
  return BACKWARD_PEAK * FLOAT * examples * floats;
}

/**
 * A CNN's feature maps per example: each layer's output values times what that layer keeps of them (measured as
 * above: a convolution's sum, bias and activation; a BatchNorm's steps; pooling's windows), then the dense layers.
 */
function cnnActivations(m: CnnSpec, image: ImageShape, classes: number): number {
  const walked = cnnShapes(m.layers, image);
  if (!walked.ok) return 0;
  let maps = image.height * image.width * image.channels;
  m.layers.forEach((l, i) => {
    const out = walked.shapes[i];
    const size = out.height * out.width * out.channels;
    if (l.kind === 'conv')
      maps +=
        size * (CNN_VALUE.conv + (l.batchNorm ? CNN_VALUE.batchNorm : 0) + (l.dropout > 0 ? MLP_UNIT.dropout : 0));
    else if (l.kind === 'pool') maps += size * CNN_VALUE.pool;
    else maps += size * CNN_VALUE.residual;
  });
  const last = walked.shapes.at(-1) ?? image;
  const dense = m.dense.reduce((s, l) => s + l.units * (MLP_UNIT.plain + (l.dropout > 0 ? MLP_UNIT.dropout : 0)), 0);
  return maps + headWidth(m.head, last) + dense + 10 * classes + 16;
}

/** Floats of data one example takes on the device: its inputs and target (sequences: ids, targets and a mask). */
function dataPerExample(shape: ProblemShape): number {
  return shape.kind === 'tabular' ? shape.inputDim + 1 : 3 * shape.length;
}

export function estimateMemory(spec: ExperimentSpec, shape: ProblemShape, params: number): MemoryEstimate {
  const { train, validation, test } = exampleCounts(spec.dataset);
  const parameters = FLOAT * params;
  const gradients = parameters;
  const optimizer = optimizerSlots(spec.training.optimizer) * parameters;
  const activations = activationBytes(activationsPerExample(spec, shape), spec.training.batchSize);
  const data = FLOAT * (train + validation + test) * dataPerExample(shape);
  return {
    parameters,
    gradients,
    optimizer,
    activations,
    data,
    total: parameters + gradients + optimizer + activations + data,
  };
}

/**
 * How many examples one evaluation pass may take at once on `backend` beside the weights, gradients, optimizer
 * state and data: a training example's activations (which keep what the backward pass needs) bound an evaluated
 * one's, so as many as fit in what the budget leaves. At least 1.
 */
export function examplesThatFit(
  spec: ExperimentSpec,
  shape: ProblemShape,
  params: number,
  backend: BackendName,
): number {
  const e = estimateMemory(spec, shape, params);
  const perExample = e.activations / spec.training.batchSize;
  return Math.max(1, Math.floor((MEMORY_BUDGET[backend] - (e.total - e.activations)) / perExample));
}

/** "1.2 GB", "340 MB", "12.5 MB", "340 KB", "1.5 KB", "512 B" (decimal units, as browsers report storage). */
export function formatMemory(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(bytes >= 1e8 ? 0 : 1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(bytes >= 1e5 ? 0 : 1)} KB`;
  return `${Math.round(bytes)} B`;
}

/**
 * Why a run does not fit its backend's budget, naming the biggest part and the fields that shrink
 * it; null when it fits.
 */
export function memoryProblem(spec: ExperimentSpec, estimate: MemoryEstimate, backend: BackendName): string | null {
  const budget = MEMORY_BUDGET[backend];
  if (estimate.total <= budget) return null;
  const m = spec.model;
  const parts: [number, string][] = [
    [
      estimate.activations,
      `one batch's activations take ${formatMemory(estimate.activations)}: lower the batch size (${spec.training.batchSize})` +
        (m.kind === 'transformer'
          ? `, the context length (${spec.dataset.contextLength}), the heads (${m.heads}), dModel (${m.dModel}) or the blocks (${m.layers})`
          : m.kind === 'lstm'
            ? `, the context length (${spec.dataset.contextLength}) or the units`
            : ' or the layer widths'),
    ],
    [
      estimate.parameters + estimate.gradients + estimate.optimizer,
      `the parameters, their gradients and the optimizer's state take ${formatMemory(estimate.parameters + estimate.gradients + estimate.optimizer)}: make the model smaller`,
    ],
    [
      estimate.data,
      `the data takes ${formatMemory(estimate.data)}: use fewer samples (${spec.dataset.samples})` +
        (spec.dataset.kind === 'userImages' ? ', a smaller image size or grey' : ''),
    ],
  ];
  const [, biggest] = parts.sort((a, b) => b[0] - a[0])[0];
  return `needs about ${formatMemory(estimate.total)} of memory, more than ${backend} can be given here (${formatMemory(budget)}); ${biggest}`;
}
