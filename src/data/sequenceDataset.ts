// Sequence data for the LSTM and the transformer: character text, toy tasks and time series,
// as fixed-length examples split into train and validation.
import { exampleCounts } from '../experiment/validate';
import { isSeries, isText, isToy, type DatasetSpec, type SeriesDatasetKind } from '../experiment/types';
import { deriveSeed, Rng } from './rng';
import { lmWindows, namesStream, testWindows } from './text';
import { bytesPerTokenOf, tokenizeText, tokenView, type TextTokens } from './textTokens';
import { toyExample, toyExamples, TOY_VOCAB, type ToyTask } from './toyTasks';
import { mackeyGlass, sineMixture } from './series';

/** Text and toy tasks: n × T token ids and the n × T tokens that follow them. */
export interface TokenSplit {
  x: Int32Array;
  y: Int32Array;
  /** n × T: 1 where the target counts (toy tasks: the answer); null when every target counts. */
  mask: Float32Array | null;
  n: number;
}

/** Series: n windows of T values and the value that follows each. */
export interface ValueSplit {
  x: Float32Array;
  y: Float32Array;
  mask: null;
  n: number;
}

export type SequenceSplit = TokenSplit | ValueSplit;

interface SequenceShape {
  /** Timesteps per example (the context length). */
  length: number;
  /** Toy tasks: tokens of prompt before the first answer token is predicted (0 otherwise). */
  promptLength: number;
  /** Language: the character that starts a sample (names: the boundary '.'). */
  startToken: number;
}

/** Next-character text (every target counts) or a toy task (the answer's tokens count). */
export interface TokenDataset extends SequenceShape {
  task: 'language' | 'toy';
  /** The token alphabet: token id = index. */
  vocab: string[];
  /** Language: how its text became tokens, to read prompts and write samples; null for toy tasks. */
  text: TextTokens | null;
  scale: null;
  train: TokenSplit;
  validation: TokenSplit;
  /** Held out like validation, looked at once at the end of a run (n = 0 when the spec asks for none). */
  test: TokenSplit;
}

/** A series, forecast one value ahead. */
export interface ForecastDataset extends SequenceShape {
  task: 'forecast';
  vocab: null;
  /** The training part's mean and spread, to show forecasts in the series' own units. */
  scale: { mean: number; std: number };
  train: ValueSplit;
  validation: ValueSplit;
  test: ValueSplit;
}

export type SequenceDataset = TokenDataset | ForecastDataset;

/** Text the language datasets need: the shipped names/speeches file or the user's text. */
export interface TextFiles {
  text?: string;
  /** Byte pairs already learned for this run (kept with it, or learned with progress): not learned again. */
  merges?: Int32Array;
  /** Told how far cutting the text into tokens has come (bytes or characters done, of all), now and then. */
  onTokenizing?: (done: number, total: number) => void;
}

/** The raw series for a series dataset, seeded. */
export function seriesValues(kind: SeriesDatasetKind, length: number, noise: number, seed: number): Float32Array {
  const s = kind === 'sines' ? sineMixture(length, 3, 0, seed) : mackeyGlass(length, 17, seed);
  if (noise > 0) {
    const rng = new Rng(deriveSeed(seed, 'noise'));
    for (let i = 0; i < s.length; i++) s[i] += noise * rng.normal();
  }
  return s;
}

/**
 * Forecast windows over a series, split by time (validation is the series' end, never seen in
 * training) and standardised with the training part's mean and spread.
 */
export function seriesWindows(
  spec: DatasetSpec,
  seed: number,
): {
  train: { x: Float32Array; y: Float32Array; n: number };
  validation: { x: Float32Array; y: Float32Array; n: number };
  test: { x: Float32Array; y: Float32Array; n: number };
  scale: { mean: number; std: number };
} {
  const raw = seriesValues(spec.kind as SeriesDatasetKind, spec.samples, spec.noise, deriveSeed(seed, 'data'));
  const T = spec.contextLength;
  const counts = exampleCounts(spec);
  const trainPart = raw.subarray(0, counts.train + T);
  const mean = trainPart.reduce((a, b) => a + b, 0) / trainPart.length;
  const std = Math.sqrt(trainPart.reduce((a, b) => a + (b - mean) ** 2, 0) / trainPart.length) || 1;
  const z = raw.map((v) => (v - mean) / std);
  const windows = (first: number, n: number) => {
    const x = new Float32Array(n * T);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      x.set(z.subarray(first + i, first + i + T), i * T);
      y[i] = z[first + i + T];
    }
    return { x, y, n };
  };
  // In time order: training, then validation, then test (the series' very end).
  return {
    train: windows(0, counts.train),
    validation: windows(counts.train, counts.validation),
    test: windows(counts.train + counts.validation, counts.test),
    scale: { mean, std },
  };
}

/** Names in a seeded order (the file is alphabetical, which would make validation all late letters). */
function shuffledNames(file: string, seed: number): string {
  const names = file
    .split('\n')
    .map((n) => n.trim())
    .filter(Boolean);
  const order = new Rng(seed).permutation(names.length);
  return namesStream(Array.from(order, (i) => names[i]).join('\n'));
}

