// What a worker hands to the page by moving it rather than copying it.
import type { TrainingCheckpoint } from '../engine/types';

/** A checkpoint's arrays (weights and optimizer slots): they move to the page; the worker keeps none of them. */
export function checkpointBuffers(cp: TrainingCheckpoint): ArrayBuffer[] {
  const arrays = [...cp.weights, ...cp.optimizer.slots].map((t) => t.values.buffer as ArrayBuffer);
  return cp.merges ? [...arrays, cp.merges.buffer as ArrayBuffer] : arrays;
}
