// From a spec to a learner: the dataset built at once (bad data fails fast), the model's cost,
// and a memory check before anything is allocated.
import * as tf from '@tensorflow/tfjs';
import { learnsRows, type BackendName, type ExperimentSpec } from '../experiment/types';
import { buildDataset, type DatasetFiles, type TabularDataset } from '../data/dataset';
import { buildSequenceDataset, type SequenceDataset } from '../data/sequenceDataset';
import type { ProblemShape } from '../data/shapes';
import type { ModelCost } from './cost';
import { estimateMemory, MEMORY_BUDGET, memoryProblem } from './memoryEstimate';
import type { Learner } from './learner';
import { TabularLearner } from './learners/tabular';
import { SequenceLearner } from './learners/sequence';
import type { SamplingSettings } from './types';

/** What a learner is made with besides the spec. */
export interface LearnerOptions {
  /** Side of the square prediction grid for the decision boundary; 0 turns it off. */
  boundaryResolution?: number;
  /** The data files the dataset needs (MNIST, names, speeches, the user's text). */
  files?: DatasetFiles;
  /** Language models: the temperature of each epoch's sample and the text whose attention is shown. */
  sampling?: SamplingSettings;
  /** The dataset already built for this spec (by "auto"'s measurement): not built again. */
  prepared?: PreparedRun;
}

/** The dataset a learner trains on: rows for the MLP, sequences for the LSTM and the transformer. */
export type PreparedData =
  { kind: 'tabular'; dataset: TabularDataset } | { kind: 'sequence'; dataset: SequenceDataset };

/** A run's dataset, built, with what it implies: the model's cost and the problem's shape. */
export interface PreparedRun {
  cost: ModelCost;
  shape: ProblemShape;
  data: PreparedData;
}

/**
 * The dataset, built now (so bad data fails fast), with the model's cost. "Auto" builds it once for its
 * measurement and hands it to the Trainer (`LearnerOptions.prepared`), which then does not build it again.
 */
export function prepareData(spec: ExperimentSpec, files?: DatasetFiles): PreparedRun {
  if (learnsRows(spec.model)) {
    const ds = buildDataset(spec.dataset, spec.seed, files);
    return {
      cost: TabularLearner.costOf(spec, ds),
      shape: { kind: 'tabular', inputDim: ds.inputDim, outputDim: ds.outputDim, image: ds.image },
      data: { kind: 'tabular', dataset: ds },
    };
  }
  const ds = buildSequenceDataset(spec.dataset, spec.seed, files);
  return {
    cost: SequenceLearner.costOf(spec, ds),
    shape: { kind: 'sequence', vocab: ds.vocab?.length ?? null, length: ds.length },
    data: { kind: 'sequence', dataset: ds },
  };
}

/**
 * The dataset (built now, unless `options.prepared` holds it), the model's cost, and a function that
 * makes the learner (model and data on the device) when training starts.
 */
export function prepareLearner(
  spec: ExperimentSpec,
  options: LearnerOptions = {},
): PreparedRun & { make: () => Learner } {
  const prepared = options.prepared ?? prepareData(spec, options.files);
  const { data } = prepared;
  const make =
    data.kind === 'tabular'
      ? () => new TabularLearner(spec, data.dataset, options.boundaryResolution ?? 0)
      : () => new SequenceLearner(spec, data.dataset, options.sampling);
  return { ...prepared, make };
}

/**
 * Refuse, before anything is allocated, a run that would not fit the active backend (a wasm abort
 * or a lost WebGPU device takes every later run in the tab with it).
 */
export function checkMemory(spec: ExperimentSpec, shape: ProblemShape, params: number): void {
  const backend = tf.getBackend() as BackendName;
  if (!(backend in MEMORY_BUDGET)) return;
  const problem = memoryProblem(spec, estimateMemory(spec, shape, params), backend);
  if (problem) throw new Error(`This run ${problem}.`);
}
