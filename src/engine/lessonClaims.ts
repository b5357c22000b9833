// Whether a lesson's run showed what the lesson says it would (spec/lessons.ts): checked by the
// tests, and shown beside a finished lesson run. Plain data in, no tfjs.
import type { LessonClaim } from '../experiment/lessons';
import type { OptimizerKind } from '../experiment/types';
import { OPTIMIZER_LABELS } from '../experiment/labels';
import type { EpochMetrics, RunStatus } from './types';

export interface ClaimResult {
  holds: boolean;
  /** What the run measured, in words: "validation accuracy 93.5%". */
  measured: string;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/** A finished run (its status, epochs and the epochs it was set to train) against a lesson's claim. */
export function runClaim(
  claim: LessonClaim,
  run: { status: RunStatus; epochs: EpochMetrics[]; plannedEpochs: number },
): ClaimResult {
  const last = run.epochs.at(-1);
  switch (claim.kind) {
    case 'final': {
      const v = last?.[claim.metric] ?? null;
      if (v === null) return { holds: false, measured: 'no epoch finished' };
      const holds =
        (claim.atLeast === undefined || v >= claim.atLeast) && (claim.atMost === undefined || v <= claim.atMost);
      return { holds, measured: `validation accuracy ${pct(v)}` };
    }
    case 'gradientRatio': {
      if (!last) return { holds: false, measured: 'no epoch finished' };
      const ratio = last.layers[0].gradNorm / last.layers[last.layers.length - 1].gradNorm;
      const share = ratio < 1e-3 ? `${ratio.toExponential(1)} times` : pct(ratio);
      return { holds: ratio <= claim.atMost, measured: `first layer’s gradient ${share} of the output layer’s` };
    }
    case 'symmetric': {
      if (!last) return { holds: false, measured: 'no epoch finished' };
      const hidden = last.layers.slice(0, -1);
      const still = run.epochs.every((e) => e.layers.slice(0, -1).every((l) => l.weightNorm === 0));
      const accuracy = last.valAccuracy ?? 0;
      return {
        holds: hidden.length > 0 && still && accuracy <= claim.accuracyAtMost,
        measured: `hidden weights ${still ? 'all still 0' : 'moved'}, validation accuracy ${pct(accuracy)}`,
      };
    }
    case 'diverges':
      return {
        holds: run.status === 'diverged' || run.status === 'exploded',
        measured: `the run ${run.status === 'diverged' || run.status === 'exploded' ? `stopped (${run.status})` : run.status}`,
      };
    case 'overfits': {
      if (!last) return { holds: false, measured: 'no epoch finished' };
      const factor = last.valLoss / last.trainLoss;
      return { holds: factor >= claim.factor, measured: `validation loss ${factor.toFixed(1)}× the training loss` };
    }
    case 'stopsEarly':
      return {
        holds: run.status === 'completed' && run.epochs.length < run.plannedEpochs,
        measured: `ended after epoch ${run.epochs.length} of ${run.plannedEpochs}`,
      };
    case 'lab':
      throw new Error('a lab claim is checked against the race’s paths (labClaim)');
  }
}

/** A number as a person reads it: 0.0016, 3.8 × 10⁻⁸, 42,000. */
function plainNumber(x: number): string {
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-4 || a >= 1e6)) {
    const exponent = Math.floor(Math.log10(a));
    const superscript = String(exponent).replace(/[-\d]/g, (c) => '⁻⁰¹²³⁴⁵⁶⁷⁸⁹'['-0123456789'.indexOf(c)]);
    return `${(x / 10 ** exponent).toFixed(1)} × 10${superscript}`;
  }
  return Number(x.toPrecision(2)).toLocaleString('en-US', { maximumFractionDigits: 6 });
}

/** The lab race's final losses against a lesson's claim. */
export function labClaim(claim: LessonClaim, finalLoss: Partial<Record<OptimizerKind, number>>): ClaimResult {
  if (claim.kind !== 'lab') throw new Error('not a lab claim');
  const better = finalLoss[claim.better];
  const worse = finalLoss[claim.worse];
  if (better === undefined || worse === undefined) return { holds: false, measured: 'the race has not run' };
  return {
    holds: better * claim.factor <= worse,
    measured: `${OPTIMIZER_LABELS[claim.better]} ended at a loss of ${plainNumber(better)}, ${OPTIMIZER_LABELS[claim.worse]} at ${plainNumber(worse)}${better > 0 ? ` (${plainNumber(worse / better)} times higher)` : ''}`,
  };
}
