// The PyTorch export: train.py, the exact data and initial weights the engine builds for a spec,
// the spec and a README. Used by the CLI (files in a folder) and the app's worker (one zip).
import { zipSync } from 'fflate';
import type { ExperimentSpec } from '../../spec/types';
import type { DatasetFiles } from '../../data/dataset';
import type { TensorData } from '../../engine/types';
import { prepareLearner } from '../../engine/prepareLearner';
import { TabularLearner } from '../../engine/learners/tabular';
import { SequenceLearner } from '../../engine/learners/sequence';
import { encodeSafetensors } from '../safetensors';
import { trainPy } from './trainPy';
import { exportReadme } from './readme';

export interface ExportFile {
  name: string;
  bytes: Uint8Array;
}

/** What train.py needs to know about the data besides the tensors (the data.safetensors metadata). */
export interface DataInfo {
  task: 'binary' | 'multiclass' | 'regression' | 'language' | 'toy' | 'forecast';
  /** MLP: input features and output units. */
  inputs: number | null;
  outputs: number | null;
  /** Token models: the alphabet's size, and the alphabet itself (token id = index). */
  vocab: number | null;
  tokens: string[] | null;
  /** Sequence models: timesteps per example. */
  length: number | null;
  examples: { train: number; validation: number; test: number };
}

interface Split { x: Float32Array | Int32Array; y: Float32Array | Int32Array; mask?: Float32Array | null; n: number }

/** A split as tensors named split.x, split.y (and split.mask); token ids as float32, which holds them exactly. */
function splitTensors(name: string, s: Split, xShape: number[], yShape: number[]): TensorData[] {
  if (s.n === 0) return [];
  const f32 = (a: Float32Array | Int32Array) => (a instanceof Float32Array ? a : Float32Array.from(a));
  return [
    { name: `${name}.x`, shape: xShape, values: f32(s.x) },
    { name: `${name}.y`, shape: yShape, values: f32(s.y) },
    ...(s.mask ? [{ name: `${name}.mask`, shape: yShape, values: s.mask }] : []),
  ];
}

function dataOf(learner: TabularLearner | SequenceLearner): { tensors: TensorData[]; info: DataInfo } {
  if (learner instanceof TabularLearner) {
    const ds = learner.dataset;
    const splits = { train: ds.train, validation: ds.validation, test: ds.test };
    return {
      tensors: Object.entries(splits).flatMap(([name, s]) => splitTensors(name, s, [s.n, ds.inputDim], [s.n])),
      info: {
        task: ds.task, inputs: ds.inputDim, outputs: ds.outputDim, vocab: null, tokens: null, length: null,
        examples: { train: ds.train.n, validation: ds.validation.n, test: ds.test.n },
      },
    };
  }
  const ds = learner.dataset;
  const T = ds.length;
  const splits = { train: ds.train, validation: ds.validation, test: ds.test };
  return {
    tensors: Object.entries(splits).flatMap(([name, s]) => splitTensors(name, s, [s.n, T], ds.task === 'forecast' ? [s.n] : [s.n, T])),
    info: {
      task: ds.task, inputs: null, outputs: null, vocab: ds.vocab?.length ?? null, tokens: ds.vocab, length: T,
      examples: { train: ds.train.n, validation: ds.validation.n, test: ds.test.n },
    },
  };
}

/** The files of the export, built on whatever tfjs backend is active (the initial weights are drawn in JavaScript). */
export async function pytorchExport(spec: ExperimentSpec, files: DatasetFiles = {}): Promise<ExportFile[]> {
  const learner = prepareLearner(spec, { files }).make() as TabularLearner | SequenceLearner;
  try {
    const weights: TensorData[] = await Promise.all(learner.variables.map(async (v, i) => ({
      name: learner.parameterNames[i], shape: v.shape, values: (await v.data()) as Float32Array,
    })));
    const { tensors, info } = dataOf(learner);
    const text = (s: string) => new TextEncoder().encode(s);
    return [
      { name: 'train.py', bytes: text(trainPy(spec.model.kind)) },
      { name: 'README.md', bytes: text(exportReadme(spec, info)) },
      { name: 'spec.json', bytes: text(`${JSON.stringify(spec, null, 2)}\n`) },
      { name: 'init.safetensors', bytes: encodeSafetensors(weights, { format: 'nn-playground-weights', spec: JSON.stringify(spec), epoch: '0', run: 'initial weights' }) },
      { name: 'data.safetensors', bytes: encodeSafetensors(tensors, { data: JSON.stringify(info) }) },
    ];
  } finally {
    learner.dispose();
  }
}

/** The files in one zip, inside a folder of that name. */
export function zipExport(folder: string, files: readonly ExportFile[]): Uint8Array {
  return zipSync(Object.fromEntries(files.map((f) => [`${folder}/${f.name}`, f.bytes])));
}
