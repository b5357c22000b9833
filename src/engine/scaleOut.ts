// How a model splits across N devices, for each way the exported train.py trains on several processes: data
// parallelism (each device a share of every batch), tensor parallelism (a share of every layer's matrices,
// Megatron-style) and pipeline parallelism (a run of consecutive layers, GPipe-style). For each device: what it
// holds (parameters, gradients, optimizer state, activations) and the bytes it sends in one step, counted as
// train.py's collectives and sends do (test/modelParallel.test.ts checks them against the program). Plain
// arithmetic from the spec, no tfjs.
import {
  residualLayers,
  type ExperimentSpec,
  type MlpSpec,
  type ModelSpec,
  type TransformerSpec,
} from '../experiment/types';
import type { ProblemShape } from '../data/shapes';
import { modelCost } from './modelCost';
import { activationBytes, activationsByUnit, optimizerSlots } from './memoryEstimate';

export const STRATEGIES = ['data', 'tensor', 'pipeline'] as const;
export type Strategy = (typeof STRATEGIES)[number];
export const MAX_DEVICES = 64;

const FLOAT = 4;

/** What one device holds (bytes, but `parameters`, a count) and sends in one training step. */
export interface DeviceLoad {
  parameters: number;
  memory: { parameters: number; gradients: number; optimizer: number; activations: number };
  bytesSent: number;
}

export interface PipelineSchedule {
  /** Each stage's units (layers or blocks), [begin, end). */
  stages: [number, number][];
  microBatches: number;
  /** The share of the step each device waits idle: (stages − 1) / (micro-batches + stages − 1). */
  bubble: number;
}

export interface ScaleOut {
  strategy: Strategy;
  devices: number;
  /** Why the model cannot be split this way over this many devices (then no loads); null when it can. */
  problem: string | null;
  loads: DeviceLoad[];
  pipeline?: PipelineSchedule;
}

export interface ScaleOutOptions {
  /** Pipeline: pieces of each batch (default 4 per stage, at most the batch). */
  microBatches?: number;
  /** Tensor: devices per split model (default all; fewer: the groups share batches, data × tensor). */
  tensorSize?: number;
}

/** Bytes a device sends in a ring all-reduce of `floats` over `group` devices: 2(G − 1)/G of it. */
const allReduce = (floats: number, group: number) => (FLOAT * floats * 2 * (group - 1)) / group;
/** Bytes a device sends in an all-gather of its piece of `floats` over `group` devices: (G − 1) pieces. */
const allGather = (piece: number, group: number) => FLOAT * piece * (group - 1);
/** The rows of a batch of `batch` the `i`th of `n` sharing devices takes (train.py's slices). */
const rows = (batch: number, i: number, n: number) => Math.floor(((i + 1) * batch) / n) - Math.floor((i * batch) / n);

/** A parameter tensor: its size, and whether tensor parallelism splits it over the group or keeps it whole. */
interface Piece {
  floats: number;
  split: boolean;
}

/**
 * The model as a pipeline sees it: units (an MLP's layers, a recurrent network's layers then its head, a
 * transformer's blocks), each with its parameters, the activations it keeps per example, and the floats per
 * example that enter it from the unit before. Tensors the first and last stages hold besides (embeddings, a
 * transformer's head; a tied one is held by both).
 */
interface Units {
  pieces: Piece[][];
  activations: number[];
  /** Floats per example entering unit i (i ≥ 1). */
  boundary: number[];
  first: Piece[];
  last: Piece[];
  /** A tied embedding the first and last stages both hold: its size. */
  tied: number;
}

const whole = (floats: number): Piece => ({ floats, split: false });
const split = (floats: number): Piece => ({ floats, split: true });

/** An MLP's layers in column/row pairs (train.py's split_mlp): a pair's first layer split with its norm, the second's weight only. */
function mlpUnits(m: MlpSpec, inputs: number, outputs: number, activations: number[]): Units {
  const sizes = [inputs, ...m.hidden.map((l) => l.units), outputs];
  const hidden = m.hidden.length;
  const pieces = sizes.slice(0, -1).map((into, j) => {
    const out = sizes[j + 1];
    const column = j % 2 === 0 && j < hidden;
    const row = j % 2 === 1;
    const bias = j === hidden || m.norm !== 'batchNorm';
    const norm = j < hidden && m.norm !== 'none' ? 2 * out : 0;
    return [
      { floats: into * out, split: column || row },
      { floats: bias ? out : 0, split: column },
      { floats: norm, split: column },
    ].filter((p) => p.floats > 0);
  });
  return { pieces, activations, boundary: sizes.slice(0, -1), first: [], last: [], tied: 0 };
}

