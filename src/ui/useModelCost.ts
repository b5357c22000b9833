import { useMemo } from 'react';
import { modelCost, type ModelCost } from '../engine/modelCost';
import { estimateMemory, memoryProblem, type MemoryEstimate } from '../engine/memoryEstimate';
import { datasetExamples, problemShape, type ProblemShape } from '../data/shapes';
import { tableHasPlane } from '../data/table';
import { BOUNDARY_RESOLUTION, epochPlan, type EpochPlan } from '../engine/epochPlan';
import { isPlane, type BackendName, type ExperimentSpec } from '../experiment';
import { useRunStore } from '../state/runStore';
import { textProblemFor, useTextStore } from '../state/textStore';
import { useImageStore } from '../state/imageStore';
import { tableShape, useTablePlan } from './useTablePlan';
import { ownImageCounts } from './useOwnImages';

export interface ModelCosts {
  shape: ProblemShape | null;
  cost: ModelCost | null;
  memory: MemoryEstimate | null;
  /** The backend the estimate is judged against: the chosen one, or the one "auto" started. */
  backend: BackendName;
  /** Why the run would not fit that backend's memory; null when it fits. */
  memoryProblem: string | null;
  /** An epoch's steps and examples, as the run will count them. */
  plan: EpochPlan | null;
}

/** The model's size, FLOPs and memory for a spec whose fields are valid (`valid`); nulls otherwise. */
export function useModelCost(spec: ExperimentSpec, valid: boolean): ModelCosts {
  const tokenizer = spec.dataset.tokenizer.kind;
  const userVocab = useTextStore((s) => (textProblemFor(s, tokenizer) ? null : (s.stats?.distinct ?? null)));
  const userTextLength = useTextStore((s) => (textProblemFor(s, tokenizer) ? null : (s.stats?.chars ?? null)));
  const tablePlan = useTablePlan(spec);
  const ownImages = useImageStore((s) => s.images);
  const probed = useRunStore((s) => s.probed?.active ?? null);
  const backend: BackendName = spec.backend === 'auto' ? (probed ?? 'webgpu') : spec.backend;
  return useMemo(() => {
    const table = tablePlan?.ok ? tableShape(tablePlan.value) : null;
    const shape = valid ? problemShape(spec, userVocab, table, ownImages?.classes.length ?? null) : null;
    const cost = shape ? modelCost(spec.model, shape) : null;
    // Your images: the data held is what there is, not the most `samples` would take.
    const own = spec.dataset.kind === 'userImages' && ownImages;
    const held = own ? { ...spec, dataset: { ...spec.dataset, samples: Math.min(spec.dataset.samples, own.n) } } : spec;
    const memory = shape && cost ? estimateMemory(held, shape, cost.params) : null;
    const boundary = isPlane(spec.dataset.kind) || (tablePlan?.ok === true && tableHasPlane(tablePlan.value));
    const plan = shape
      ? epochPlan(
          spec,
          own ? ownImageCounts(spec.dataset, own.n) : datasetExamples(spec.dataset, userTextLength),
          boundary ? BOUNDARY_RESOLUTION ** 2 : 0,
        )
      : null;
    return { shape, cost, memory, backend, memoryProblem: memory ? memoryProblem(held, memory, backend) : null, plan };
  }, [spec, valid, userVocab, userTextLength, tablePlan, ownImages, backend]);
}
