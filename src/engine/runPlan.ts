// A run's fixed plan, made once when its training loop starts: its random streams (restored when
// it resumes), batches, FLOPs per epoch, learning rate per step and GPU pacing.
import type { ExperimentSpec } from '../experiment/types';
import { deriveSeed, Rng } from '../data/rng';
import type { Optimizer } from './optimizers';
import { learningRateAt } from './schedule';
import { epochFlops, optimizerSwitchFlops, type ModelCost } from './cost';
import type { Learner } from './learner';
import { evaluatedExamples } from './epochPlan';
import { GpuFence } from './pacing';
import type { TrainingCheckpoint } from './types';

/** A run's fixed plan, made once when its loop starts. */
export interface RunPlan {
  learner: Learner;
  optimizer: Optimizer;
  shuffleRng: Rng;
  dropoutRng: Rng;
  dropoutSeed: () => number;
  /** Full batches per epoch: the ragged tail of each shuffled epoch is dropped (it differs every epoch). */
  batches: number;
  batchSize: number;
  /** FLOPs of one epoch (training and evaluation). */
  flops: number;
  lrAt: (step: number) => number;
  /** Keeps the GPU queue short and lets messages in (see GpuFence and yieldToEventLoop). */
  pacing: { fence: GpuFence; lastYield: number };
}

export function makeRunPlan(
  spec: ExperimentSpec,
  learner: Learner,
  optimizer: Optimizer,
  cost: ModelCost,
  resumeFrom: TrainingCheckpoint | null | undefined,
): RunPlan {
  const { training } = spec;
  const shuffleRng = new Rng(deriveSeed(spec.seed, 'shuffle'));
  const dropoutRng = new Rng(deriveSeed(spec.seed, 'dropout'));
  if (resumeFrom?.rng.shuffle) shuffleRng.restore(resumeFrom.rng.shuffle);
  if (resumeFrom?.rng.dropout) dropoutRng.restore(resumeFrom.rng.dropout);
  const batchSize = training.batchSize;
  const { batches } = learner.plan;
  const clock = { stepsPerEpoch: batches, epochs: training.epochs };
  return {
    learner,
    optimizer,
    shuffleRng,
    dropoutRng,
    batches,
    batchSize,
    dropoutSeed: () => Math.floor(dropoutRng.next() * 2 ** 31),
    flops: epochFlops(cost, {
      batches,
      batchSize,
      evalExamples: evaluatedExamples(learner.plan),
      optimizer: training.optimizer.kind,
      extraPerParam:
        (training.l1 > 0 || training.l2 > 0 ? 3 : 0) +
        (training.optimizer.weightDecay > 0 ? 2 : 0) +
        (training.clipNorm > 0 ? 3 : 0) +
        optimizerSwitchFlops(training.optimizer),
    }),
    lrAt: (step) => learningRateAt(training.schedule, training.optimizer.learningRate, step, clock),
    pacing: { fence: new GpuFence(), lastYield: performance.now() },
  };
}
