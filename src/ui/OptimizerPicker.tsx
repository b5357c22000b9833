// The optimizers of a race and their learning rates, as the compare panel and the lab both offer them.
import { OPTIMIZER_KINDS, OPTIMIZER_LABELS, isLearningRateText, type OptimizerKind } from '../experiment';

export interface OptimizerPickerProps {
  chosen: Record<OptimizerKind, boolean>;
  /** Learning rates as typed (checked by optimizerPickProblem). */
  rates: Record<OptimizerKind, string>;
  onChosen: (kind: OptimizerKind, chosen: boolean) => void;
  onRate: (kind: OptimizerKind, text: string) => void;
  /** Field names: `${name}-${kind}` for the box, `${name}-lr-${kind}` for the rate. */
  name: string;
  /** What the rate field is called for a screen reader, e.g. "Learning rate for Adam". */
  rateLabel: (optimizer: string) => string;
  /** A colour beside each name (the lab's paths). */
  colors?: Record<OptimizerKind, string>;
  oneColumn?: boolean;
  /** The optimizers offered (all of them unless given). */
  kinds?: readonly OptimizerKind[];
}

export function OptimizerPicker(p: OptimizerPickerProps) {
  return (
    <div className={`compare-grid${p.oneColumn ? ' one-column' : ''}`}>
      {(p.kinds ?? OPTIMIZER_KINDS).map((k) => (
        <div key={k} className="compare-row">
          <label>
            <input
              type="checkbox"
              name={`${p.name}-${k}`}
              checked={p.chosen[k]}
              onChange={(e) => p.onChosen(k, e.target.checked)}
            />
            {p.colors && <span className="swatch" style={{ background: p.colors[k] }} />}
            {OPTIMIZER_LABELS[k]}
          </label>
          <input
            aria-label={p.rateLabel(OPTIMIZER_LABELS[k])}
            name={`${p.name}-lr-${k}`}
            value={p.rates[k]}
            inputMode="decimal"
            disabled={!p.chosen[k]}
            aria-invalid={p.chosen[k] && !isLearningRateText(p.rates[k])}
            onChange={(e) => p.onRate(k, e.target.value)}
          />
        </div>
      ))}
    </div>
  );
}