export function buildSequenceDataset(spec: DatasetSpec, seed: number, files: TextFiles = {}): SequenceDataset {
  const counts = exampleCounts(spec);
  if (isSeries(spec.kind)) {
    const { train, validation, test, scale } = seriesWindows(spec, seed);
    return {
      task: 'forecast',
      vocab: null,
      length: spec.contextLength,
      promptLength: 0,
      scale,
      startToken: 0,
      train: { ...train, mask: null },
      validation: { ...validation, mask: null },
      test: { ...test, mask: null },
    };
  }
  if (isToy(spec.kind)) {
    const task = spec.kind;
    const train = toyExamples(task, spec.digits, counts.train, deriveSeed(seed, 'data'));
    const validation = heldOutToyExamples(task, spec.digits, counts.validation, deriveSeed(seed, 'validation'), [
      train,
    ]);
    const test = heldOutToyExamples(task, spec.digits, counts.test, deriveSeed(seed, 'test'), [train, validation]);
    const part = (e: ReturnType<typeof toyExamples>) => ({ x: e.x, y: e.y, mask: e.mask, n: e.n });
    return {
      task: 'toy',
      vocab: [...TOY_VOCAB],
      text: null,
      length: train.length,
      promptLength: train.promptLength,
      scale: null,
      startToken: 0,
      train: part(train),
      validation: part(validation),
      test: part(test),
    };
  }
  const { text, trainingChars } = languageText(spec, seed, files);
  const { tokens, codec } = tokenizeText(text, spec.tokenizer, trainingChars, files.merges, files.onTokenizing);
  // The test split is the text's end; the rest splits into training and validation as without one.
  const testFrom = spec.testSplit > 0 ? Math.floor(tokens.length * (1 - spec.testSplit)) : tokens.length;
  const { train, validation } = lmWindows(
    tokens.subarray(0, testFrom),
    spec.contextLength,
    counts,
    spec.validationSplit / (1 - spec.testSplit),
    deriveSeed(seed, 'data'),
  );
  const test = testWindows(tokens, spec.contextLength, counts.test, testFrom);
  return {
    task: 'language',
    vocab: codec.vocab,
    text: {
      ...codec,
      validationBytesPerToken: bytesPerTokenOf(codec, validation.y),
      view: tokenView(codec, tokens, text, trainingChars),
    },
    length: spec.contextLength,
    promptLength: 0,
    scale: null,
    startToken: codec.startToken,
    train: { x: train.x, y: train.y, mask: null, n: train.n },
    validation: { x: validation.x, y: validation.y, mask: null, n: validation.n },
    test: { x: test.x, y: test.y, mask: null, n: test.n },
  };
}

/** A language dataset's text, in the order it is split, and how many of its characters are the training part. */
function languageText(spec: DatasetSpec, seed: number, files: TextFiles): { text: string; trainingChars: number } {
  if (!isText(spec.kind)) throw new Error(`${spec.kind} is not a sequence dataset`);
  if (!files.text)
    throw new Error(
      spec.kind === 'userText' ? 'Your text: paste or upload some text first' : `The ${spec.kind} text is not loaded`,
    );
  const text = spec.kind === 'names' ? shuffledNames(files.text, deriveSeed(seed, 'split')) : files.text;
  // Byte pairs are learned from the training part only: the characters before validation and test.
  return { text, trainingChars: Math.floor(text.length * (1 - spec.validationSplit - spec.testSplit)) };
}

/** The text a byte-pair dataset learns its merges from (its training part), or null when it learns none. */
export function tokenizerText(spec: DatasetSpec, seed: number, files: TextFiles): string | null {
  if (!isText(spec.kind) || spec.tokenizer.kind !== 'bpe') return null;
  const { text, trainingChars } = languageText(spec, seed, files);
  return text.slice(0, trainingChars);
}

/**
 * Held-out examples (validation, test) that appear neither in `earlier` sets (training; for test
 * also validation) nor twice among themselves (when the task has enough distinct problems), so
 * exact-match measures generalisation rather than recall.
 */
function heldOutToyExamples(
  task: ToyTask,
  digits: number,
  count: number,
  seed: number,
  earlier: ReturnType<typeof toyExamples>[],
) {
  const seen = new Set<string>();
  for (const e of earlier)
    for (let i = 0; i < e.n; i++) seen.add(e.x.subarray(i * e.length, i * e.length + e.promptLength).join(','));
  const rng = new Rng(seed);
  const problems = task === 'addition' ? 100 ** digits : 10 ** digits;
  const avoidSeen = problems >= 2 * (earlier.reduce((s, e) => s + e.n, 0) + count);
  const out = toyExamples(task, digits, count, seed);
  if (!avoidSeen) return out;
  for (let i = 0; i < count; i++) {
    const row = out.x.subarray(i * out.length, i * out.length + out.promptLength);
    // Redraw a seen prompt until it is new; the tries are bounded by the spare problems.
    for (let tries = 0; seen.has(row.join(',')) && tries < 100; tries++) {
      const { prompt, answer } = toyExample(task, digits, rng);
      const seq = [...(prompt + answer)].map((c) => TOY_VOCAB.indexOf(c as (typeof TOY_VOCAB)[number]));
      for (let t = 0; t < out.length; t++) {
        out.x[i * out.length + t] = seq[t];
        out.y[i * out.length + t] = seq[t + 1];
      }
    }
    seen.add(row.join(','));
  }
  return out;
}
