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
