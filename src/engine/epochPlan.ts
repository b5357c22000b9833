// What one epoch does: optimizer steps, examples trained, and examples passed forward only.
// Counted here once, for the Trainer (steps, FLOPs), the learners (what they evaluate), the
// schedule preview and the builder's cost table, so the figures the builder promises are the
// ones a run measures. No tfjs: the UI imports it.
import { isSeries, isText, isToy, learnsRows, type ExperimentSpec } from '../experiment/types';
import { SEQUENCE_VAL_LIMIT, TRAIN_EVAL_LIMIT } from './cost';

/** Series: how many forecasts each epoch shows (the first validation windows), for the MLP and the LSTM alike. */
export const FORECAST_SHOWN = 300;
/** Toy tasks: validation examples whose answers each epoch shows. */
export const TOY_SHOWN = 8;
/** Characters a language model samples after each epoch. */
export const SAMPLE_LENGTH = 240;
/** Side of the decision-boundary grid the app evaluates each epoch on 2-D datasets. */
export const BOUNDARY_RESOLUTION = 48;

export interface EpochPlan {
  /** Optimizer steps: full batches only (each shuffled epoch's ragged tail is dropped, so every step has one shape). */
  batches: number;
  /** Examples trained: batches × batch size. */
  trained: number;
  /** Examples passed forward only, each epoch. */
  evaluated: {
    /** The first training examples (always the same ones), for an eval-mode training curve. */
    train: number;
    validation: number;
    /**
     * For the epoch's view: the boundary grid's cells, the forecasts or toy answers an LSTM or
     * transformer shows, and a language model's sample (one forward pass of at most a context per
     * character) and attention text.
     */
    view: number;
  };
}

/**
 * The plan for a spec, given the examples its dataset holds (as built, or as `exampleCounts`
 * predicts before building) and the cells of the decision-boundary grid an MLP evaluates each
 * epoch (0 where none is drawn: data that is not a plane, or the CLI).
 */
export function epochPlan(
  spec: ExperimentSpec,
  examples: { train: number; validation: number },
  boundaryCells: number,
): EpochPlan {
  const { batchSize } = spec.training;
  const batches = Math.floor(examples.train / batchSize);
  const kind = spec.dataset.kind;
  const rows = learnsRows(spec.model);
  const validation = rows ? examples.validation : Math.min(SEQUENCE_VAL_LIMIT, examples.validation);
  let view = 0;
  if (rows)
    view = boundaryCells; // an MLP's forecasts and a classifier's confusion come from its validation pass
  else if (isSeries(kind)) view = Math.min(FORECAST_SHOWN, examples.validation);
  else if (isToy(kind)) view = Math.min(TOY_SHOWN, examples.validation);
  else if (isText(kind)) view = SAMPLE_LENGTH + (spec.model.kind === 'transformer' ? 1 : 0);
  return {
    batches,
    trained: batches * batchSize,
    evaluated: { train: Math.min(TRAIN_EVAL_LIMIT, examples.train), validation, view },
  };
}

/** All the examples an epoch passes forward only. */
export function evaluatedExamples(plan: EpochPlan): number {
  return plan.evaluated.train + plan.evaluated.validation + plan.evaluated.view;
}
