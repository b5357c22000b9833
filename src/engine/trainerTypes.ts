// What the training loop is told and tells (its events and options), how a run ends, and what it carries from epoch to epoch.
import type { LearnerOptions } from './prepareLearner';
import type { BatchReport, EpochMetrics, EpochViews, RunStatus, TestResult, TrainingCheckpoint } from './types';

export interface TrainerEvents {
  onEpoch?: (metrics: EpochMetrics, views: EpochViews) => void;
  /** Sent for batches run one at a time with step(). */
  onBatch?: (report: BatchReport) => void;
  onStatus?: (status: RunStatus, message?: string) => void;
  /** The initial weights, read back only when this is given (for inspection and tests). */
  onInit?: (weights: Float32Array[]) => void;
  /** The shuffled order of training examples an epoch uses. */
  onEpochStart?: (epoch: number, order: Int32Array) => void;
  /** Once the run has ended, before its tensors are freed: a last chance to inspect it. */
  beforeDispose?: () => Promise<void>;
  /** The whole state at the end of each epoch (read back only when this is given), to resume from. */
  onCheckpoint?: (checkpoint: TrainingCheckpoint) => void;
  /** The test split's score, once, when a run completes (only when the spec holds out a test split). */
  onTest?: (result: TestResult) => void;
  /**
   * After every batch trained: how far the epoch has come (for progress bars). `lossesFrom(i)`
   * reads the losses of this epoch's batches from the i-th (0-based) to now, for a page that
   * draws the loss while a long epoch runs; the loop waits while it does.
   */
  onProgress?: (
    epoch: number,
    batch: number,
    batches: number,
    lossesFrom: (first: number) => Promise<number[]>,
  ) => void | Promise<void>;
  /**
   * After an epoch is reported and before the next one starts, outside its timing: where a page
   * that draws every epoch holds the loop back until it has drawn (see worker/livePace.ts).
   */
  betweenEpochs?: (epoch: number) => Promise<void>;
}

export interface TrainerOptions extends LearnerOptions {
  /** Start paused, so the first step() runs exactly one batch. */
  startPaused?: boolean;
  /** Continue from this state (the end of an epoch) instead of from the seed's initial weights. */
  resumeFrom?: TrainingCheckpoint;
  /** Stop with status 'exploded' when the loss runs away while staying finite (default true). */
  stopOnExplodingLoss?: boolean;
}

/** How a run ended, with the explanation when it did not simply finish. */
export type RunEnd = { status: RunStatus; message?: string };

/** What the loop carries from epoch to epoch (and a checkpoint restores). */
export interface Progress {
  best: { loss: number; epoch: number };
  cumulativeGflop: number;
  cumulativeMs: number;
  /** The loss before training, which an exploding loss is judged against: the run's first batch. */
  startLoss: number | null;
}
