// A dense layer's fields in the builder (units, activation, dropout): an MLP's hidden layers and a CNN's dense ones.
import { ACTIVATIONS, type DenseLayerSpec } from '../experiment';
import { NumberField, SelectField } from './fields';
import { ACTIVATION_LABELS, type Errors } from './modelChoices';

export function DenseFields({
  path,
  layer,
  errors,
  onChange,
}: {
  /** The layer's spec path, e.g. "model.hidden[0]". */
  path: string;
  layer: DenseLayerSpec;
  errors: Errors;
  onChange: (change: Partial<DenseLayerSpec>) => void;
}) {
  return (
    <div className="row">
      <NumberField
        label="Units"
        path={`${path}.units`}
        value={layer.units}
        error={errors[`${path}.units`]}
        onChange={(v) => onChange({ units: v })}
      />
      <SelectField
        label="Activation"
        path={`${path}.activation`}
        value={layer.activation}
        error={errors[`${path}.activation`]}
        options={ACTIVATIONS.map((a) => ({ value: a, label: ACTIVATION_LABELS[a] }))}
        onChange={(v) => onChange({ activation: v })}
      />
      <NumberField
        label="Dropout"
        path={`${path}.dropout`}
        value={layer.dropout}
        error={errors[`${path}.dropout`]}
        onChange={(v) => onChange({ dropout: v })}
      />
    </div>
  );
}
