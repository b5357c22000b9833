// The PyTorch export: train.py, the exact data and initial weights the engine builds for a spec,
// the spec and a README. Used by the CLI (files in a folder) and the app's worker (one zip).
import { zipSync } from 'fflate';
import type { ExperimentSpec } from '../../experiment/types';
import type { DatasetFiles } from '../../data/dataset';
import type { TensorData } from '../../engine/types';
import { prepareLearner, type PreparedData } from '../../engine/prepareLearner';
import { readState } from '../../engine/checkpoint';
import { encodeSafetensors } from '../safetensors';
import { parallelPy, trainPy } from './trainPy';
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
  /** CNN: the images' [height, width, channels] (each row of inputs is one, channels last). */
  image: [number, number, number] | null;
  /** Token models: the alphabet's size, and the alphabet itself (token id = index). */
  vocab: number | null;
  tokens: string[] | null;
  /** Byte-pair language models: the merges (merge k joins tokens merges[2k] and merges[2k + 1] into 256 + k). */
  merges: number[] | null;
  /** Language models: the token a sample starts from. */
  start: number | null;
  /** Sequence models: timesteps per example. */
  length: number | null;
  examples: { train: number; validation: number; test: number };
}

interface Split {
  x: Float32Array | Int32Array;
  y: Float32Array | Int32Array;
  mask?: Float32Array | null;
  n: number;
}

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

/** The splits as tensors, and what train.py needs to know about them. */
function dataOf(data: PreparedData): { tensors: TensorData[]; info: DataInfo } {
  const ds = data.dataset;
  const examples = { train: ds.train.n, validation: ds.validation.n, test: ds.test.n };
  const splits = Object.entries({ train: ds.train, validation: ds.validation, test: ds.test });
  if (data.kind === 'tabular') {
    const { inputDim } = data.dataset;
    return {
      tensors: splits.flatMap(([name, s]) => splitTensors(name, s, [s.n, inputDim], [s.n])),
      info: {
        task: data.dataset.task,
        inputs: inputDim,
        outputs: data.dataset.outputDim,
        image: data.dataset.image
          ? [data.dataset.image.height, data.dataset.image.width, data.dataset.image.channels]
          : null,
        vocab: null,
        tokens: null,
        merges: null,
        start: null,
        length: null,
        examples,
      },
    };
  }
  const { length: T, task, vocab } = data.dataset;
  return {
    tensors: splits.flatMap(([name, s]) => splitTensors(name, s, [s.n, T], task === 'forecast' ? [s.n] : [s.n, T])),
    info: {
      task,
      inputs: null,
      outputs: null,
      image: null,
      vocab: vocab?.length ?? null,
      tokens: vocab,
      merges: ds.task === 'language' && ds.text?.bpe ? Array.from(ds.text.bpe.merges) : null,
      start: ds.task === 'language' ? ds.startToken : null,
      length: T,
      examples,
    },
  };
}

/** The files of the export, built on whatever tfjs backend is active (the initial weights are drawn in JavaScript). */
export async function pytorchExport(spec: ExperimentSpec, files: DatasetFiles = {}): Promise<ExportFile[]> {
  const prepared = prepareLearner(spec, { files });
  const learner = prepared.make();
  try {
    const { weights } = await readState(learner, null);
    const { tensors, info } = dataOf(prepared.data);
    const text = (s: string) => new TextEncoder().encode(s);
    return [
      { name: 'train.py', bytes: text(trainPy(spec.model, spec.training.optimizer.kind)) },
      { name: 'parallel.py', bytes: text(parallelPy()) },
      { name: 'README.md', bytes: text(exportReadme(spec, info)) },
      { name: 'spec.json', bytes: text(`${JSON.stringify(spec, null, 2)}\n`) },
      {
        name: 'init.safetensors',
        bytes: encodeSafetensors(weights, {
          format: 'nn-playground-weights',
          spec: JSON.stringify(spec),
          epoch: '0',
          run: 'initial weights',
        }),
      },
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
