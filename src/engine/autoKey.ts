// The key under which "auto"'s measurement of a model is kept (by the page) and shared (by the
// worker, across runs sent together). No tfjs: the page imports it.
import type { ExperimentSpec } from '../experiment/types';

/**
 * What decides how fast a training step is: the model, the data's shape, the batch size, and the
 * device (`device`: as the page can tell it; the optimizer's share of a step is small).
 */
export function autoKey(spec: ExperimentSpec, device: string): string {
  const d = spec.dataset;
  return JSON.stringify({
    device,
    model: spec.model,
    batch: spec.training.batchSize,
    data: { kind: d.kind, features: d.features, contextLength: d.contextLength, digits: d.digits, table: d.table },
  });
}
