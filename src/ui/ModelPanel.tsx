import { memo } from 'react';
import { useSpecStore } from '../state/specStore';
import { ACTIVATIONS, LIMITS, defaultHiddenLayer, isClassification, isPlane, type ExperimentSpec } from '../spec';
import { mlpCost } from '../engine/cost';
import { formatCount, NumberField, Panel, SelectField } from './fields';

function moveLayer(d: ExperimentSpec, from: number, to: number): void {
  const [layer] = d.model.hidden.splice(from, 1);
  d.model.hidden.splice(to, 0, layer);
}

export const ModelPanel = memo(function ModelPanel({ errors, valid }: { errors: Record<string, string>; valid: boolean }) {
  const spec = useSpecStore((s) => s.spec);
  const update = useSpecStore((s) => s.update);
  const hidden = spec.model.hidden;
  const classification = isClassification(spec.dataset.kind);
  const plane = isPlane(spec.dataset.kind);
  const inputs = plane ? spec.dataset.features.length : 784;
  const outputs = plane ? 1 : 10;
  const cost = valid ? mlpCost(spec.model, inputs, outputs) : null;
  const full = hidden.length >= LIMITS.hiddenLayers.max;
  return (
    <Panel title="Model · MLP">
      <div className="layer layer-io">
        <span>Input</span>
        <span>{plane ? `${inputs} feature${inputs === 1 ? '' : 's'}` : '784 pixels'}</span>
      </div>
      <ol className="layers">
        {hidden.map((layer, i) => (
          <li key={i} className="layer" data-testid={`layer-${i}`}>
            <div className="layer-head">
              <strong>Dense {i + 1}</strong>
              <span className="params">{cost ? `${formatCount(cost.layers[i].params)} params` : ''}</span>
              <span className="layer-buttons">
                <button type="button" aria-label={`Move layer ${i + 1} up`} disabled={i === 0}
                  onClick={() => update((d) => moveLayer(d, i, i - 1))}>↑</button>
                <button type="button" aria-label={`Move layer ${i + 1} down`} disabled={i === hidden.length - 1}
                  onClick={() => update((d) => moveLayer(d, i, i + 1))}>↓</button>
                <button type="button" aria-label={`Remove layer ${i + 1}`}
                  onClick={() => update((d) => { d.model.hidden.splice(i, 1); })}>✕</button>
              </span>
            </div>
            <div className="row">
              <NumberField label="Units" path={`model.hidden[${i}].units`} value={layer.units}
                error={errors[`model.hidden[${i}].units`]}
                onChange={(v) => update((d) => { d.model.hidden[i].units = v; })} />
              <SelectField label="Activation" path={`model.hidden[${i}].activation`} value={layer.activation}
                error={errors[`model.hidden[${i}].activation`]}
                options={ACTIVATIONS.map((a) => ({ value: a, label: a }))}
                onChange={(v) => update((d) => { d.model.hidden[i].activation = v; })} />
              <NumberField label="Dropout" path={`model.hidden[${i}].dropout`} value={layer.dropout}
                error={errors[`model.hidden[${i}].dropout`]}
                onChange={(v) => update((d) => { d.model.hidden[i].dropout = v; })} />
            </div>
          </li>
        ))}
      </ol>
      <button type="button" className="add-layer" disabled={full}
        title={full ? `At most ${LIMITS.hiddenLayers.max} hidden layers` : undefined}
        onClick={() => update((d) => { d.model.hidden.push(defaultHiddenLayer()); })}>
        + Add hidden layer
      </button>
      <div className="layer layer-io">
        <span>Output</span>
        <span>
          {!plane ? '10 units, softmax + cross-entropy' : classification ? '1 unit, sigmoid + cross-entropy' : '1 unit, linear + mean squared error'}
          {cost ? ` · ${formatCount(cost.layers[cost.layers.length - 1].params)} params` : ''}
        </span>
      </div>
      <div className="totals" data-testid="param-total">
        {cost
          ? <>Total <strong>{formatCount(cost.params)}</strong> parameters · {formatCount(cost.forwardFlops)} FLOPs forward per example</>
          : 'Fix the highlighted fields to see parameter counts.'}
      </div>
    </Panel>
  );
});
