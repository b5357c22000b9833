// What a run trains on, made ready before it starts: its files (a big dataset downloads with progress) and, for a
// byte-pair run, its merges: the ones kept with it, or learned here a slice at a time, so the page shows how far
// learning has come, a Stop is heard between slices, and the heartbeat goes on (16,384 tokens take seconds).
import { learnBpe } from '../data/bpe';
import { tokenizerText, type TextFiles } from '../data/sequenceDataset';
import { yieldToEventLoop } from '../engine/pacing';
import { prepareData, type PreparedRun } from '../engine/prepareLearner';
import { DATASET_LABELS } from '../experiment/labels';
import type { DatasetSpec } from '../experiment/types';
import { filesFor } from './datasetFiles';
import type { FromWorker, ToWorker } from './protocol';

/** A text this long (in UTF-16 units) takes long enough to tokenize that the page is told. */
const BIG_TEXT_CHARS = 2_000_000;

/** Learning runs this long at most before it lets messages in and reports progress. */
const SLICE_MS = 50;

export interface MergeLearning {
  /** Merges made so far, of the most asked for. */
  onProgress: (merged: number, planned: number) => void;
  /** Asked between slices: true ends learning (and the run) without merges. */
  cancelled: () => boolean;
  /** How long a slice runs at most (default SLICE_MS; 0: a slice per 16 merges). */
  sliceMs?: number;
}

/**
 * The merges this dataset's tokenizer learns from its training text; undefined when it learns none (characters,
 * or not a text), null when cancelled. The same merges as buildSequenceDataset would learn at once.
 */
export async function learnMerges(
  spec: DatasetSpec,
  seed: number,
  files: TextFiles,
  { onProgress, cancelled, sliceMs = SLICE_MS }: MergeLearning,
): Promise<Int32Array | null | undefined> {
  const text = tokenizerText(spec, seed, files);
  if (text === null) return undefined;
  const learning = learnBpe(text, spec.tokenizer.vocabSize, 16);
  let sliceStart = performance.now();
  for (;;) {
    const next = learning.next();
    if (next.done) return next.value.merges;
    if (performance.now() - sliceStart < sliceMs) continue;
    onProgress(next.value.merged, next.value.planned);
    await yieldToEventLoop();
    if (cancelled()) return null;
    sliceStart = performance.now();
  }
}

/** The run's dataset, built; null when a Stop (`cancelled`) came while its tokenizer was learning. */
export async function prepareRunData(
  msg: Extract<ToWorker, { type: 'start' }>,
  post: (message: FromWorker) => void,
  cancelled: () => boolean,
): Promise<PreparedRun | null> {
  const { runId, spec } = msg;
  const what = DATASET_LABELS[spec.dataset.kind].split(' (')[0];
  const files = await filesFor(spec.dataset, msg.data, (received, total) =>
    post({ type: 'loadingData', runId, what, received, total, unit: 'bytes' }),
  );
  const merges =
    msg.resume?.merges ??
    (await learnMerges(spec.dataset, spec.seed, files, {
      onProgress: (received, total) => post({ type: 'loadingData', runId, what, received, total, unit: 'merges' }),
      cancelled,
    }));
  if (merges === null) return null;
  // Cutting a big text into tokens takes seconds (about 9 s for 50 MB of byte pairs here): the page is told how far
  // it has come. (The messages leave while this worker is busy; a Stop is heard once it is done.)
  const big = (files.text?.length ?? 0) > BIG_TEXT_CHARS;
  const onTokenizing = (received: number, total: number) =>
    post({ type: 'loadingData', runId, what, received, total, unit: 'tokens' });
  if (big) onTokenizing(0, files.text!.length);
  return prepareData(spec, { ...files, ...(merges ? { merges } : {}), ...(big ? { onTokenizing } : {}) });
}