/** A transformer's blocks: attention split by heads (q, k, v's columns and biases, the output's rows), the MLP by hidden units. */
function transformerUnits(m: TransformerSpec, vocab: number, T: number, activations: number[]): Units {
  const d = m.dModel;
  const norm = m.norm === 'rmsNorm' ? d : 2 * d;
  const hidden = m.mlpActivation === 'swiglu' ? Math.ceil((8 * d) / 3) : 4 * d;
  const fc1 = m.mlpActivation === 'swiglu' ? 2 * hidden : hidden;
  const block = [
    whole(norm),
    split(3 * d * d),
    split(3 * d),
    split(d * d),
    whole(d),
    whole(norm),
    split(d * fc1),
    split(fc1),
    split(hidden * d),
    whole(d),
  ];
  return {
    pieces: Array.from({ length: m.layers }, () => block),
    activations,
    boundary: Array.from({ length: m.layers }, () => T * d),
    first: [whole(vocab * d), ...(m.position === 'learned' ? [whole(T * d)] : [])],
    last: [...(m.normPlacement === 'pre' ? [whole(norm)] : []), ...(m.tiedEmbeddings ? [] : [whole(d * vocab)])],
    tied: m.tiedEmbeddings ? vocab * d : 0,
  };
}

/** The model's units; null for a CNN (only data parallelism splits it). */
function unitsOf(spec: ExperimentSpec, shape: ProblemShape): Units | null {
  const m = spec.model;
  const activations = activationsByUnit(spec, shape);
  if (m.kind === 'mlp' && shape.kind === 'tabular') return mlpUnits(m, shape.inputDim, shape.outputDim, activations);
  if (shape.kind !== 'sequence') return null;
  if (m.kind === 'transformer') return transformerUnits(m, shape.vocab ?? 0, shape.length, activations);
  if (m.kind !== 'lstm') return null;
  // The cost model's layers: the embedding (token models), each recurrent layer, the head.
  const layers = modelCost(m, shape).layers;
  const embedding = shape.vocab ? [whole(layers[0].params)] : [];
  const body = layers.slice(embedding.length).map((l) => [whole(l.params)]);
  const widths = [shape.vocab ? m.embedding : 1, ...m.layers.map((l) => l.units)];
  return {
    pieces: body,
    activations,
    boundary: widths.map((w) => shape.length * w),
    first: embedding,
    last: [],
    tied: 0,
  };
}

const sum = (pieces: Piece[], share = (p: Piece) => p.floats) => pieces.reduce((s, p) => s + share(p), 0);

function load(spec: ExperimentSpec, parameters: number, activations: number, bytesSent: number): DeviceLoad {
  const bytes = FLOAT * parameters;
  return {
    parameters,
    memory: {
      parameters: bytes,
      gradients: bytes,
      optimizer: optimizerSlots(spec.training.optimizer) * bytes,
      activations,
    },
    bytesSent,
  };
}

function dataParallel(spec: ExperimentSpec, shape: ProblemShape, n: number): ScaleOut {
  const batch = spec.training.batchSize;
  if (n > batch) return refused('data', n, `${n} devices cannot share batches of ${batch} examples`);
  const params = modelCost(spec.model, shape).params;
  const perExample = activationsByUnit(spec, shape).reduce((a, b) => a + b, 0);
  // DDP all-reduces every gradient each step. (With BatchNorm it also broadcasts the running statistics from
  // device 0 before each forward pass: a few floats per feature, not counted here or by train.py.)
  const loads = Array.from({ length: n }, (_, r) =>
    load(spec, params, activationBytes(perExample, rows(batch, r, n)), allReduce(params, n)),
  );
  return { strategy: 'data', devices: n, problem: null, loads };
}

