import type { ExperimentSpec, OptimizerKind } from './types';

export interface OptimizerChoice {
  kind: OptimizerKind;
  learningRate: number;
}

/** Learning rates that suit each optimizer on the playground's small problems. */
export const SUGGESTED_LEARNING_RATE: Record<OptimizerKind, number> = {
  sgd: 0.1,
  momentum: 0.05,
  nesterov: 0.05,
  rmsprop: 0.01,
  adagrad: 0.1,
  adam: 0.01,
  adamw: 0.01,
  // Lion's steps are ±lr in every coordinate: its authors use a rate 3–10× below Adam's.
  lion: 0.001,
  muon: 0.02,
};

/**
 * The current experiment once per optimizer: only the optimizer's kind and learning rate change,
 * so the seed — hence data, initial weights, batch order and dropout masks — is shared.
 */
export function specsForOptimizers(spec: ExperimentSpec, choices: OptimizerChoice[]): ExperimentSpec[] {
  return choices.map((c) => {
    const copy = structuredClone(spec);
    copy.training.optimizer.kind = c.kind;
    copy.training.optimizer.learningRate = c.learningRate;
    return copy;
  });
}

/** How many seeds a repeated experiment may run (1: no repeat). */
export const SEED_REPEATS = { min: 1, max: 10 } as const;

/**
 * The experiment under `count` seeds in a row (seed, seed + 1, …): the runs differ only in their
 * data draw, initial weights, batch order and dropout, so the spread of their curves is the noise a
 * difference between experiments has to beat.
 */
export function specsForSeeds(spec: ExperimentSpec, count: number): ExperimentSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const copy = structuredClone(spec);
    copy.seed = spec.seed + i;
    return copy;
  });
}

/** Whether a number of seeds is a whole number within SEED_REPEATS. */
export function isSeedCount(n: number): boolean {
  return Number.isInteger(n) && n >= SEED_REPEATS.min && n <= SEED_REPEATS.max;
}
