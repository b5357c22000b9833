// A run's byte pairs learned in slices in the worker (worker/runData.ts): the same merges as learned at once, progress that only goes up to the
// size asked for, and a cancel heard between slices.
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { trainBpe } from '../src/data/bpe';
import { buildSequenceDataset, tokenizerText } from '../src/data/sequenceDataset';
import { datasetDefaults, defaultSpec, type DatasetSpec } from '../src/experiment';
import { learnMerges } from '../src/worker/runData';

const text = readFileSync('datasets/sotu.txt', 'utf8').slice(0, 300_000);
const spec = (vocabSize: number): DatasetSpec => ({
  ...defaultSpec().dataset,
  kind: 'userText',
  ...datasetDefaults('userText'),
  tokenizer: { kind: 'bpe', vocabSize },
});

test('sliced learning gives the merges learned at once, with progress up to the size asked for', async () => {
  const progress: [number, number][] = [];
  const merges = await learnMerges(
    spec(1500),
    1,
    { text },
    {
      onProgress: (merged, planned) => progress.push([merged, planned]),
      cancelled: () => false,
      sliceMs: 0,
    },
  );
  const training = tokenizerText(spec(1500), 1, { text })!;
  expect(training.length).toBeLessThan(text.length); // the training part only
  expect(merges).toEqual(trainBpe(training, 1500).merges);
  expect(progress.length).toBeGreaterThan(10);
  expect(progress.every(([, planned]) => planned === 1500 - 256)).toBe(true);
  const merged = progress.map(([m]) => m);
  expect(merged).toEqual([...merged].sort((a, b) => a - b));
  // The dataset built with them is the one built without: the same tokens.
  const withMerges = buildSequenceDataset(spec(1500), 1, { text, merges: merges! });
  const learned = buildSequenceDataset(spec(1500), 1, { text });
  expect(withMerges.train.x).toEqual(learned.train.x);
});

test('a cancel between slices ends learning without merges; characters learn none', async () => {
  let asked = 0;
  const merges = await learnMerges(
    spec(4000),
    1,
    { text },
    {
      onProgress: () => {},
      cancelled: () => ++asked > 1,
      sliceMs: 0,
    },
  );
  expect(merges).toBeNull();
  expect(asked).toBe(2);
  const chars = { ...spec(300), tokenizer: { kind: 'char' as const, vocabSize: 256 } };
  expect(await learnMerges(chars, 1, { text }, { onProgress: () => {}, cancelled: () => true })).toBeUndefined();
});