/** The bytes one tensor-parallel device sends for its `b` rows: the all-reduces and gathers train.py's splits make. */
function tensorTraffic(spec: ExperimentSpec, shape: ProblemShape, b: number, tp: number): number {
  const m = spec.model;
  const clip = spec.training.clipNorm > 0 ? allReduce(1, tp) : 0; // the gradients' squared norm
  if (m.kind === 'transformer' && shape.kind === 'sequence')
    // Per block, attention and MLP each: the input's gradient summed backward, the output summed forward.
    return m.layers * 4 * allReduce(b * shape.length * m.dModel, tp) + clip;
  if (m.kind !== 'mlp' || shape.kind !== 'tabular') return 0;
  const sizes = [shape.inputDim, ...m.hidden.map((l) => l.units), shape.outputDim];
  const residual = [...residualLayers(m), false];
  let bytes = clip;
  for (let j = 0; j + 1 < sizes.length - 1; j += 2) {
    if (j > 0) bytes += allReduce(b * sizes[j], tp); // the column layer's input gradient (not for data)
    if (m.norm === 'layerNorm') bytes += 4 * allReduce(b, tp); // mean and variance, forward and backward
    if (residual[j]) bytes += allGather((b * sizes[j + 1]) / tp, tp); // the skip's gradient, put together
    bytes += allReduce(b * sizes[j + 2], tp); // the row layer's partial sums
    if (residual[j + 1]) bytes += allGather((b * sizes[j + 1]) / tp, tp); // its input, whole for the skip
  }
  return bytes;
}

function tensorProblem(spec: ExperimentSpec, shape: ProblemShape, tp: number, n: number): string | null {
  const m = spec.model;
  if (m.kind !== 'mlp' && m.kind !== 'transformer')
    return `tensor parallelism splits MLPs and transformers, not ${m.kind === 'cnn' ? 'CNNs' : 'recurrent networks'}`;
  if (tp < 1 || n % tp) return `${tp} devices per model do not divide ${n}`;
  if (spec.training.optimizer.kind === 'muon' && tp > 1)
    return 'Muon orthogonalises whole matrices, which no device holds when they are split';
  if (rows(spec.training.batchSize, 0, n / tp) === 0)
    return `${n / tp} groups cannot share batches of ${spec.training.batchSize} examples`;
  const divides = (width: number, what: string) =>
    width % tp ? `${what} is ${width}, which ${tp} does not divide` : null;
  if (m.kind === 'transformer') {
    const hidden = m.mlpActivation === 'swiglu' ? Math.ceil((8 * m.dModel) / 3) : 4 * m.dModel;
    return divides(m.heads, 'the number of attention heads') ?? divides(hidden, "the width of the blocks' MLP");
  }
  if (shape.kind !== 'tabular') return null;
  for (let j = 0; j + 1 <= m.hidden.length; j += 2) {
    const problem = divides(m.hidden[j].units, `the width of hidden layer ${j + 1}`);
    if (problem) return problem;
  }
  return null;
}

function tensorParallel(spec: ExperimentSpec, shape: ProblemShape, n: number, size: number | undefined): ScaleOut {
  const tp = size ?? n;
  const problem = tensorProblem(spec, shape, tp, n);
  const units = unitsOf(spec, shape);
  if (problem || !units) return refused('tensor', n, problem ?? 'this model cannot be split by tensors');
  const dp = n / tp;
  const all = [...units.pieces.flat(), ...units.first, ...units.last];
  const held = sum(all, (p) => (p.split ? p.floats / tp : p.floats));
  // Activations: a split unit's mostly split (its heads, its hidden units); the whole inputs and outputs not.
  const splitUnit = units.pieces.map((ps) => ps.some((p) => p.split));
  const perExample = units.activations.reduce((s, a, i) => s + (splitUnit[i] ? a / tp : a), 0);
  const loads = Array.from({ length: n }, (_, r) => {
    const b = rows(spec.training.batchSize, Math.floor(r / tp), dp);
    const sent = tensorTraffic(spec, shape, b, tp) + allReduce(held, dp); // dp > 1: the gradients averaged
    return load(spec, held, activationBytes(perExample, b), sent);
  });
  return { strategy: 'tensor', devices: n, problem: null, loads };
}

/** Consecutive runs of units as even as they divide (train.py's even_bounds): 5 over 2 are [0, 3) and [3, 5). */
export function stageBounds(units: number, stages: number): [number, number][] {
  const bounds: [number, number][] = [];
  let begin = 0;
  for (let s = 0; s < stages; s++) {
    const size = Math.floor(units / stages) + (s < units % stages ? 1 : 0);
    bounds.push([begin, begin + size]);
    begin += size;
  }
  return bounds;
}

