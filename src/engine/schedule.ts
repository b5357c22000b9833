// The learning-rate schedule: a pure function of the step, shared by training and the UI preview.
import type { ScheduleSpec } from '../experiment/types';

export interface ScheduleClock {
  /** Optimizer steps per epoch. */
  stepsPerEpoch: number;
  epochs: number;
}

/**
 * Learning rate for optimizer step `step` (0-based):
 * - constant: lr
 * - step: lr · γ^⌊epoch / stepEpochs⌋
 * - exponential: lr · γ^epoch
 * - cosine: min + (lr − min) · ½(1 + cos(π · t / T)), t and T counted in steps after warm-up
 * and during warm-up (the first warmupEpochs epochs) the above times (step + 1) / warmupSteps.
 */
export function learningRateAt(schedule: ScheduleSpec, lr: number, step: number, clock: ScheduleClock): number {
  const epoch = Math.floor(step / clock.stepsPerEpoch);
  const warmupSteps = schedule.warmupEpochs * clock.stepsPerEpoch;
  let rate: number;
  switch (schedule.kind) {
    case 'constant':
      rate = lr;
      break;
    case 'step':
      rate = lr * schedule.gamma ** Math.floor(epoch / schedule.stepEpochs);
      break;
    case 'exponential':
      rate = lr * schedule.gamma ** epoch;
      break;
    case 'cosine': {
      const total = Math.max(1, clock.epochs * clock.stepsPerEpoch - warmupSteps);
      const t = Math.min(total, Math.max(0, step - warmupSteps));
      rate = schedule.minLearningRate + (lr - schedule.minLearningRate) * 0.5 * (1 + Math.cos((Math.PI * t) / total));
      break;
    }
  }
  return step < warmupSteps ? (rate * (step + 1)) / warmupSteps : rate;
}
