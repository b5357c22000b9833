import { memo, useState } from 'react';
import { useRunStore } from '../state/runStore';
import { useSpecStore } from '../state/specStore';
import { isLearningRateText, LIMITS, OPTIMIZER_KINDS, OPTIMIZER_LABELS, SUGGESTED_LEARNING_RATE, type OptimizerKind } from '../spec';
import { Panel } from './fields';

/**
 * "Compare optimizers": the current experiment once per chosen optimizer, same seed (so the same
 * data, initial weights and batch order), trained one after another and overlaid on the charts.
 */
export const ComparePanel = memo(function ComparePanel({ valid }: { valid: boolean }) {
  const spec = useSpecStore((s) => s.spec);
  const compare = useRunStore((s) => s.compare);
  const [chosen, setChosen] = useState<Record<OptimizerKind, boolean>>(
    () => Object.fromEntries(OPTIMIZER_KINDS.map((k) => [k, k === 'sgd' || k === 'momentum' || k === 'adam'])) as Record<OptimizerKind, boolean>,
  );
  const [rates, setRates] = useState<Record<OptimizerKind, string>>(
    () => Object.fromEntries(OPTIMIZER_KINDS.map((k) => [k, String(SUGGESTED_LEARNING_RATE[k])])) as Record<OptimizerKind, string>,
  );
  const picked = OPTIMIZER_KINDS.filter((k) => chosen[k]);
  const badRates = picked.filter((k) => !isLearningRateText(rates[k]));
  const problem = !valid ? 'Fix the highlighted fields first.'
    : picked.length === 0 ? 'Choose at least one optimizer.'
      : badRates.length ? `Learning rate of ${badRates.map((k) => OPTIMIZER_LABELS[k]).join(', ')}: must be a number greater than 0 and at most ${LIMITS.learningRate.max}.`
        : null;
  return (
    <Panel title="Compare optimizers">
      <div className="compare-grid">
        {OPTIMIZER_KINDS.map((k) => (
          <div key={k} className="compare-row">
            <label>
              <input type="checkbox" name={`compare-${k}`} checked={chosen[k]}
                onChange={(e) => setChosen((c) => ({ ...c, [k]: e.target.checked }))} />
              {OPTIMIZER_LABELS[k]}
            </label>
            <input aria-label={`Learning rate for ${OPTIMIZER_LABELS[k]}`} name={`compare-lr-${k}`} value={rates[k]}
              inputMode="decimal" disabled={!chosen[k]} aria-invalid={badRates.includes(k)}
              onChange={(e) => setRates((r) => ({ ...r, [k]: e.target.value }))} />
          </div>
        ))}
      </div>
      {problem && <div className="field-error" role="alert">{problem}</div>}
      <button type="button" className="primary wide" disabled={!!problem}
        onClick={() => compare(structuredClone(spec), picked.map((k) => ({ kind: k, learningRate: Number(rates[k]) })))}>
        Compare {picked.length} optimizer{picked.length === 1 ? '' : 's'}
      </button>
      <p className="muted small">Same seed for all: identical data, initial weights and batch order. Runs train one after another so each one’s timing is its own; other runs are hidden from the charts (tick them in Runs to show them again).</p>
    </Panel>
  );
});
