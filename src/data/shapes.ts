// The shape of each dataset's inputs and outputs, known without loading it, for the builder's
// parameter and FLOP counts. The shipped texts' alphabet sizes are checked against the files by tests.
import { exampleCounts, sequenceLength } from '../spec/validate';
import { isPlane, isSeries, isText, isToy, type ExperimentSpec } from '../spec/types';
import { TOY_VOCAB } from './toyTasks';
import { MNIST_PIXELS } from './mnist';

/** What a model is built for: tabular inputs and outputs, or sequences of tokens (vocab) or values (vocab null). */
export type ProblemShape =
  { kind: 'tabular'; inputDim: number; outputDim: number } | { kind: 'sequence'; vocab: number | null; length: number };

/** Distinct characters of the shipped texts (names: with the '.' that separates names). */
export const SHIPPED_TEXT_VOCAB = { names: 28, sotu: 80 } as const;

/**
 * `userVocab`: distinct characters of the person's own text; `userTable`: its inputs and outputs
 * as encoded (null when there is none yet, or it cannot be used).
 */
export function problemShape(
  spec: ExperimentSpec,
  userVocab: number | null,
  userTable: { inputDim: number; outputDim: number } | null = null,
): ProblemShape | null {
  const d = spec.dataset;
  if (d.kind === 'userTable') return userTable && { kind: 'tabular', ...userTable };
  if (spec.model.kind === 'mlp') {
    if (isPlane(d.kind)) return { kind: 'tabular', inputDim: d.features.length, outputDim: 1 };
    if (isSeries(d.kind)) return { kind: 'tabular', inputDim: d.contextLength, outputDim: 1 };
    return { kind: 'tabular', inputDim: MNIST_PIXELS, outputDim: 10 };
  }
  if (isSeries(d.kind)) return { kind: 'sequence', vocab: null, length: d.contextLength };
  const vocab = isToy(d.kind)
    ? TOY_VOCAB.length
    : d.kind === 'userText'
      ? userVocab
      : isText(d.kind)
        ? SHIPPED_TEXT_VOCAB[d.kind]
        : null;
  return vocab ? { kind: 'sequence', vocab, length: sequenceLength(d) } : null;
}

/**
 * Optimizer steps per epoch: full batches only (the ragged tail of each shuffled epoch is dropped,
 * so every step has the same shape). The one count the Trainer, the schedule preview and the cost table share.
 */
export function batchesPerEpoch(trainExamples: number, batchSize: number): number {
  return Math.floor(trainExamples / batchSize);
}

/** Examples trained and evaluated per epoch, as the trainer counts them (for per-epoch FLOPs). */
export function epochExamples(
  spec: ExperimentSpec,
  limits: { train: number; sequenceValidation: number },
): { trained: number; evaluated: number } {
  const { train, validation } = exampleCounts(spec.dataset);
  const trained = batchesPerEpoch(train, spec.training.batchSize) * spec.training.batchSize;
  const evaluated =
    Math.min(limits.train, train) +
    (spec.model.kind === 'mlp' ? validation : Math.min(limits.sequenceValidation, validation));
  return { trained, evaluated };
}
