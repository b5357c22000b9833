import { memo, useState } from 'react';
import { useRunStore } from '../state/runStore';
import { useSpecStore } from '../state/specStore';
import {
  isSeedCount,
  OPTIMIZER_KINDS,
  SEED_REPEATS,
  SUGGESTED_LEARNING_RATE,
  optimizerPickProblem,
  type OptimizerKind,
} from '../experiment';
import { useViewStore } from '../state/viewStore';
import { OptimizerPicker } from './OptimizerPicker';
import { Panel } from './fields';

/**
 * "Compare optimizers": the current experiment once per chosen optimizer, same seed (so the same
 * data, initial weights and batch order), trained one after another and overlaid on the charts.
 */
export const ComparePanel = memo(function ComparePanel({
  valid,
  whyNot = 'Fix the highlighted fields first.',
}: {
  valid: boolean;
  /** What stops a run while the experiment is not valid. */
  whyNot?: string;
}) {
  const spec = useSpecStore((s) => s.spec);
  const compare = useRunStore((s) => s.compare);
  const [chosen, setChosen] = useState<Record<OptimizerKind, boolean>>(
    () =>
      Object.fromEntries(OPTIMIZER_KINDS.map((k) => [k, k === 'sgd' || k === 'momentum' || k === 'adam'])) as Record<
        OptimizerKind,
        boolean
      >,
  );
  const [rates, setRates] = useState<Record<OptimizerKind, string>>(
    () =>
      Object.fromEntries(OPTIMIZER_KINDS.map((k) => [k, String(SUGGESTED_LEARNING_RATE[k])])) as Record<
        OptimizerKind,
        string
      >,
  );
  const picked = OPTIMIZER_KINDS.filter((k) => chosen[k]);
  const seeds = useViewStore((s) => s.seeds);
  const problem = !valid
    ? whyNot
    : !isSeedCount(seeds)
      ? `Seeds (beside Train): must be a whole number from ${SEED_REPEATS.min} to ${SEED_REPEATS.max}.`
      : optimizerPickProblem(chosen, rates);
  return (
    <Panel title="Compare optimizers">
      <OptimizerPicker
        name="compare"
        chosen={chosen}
        rates={rates}
        rateLabel={(o) => `Learning rate for ${o}`}
        onChosen={(k, on) => setChosen((c) => ({ ...c, [k]: on }))}
        onRate={(k, text) => setRates((r) => ({ ...r, [k]: text }))}
      />
      {problem && (
        <div className="field-error" role="alert">
          {problem}
        </div>
      )}
      <button
        type="button"
        className="primary wide"
        disabled={!!problem}
        onClick={() =>
          compare(
            structuredClone(spec),
            picked.map((k) => ({ kind: k, learningRate: Number(rates[k]) })),
            seeds,
          )
        }
      >
        Compare {picked.length} optimizer{picked.length === 1 ? '' : 's'}
        {seeds > 1 && isSeedCount(seeds) ? ` × ${seeds} seeds` : ''}
      </button>
      <p className="muted small">
        Same seed for all{seeds > 1 ? ` (or the same ${seeds} seeds, set beside Train, drawn as a band)` : ''}:
        identical data, initial weights and batch order. Runs train one after another so each one’s timing is its own;
        other runs are hidden from the charts (tick them in Runs to show them again).
      </p>
    </Panel>
  );
});
