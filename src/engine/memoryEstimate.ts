// How much memory a run needs on its backend, known before it starts (plain arithmetic, no tfjs).
import type { BackendName, ExperimentSpec, OptimizerSpec } from '../spec/types';
import { exampleCounts } from '../spec/validate';
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

/**
 * What a run may use on each backend before the browser gives out. wasm's heap is one 32-bit
 * WebAssembly memory (tfjs grows it to at most 4 GiB, and a growing heap needs room to copy);
 * WebGL textures and CPU typed arrays live in a tab's few GiB. A spec of 6 blocks × dModel 256 ×
 * 16 heads, context 128, batch 1024 (about 64 GB by this estimate) aborted wasm after 8 s and
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

/**
 * Floats one example keeps through a training step's forward pass: each layer's outputs before
 * and after its activation; an LSTM's gates, cell and hidden state at every step; a transformer
 * block's norms, projections, its heads' T×T scores (and their softmax and dropout), and the 4×
 * MLP; the logits with their softmax.
 */
function activationsPerExample(spec: ExperimentSpec, shape: ProblemShape): number {
  const m = spec.model;
  if (m.kind === 'mlp' && shape.kind === 'tabular') {
    return shape.inputDim + m.hidden.reduce((s, l) => s + 2 * l.units, 0) + 2 * shape.outputDim;
  }
  if (shape.kind !== 'sequence') return 0;
  const T = shape.length;
  const logits = shape.vocab ? 3 * T * shape.vocab : 2;
  if (m.kind === 'lstm') {
    const embedded = shape.vocab ? T * m.embedding : T;
    return embedded + m.layers.reduce((s, l) => s + T * 11 * l.units, 0) + logits;
  }
  if (m.kind === 'transformer') {
    const perBlock = T * 15 * m.dModel + 3 * m.heads * T * T;
    return 2 * T * m.dModel + m.layers * perBlock + 2 * T * m.dModel + logits;
  }
  return 0;
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
  // The backward pass holds about as much again as the forward pass kept.
  const activations = 2 * FLOAT * spec.training.batchSize * activationsPerExample(spec, shape);
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

/** "1.2 GB", "340 MB", "12 KB". */
export function formatMemory(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(bytes >= 1e8 ? 0 : 1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1e3))} KB`;
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
    [estimate.data, `the data takes ${formatMemory(estimate.data)}: use fewer samples (${spec.dataset.samples})`],
  ];
  const [, biggest] = parts.sort((a, b) => b[0] - a[0])[0];
  return `needs about ${formatMemory(estimate.total)} of memory, more than ${backend} can be given here (${formatMemory(budget)}); ${biggest}`;
}