function pipelineParallel(spec: ExperimentSpec, shape: ProblemShape, n: number, micro: number | undefined): ScaleOut {
  const units = unitsOf(spec, shape);
  const batch = spec.training.batchSize;
  if (!units)
    return refused('pipeline', n, 'pipeline parallelism stages MLPs, recurrent networks and transformers, not CNNs');
  const depth = units.pieces.length;
  if (n > depth)
    return refused('pipeline', n, `the model has only ${depth} layers (or blocks) to share out among ${n} devices`);
  const microBatches = micro ?? Math.min(batch, 4 * n);
  if (microBatches < 1 || microBatches > batch)
    return refused('pipeline', n, `${microBatches} micro-batches cannot split batches of ${batch} examples`);
  const stages = stageBounds(depth, n);
  const clip = spec.training.clipNorm > 0 ? allReduce(1, n) : 0;
  const loads = stages.map(([begin, end], s) => {
    const first = s === 0;
    const last = s === n - 1;
    const pieces = [
      ...(first ? units.first : []),
      ...units.pieces.slice(begin, end).flat(),
      ...(last ? units.last : []),
      ...(last && !first && units.tied ? [whole(units.tied)] : []),
    ];
    const activations = units.activations.slice(begin, end).reduce((a, b) => a + b, 0);
    // Every micro-batch's activations forward to the next stage, and their gradients back to the one before.
    let sent = clip;
    if (!last) sent += FLOAT * batch * units.boundary[end];
    if (!first) sent += FLOAT * batch * units.boundary[begin];
    if (units.tied && n > 1 && (first || last)) sent += allReduce(units.tied, 2); // the tied embedding's gradients
    return load(spec, sum(pieces), activationBytes(activations, batch), sent);
  });
  const bubble = (n - 1) / (microBatches + n - 1);
  return { strategy: 'pipeline', devices: n, problem: null, loads, pipeline: { stages, microBatches, bubble } };
}

const refused = (strategy: Strategy, devices: number, problem: string): ScaleOut => ({
  strategy,
  devices,
  problem,
  loads: [],
});

/** Each strategy over `devices` devices (1–64) for this model and problem. */
export function scaleOut(
  spec: ExperimentSpec,
  shape: ProblemShape,
  devices: number,
  options: ScaleOutOptions = {},
): Record<Strategy, ScaleOut> {
  return {
    data: dataParallel(spec, shape, devices),
    tensor: tensorParallel(spec, shape, devices, options.tensorSize),
    pipeline: pipelineParallel(spec, shape, devices, options.microBatches),
  };
}

/** One cell of GPipe's schedule: a stage working forward or backward on a micro-batch (backward takes twice as long). */
export interface ScheduleCell {
  stage: number;
  micro: number;
  phase: 'forward' | 'backward';
  start: number;
  length: number;
}

/**
 * GPipe's schedule in time slots: micro-batch m enters stage s forward at slot s + m; after the last forward, the
 * backward passes run in reverse, the last stage first, each taking 2 slots. The step lasts 3(M + S − 1) slots, of
 * which each stage works 3M: the bubble is (S − 1) / (M + S − 1).
 */
export function gpipeSchedule(stages: number, microBatches: number): { cells: ScheduleCell[]; slots: number } {
  const cells: ScheduleCell[] = [];
  const forwardEnd = microBatches + stages - 1;
  for (let s = 0; s < stages; s++)
    for (let m = 0; m < microBatches; m++) {
      cells.push({ stage: s, micro: m, phase: 'forward', start: s + m, length: 1 });
      const order = microBatches - 1 - m; // backward runs the micro-batches in reverse
      cells.push({
        stage: s,
        micro: m,
        phase: 'backward',
        start: forwardEnd + 2 * (stages - 1 - s + order),
        length: 2,
      });
    }
  return { cells, slots: 3 * forwardEnd };
}

/** A pipeline unit as the builder names it: block 2, dense 1, the output layer, lstm 3, the head. */
export function unitName(m: ModelSpec, i: number): string {
  if (m.kind === 'transformer') return `block ${i + 1}`;
  if (m.kind === 'mlp') return i < m.hidden.length ? `dense ${i + 1}` : 'the output layer';
  if (m.kind === 'lstm') return i < m.layers.length ? `${m.cell} ${i + 1}` : 'the head';
  return `layer ${i + 1}`;
}

/** A pipeline stage's units [a, b) as the builder names them: "block 1", "dense 1 to dense 2". */
export function stageUnits(m: ModelSpec, [a, b]: [number, number]): string {
  return b - a > 1 ? `${unitName(m, a)} to ${unitName(m, b - 1)}` : unitName(m, a);
}

/** The command that trains this split with the exported program (its figures' micro-batches). */
export function torchrunCommand(split: ScaleOut, tensorSize: number): string {
  const extra =
    split.strategy === 'tensor' && tensorSize !== split.devices
      ? ` --tensor-size ${tensorSize}`
      : split.pipeline
        ? ` --micro-batches ${split.pipeline.microBatches}`
        : '';
  return `torchrun --nproc_per_node=${split.devices} train.py --parallel ${split.strategy}${extra}`;
}
