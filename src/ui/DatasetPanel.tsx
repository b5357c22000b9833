import { memo } from 'react';
import { useSpecStore } from '../state/specStore';
import { DATASET_KINDS, DATASET_LABELS, FEATURE_NAMES, LIMITS, isPlane, trainSize } from '../spec';
import { FEATURE_LABELS } from '../data/features';
import { NumberField, Panel, SelectField } from './fields';


export const DatasetPanel = memo(function DatasetPanel({ errors }: { errors: Record<string, string> }) {
  const spec = useSpecStore((s) => s.spec);
  const update = useSpecStore((s) => s.update);
  const ds = spec.dataset;
  const plane = isPlane(ds.kind);
  const nTrain = Number.isFinite(ds.samples) && Number.isFinite(ds.validationSplit) ? trainSize(ds.samples, ds.validationSplit) : null;
  return (
    <Panel title="Data">
      <SelectField
        label="Dataset" path="dataset.kind" value={ds.kind} error={errors['dataset.kind']}
        options={DATASET_KINDS.map((k) => ({ value: k, label: DATASET_LABELS[k] }))}
        onChange={(v) => update((d) => { d.dataset.kind = v; })}
      />
      <div className="row">
        <NumberField
          label="Samples" path="dataset.samples" value={ds.samples} error={errors['dataset.samples']}
          hint={plane ? `${LIMITS.samples.min}–${LIMITS.samples.max}` : `${LIMITS.mnistSamples.min}–${LIMITS.mnistSamples.max} real digits`}
          onChange={(v) => update((d) => { d.dataset.samples = v; })}
        />
        {plane && (
          <NumberField
            label="Noise (σ)" path="dataset.noise" value={ds.noise} error={errors['dataset.noise']}
            hint="data units, plane is ±6"
            onChange={(v) => update((d) => { d.dataset.noise = v; })}
          />
        )}
      </div>
      <div className="row">
        <NumberField
          label="Validation split" path="dataset.validationSplit" value={ds.validationSplit}
          error={errors['dataset.validationSplit']}
          hint={nTrain !== null && !errors['dataset.validationSplit'] ? `${nTrain} train / ${ds.samples - nTrain} validation` : undefined}
          onChange={(v) => update((d) => { d.dataset.validationSplit = v; })}
        />
        <NumberField
          label="Seed" path="seed" value={spec.seed} error={errors.seed} hint="data, weights, batch order, dropout"
          onChange={(v) => update((d) => { d.seed = v; })}
        />
      </div>
      {plane ? <fieldset className={`features${errors['dataset.features'] ? ' field-invalid' : ''}`} data-field="dataset.features">
        <legend>Input features</legend>
        {FEATURE_NAMES.map((f) => (
          <label key={f} className="chip">
            <input
              type="checkbox"
              name={`feature-${f}`}
              checked={ds.features.includes(f)}
              onChange={(e) =>
                update((d) => {
                  const on = e.target.checked;
                  d.dataset.features = FEATURE_NAMES.filter((x) => (x === f ? on : d.dataset.features.includes(x)));
                })
              }
            />
            {FEATURE_LABELS[f]}
          </label>
        ))}
        {errors['dataset.features'] && <div className="field-error" role="alert">Input features: {errors['dataset.features']}</div>}
      </fieldset> : <p className="muted small">Input: the 28×28 grey pixels of each digit (784 inputs).</p>}
    </Panel>
  );
});
