// The shape of each dataset's inputs and outputs, known without loading it, for the builder's
// parameter and FLOP counts. The shipped texts' alphabet sizes are checked against the files by tests.
import { exampleCounts, sequenceLength } from '../experiment/validate';
import {
  imageShapeOf,
  isPlane,
  isSeries,
  isText,
  isToy,
  learnsRows,
  type DatasetSpec,
  type ExperimentSpec,
} from '../experiment/types';
import type { ImageShape } from '../experiment/cnn';
import { TOY_VOCAB } from './toyTasks';
import { MNIST_PIXELS } from './mnist';
import { textWindowCounts } from './text';

/** What a model is built for: tabular inputs and outputs, or sequences of tokens (vocab) or values (vocab null). */
export type ProblemShape =
  | { kind: 'tabular'; inputDim: number; outputDim: number; image?: ImageShape }
  | { kind: 'sequence'; vocab: number | null; length: number };

/** Distinct characters of the shipped texts (names: with the '.' that separates names). */
export const SHIPPED_TEXT_VOCAB = { names: 28, sotu: 80 } as const;
/** Their lengths in characters (tokens), as the models read them. */
export const SHIPPED_TEXT_LENGTH = { names: 59_168, sotu: 1_025_936 } as const;

/**
 * `userVocab`: distinct characters of the person's own text; `userTable`: its inputs and outputs
 * as encoded; `userClasses`: how many classes the person's images have (each null when there is none yet, or it
 * cannot be used).
 */
export function problemShape(
  spec: ExperimentSpec,
  userVocab: number | null,
  userTable: { inputDim: number; outputDim: number } | null = null,
  userClasses: number | null = null,
): ProblemShape | null {
  const d = spec.dataset;
  if (d.kind === 'userTable') return userTable && { kind: 'tabular', ...userTable };
  const image = imageShapeOf(d);
  if (image && learnsRows(spec.model)) {
    const outputDim = d.kind === 'userImages' ? userClasses : 10;
    const inputDim = image.height * image.width * image.channels;
    return outputDim ? { kind: 'tabular', inputDim, outputDim, ...(spec.model.kind === 'cnn' ? { image } : {}) } : null;
  }
  if (spec.model.kind === 'cnn') return null;
  if (spec.model.kind === 'mlp') {
    if (isPlane(d.kind)) return { kind: 'tabular', inputDim: d.features.length, outputDim: 1 };
    if (isSeries(d.kind)) return { kind: 'tabular', inputDim: d.contextLength, outputDim: 1 };
    return { kind: 'tabular', inputDim: MNIST_PIXELS, outputDim: 10 };
  }
  if (isSeries(d.kind)) return { kind: 'sequence', vocab: null, length: d.contextLength };
  const vocab = isToy(d.kind)
    ? TOY_VOCAB.length
    : isText(d.kind) && d.tokenizer.kind === 'bpe'
      ? d.tokenizer.vocabSize
      : d.kind === 'userText'
        ? userVocab
        : isText(d.kind)
          ? SHIPPED_TEXT_VOCAB[d.kind]
          : null;
  return vocab ? { kind: 'sequence', vocab, length: sequenceLength(d) } : null;
}

/**
 * Training, validation and test examples the dataset will hold once built: `exampleCounts`, except
 * that a text's held-out windows are as many as its length allows (`userTextLength`: characters of
 * the person's own text, null when there is none).
 */
export function datasetExamples(
  d: DatasetSpec,
  userTextLength: number | null,
): { train: number; validation: number; test: number } {
  const asked = exampleCounts(d);
  if (!isText(d.kind)) return asked;
  const length = d.kind === 'userText' ? userTextLength : SHIPPED_TEXT_LENGTH[d.kind];
  if (!length) return asked;
  return textWindowCounts(length, d.contextLength, asked, { validation: d.validationSplit, test: d.testSplit });
}
