import { memo } from 'react';
import { useSpecStore } from '../state/specStore';
import { useTableStore } from '../state/tableStore';
import {
  DATASET_LABELS,
  FEATURE_NAMES,
  TABLE_DATASETS,
  IMAGE_DATASETS,
  LIMITS,
  PLANE_DATASETS,
  SERIES_DATASETS,
  TEXT_DATASETS,
  TOY_DATASETS,
  datasetDefaults,
  switchModel,
  exampleCounts,
  isPlane,
  isSeries,
  isText,
  isToy,
  modelsFor,
  samplesRule,
  OFFICIAL_TEST_IMAGES,
  NO_AUGMENT,
  DIGIT_DATASETS,
  isImage,
  type DatasetKind,
  type ExperimentSpec,
} from '../experiment';
import { FEATURE_LABELS } from '../data/features';
import { useImageStore } from '../state/imageStore';
import { NumberField, Panel } from './fields';
import { AugmentFields } from './AugmentFields';
import { TokenizerFields } from './TokenizerFields';
import { UserText } from './UserText';
import { UserTable } from './UserTable';
import { UserImages } from './UserImages';
import { ownImageCounts } from './useOwnImages';

const GROUPS: { label: string; kinds: readonly DatasetKind[] }[] = [
  { label: 'Points in the plane', kinds: PLANE_DATASETS },
  { label: 'Images', kinds: IMAGE_DATASETS },
  { label: 'Text (language models)', kinds: TEXT_DATASETS },
  { label: 'Toy sequence tasks', kinds: TOY_DATASETS },
  { label: 'Time series (forecasting)', kinds: SERIES_DATASETS },
  { label: 'Your own data', kinds: TABLE_DATASETS },
];

/** Switching data keeps the rest of the experiment, resizes it for the new data, and picks a model that can train on it. */
function switchDataset(d: ExperimentSpec, kind: DatasetKind): void {
  const wasPlane = isPlane(d.dataset.kind);
  // Points drawn by hand belong to the data they were drawn on.
  d.dataset = {
    ...d.dataset,
    kind,
    ...(wasPlane && isPlane(kind) ? {} : datasetDefaults(kind)),
    drawn: { added: [], removed: [] },
    shiftHeldOut: isImage(kind) ? d.dataset.shiftHeldOut : 0,
    // Byte pairs are for text.
    tokenizer: isText(kind) ? d.dataset.tokenizer : { ...d.dataset.tokenizer, kind: 'char' },
    // Augmentation is for images; a flip is not for digits.
    augment: !isImage(kind)
      ? { ...NO_AUGMENT }
      : { ...d.dataset.augment, flip: d.dataset.augment.flip && !DIGIT_DATASETS.includes(kind) },
  };
  const models = modelsFor(kind);
  if (!models.includes(d.model.kind)) switchModel(d, models[0]);
  if (isPlane(kind) === wasPlane) return;
  // A batch size that suits the new data: 16 for points, 32 for the rest, never above the training set.
  d.training.batchSize = Math.min(isPlane(kind) ? 16 : 32, exampleCounts(d.dataset).train);
}

export const DatasetPanel = memo(function DatasetPanel({ errors }: { errors: Record<string, string> }) {
  const spec = useSpecStore((s) => s.spec);
  const update = useSpecStore((s) => s.update);
  const ds = spec.dataset;
  const plane = isPlane(ds.kind);
  const series = isSeries(ds.kind);
  const rule = samplesRule(ds.kind);
  const sizesOk = [ds.samples, ds.validationSplit, ds.testSplit, ds.contextLength].every(Number.isFinite);
  const ownImages = useImageStore((s) => (ds.kind === 'userImages' ? s.images : null));
  const counts = !sizesOk ? null : ownImages ? ownImageCounts(ds, ownImages.n) : exampleCounts(ds);
  return (
    <Panel title={`Data · ${DATASET_LABELS[ds.kind]}`}>
      {ds.kind === 'userText' && <UserText tokenizer={ds.tokenizer.kind} />}
      {ds.kind === 'userTable' && <UserTable spec={spec} errors={errors} />}
      {ds.kind === 'userImages' && <UserImages spec={spec} errors={errors} />}
      <div className="row">
        <NumberField
          label={isText(ds.kind) ? 'Windows' : isToy(ds.kind) ? 'Examples' : series ? 'Series length' : 'Samples'}
          path="dataset.samples"
          value={ds.samples}
          error={errors['dataset.samples']}
          hint={`${rule.min.toLocaleString('en-US')}–${rule.max.toLocaleString('en-US')} ${rule.unit}`}
          onChange={(v) =>
            update((d) => {
              d.dataset.samples = v;
              // Removed points beyond the new sample size no longer exist.
              d.dataset.drawn.removed = d.dataset.drawn.removed.filter((i) => i < v);
            })
          }
        />
        {(plane || ds.kind === 'sines') && (
          <NumberField
            label="Noise (σ)"
            path="dataset.noise"
            value={ds.noise}
            error={errors['dataset.noise']}
            hint={plane ? 'data units, plane is ±6' : 'added to each value'}
            onChange={(v) =>
              update((d) => {
                d.dataset.noise = v;
              })
            }
          />
        )}
        {(isText(ds.kind) || series) && (
          <NumberField
            label={series ? 'Window' : 'Context length'}
            path="dataset.contextLength"
            value={ds.contextLength}
            error={errors['dataset.contextLength']}
            hint={
              series
                ? `past values per forecast (${LIMITS.seriesWindow.min}–${LIMITS.seriesWindow.max})`
                : `${ds.tokenizer.kind === 'bpe' ? 'tokens' : 'characters'} (${LIMITS.textContext.min}–${LIMITS.textContext.max})`
            }
            onChange={(v) =>
              update((d) => {
                d.dataset.contextLength = v;
              })
            }
          />
        )}
        {isText(ds.kind) && <TokenizerFields spec={spec} errors={errors} />}
        {isToy(ds.kind) && (
          <NumberField
            label="Digits"
            path="dataset.digits"
            value={ds.digits}
            error={errors['dataset.digits']}
            hint={
              ds.kind === 'addition'
                ? `per number (${LIMITS.additionDigits.min}–${LIMITS.additionDigits.max})`
                : `per string (${LIMITS.digits.min}–${LIMITS.digits.max})`
            }
            onChange={(v) =>
              update((d) => {
                d.dataset.digits = v;
              })
            }
          />
        )}
      </div>
      <div className="row">
        <NumberField
          label="Validation split"
          path="dataset.validationSplit"
          value={ds.validationSplit}
          error={errors['dataset.validationSplit']}
          hint={
            counts && !errors['dataset.validationSplit'] && !errors['dataset.testSplit']
              ? `${counts.train.toLocaleString('en-US')} train / ${counts.validation.toLocaleString('en-US')} validation${counts.test ? ` / ${counts.test.toLocaleString('en-US')} test` : ''}`
              : undefined
          }
          onChange={(v) =>
            update((d) => {
              d.dataset.validationSplit = v;
            })
          }
        />
        {OFFICIAL_TEST_IMAGES[ds.kind] ? (
          <p className="field-hint official-test" data-testid="official-test">
            Test: the official {OFFICIAL_TEST_IMAGES[ds.kind]!.toLocaleString('en-US')} test images, scored once, at the
            end
          </p>
        ) : (
          <NumberField
            label="Test split"
            path="dataset.testSplit"
            value={ds.testSplit}
            error={errors['dataset.testSplit']}
            hint="0 = none; scored once, at the end"
            onChange={(v) =>
              update((d) => {
                d.dataset.testSplit = v;
              })
            }
          />
        )}
      </div>
      {isImage(ds.kind) && <AugmentFields spec={spec} errors={errors} />}
      <div className="row">
        <NumberField
          label="Seed"
          path="seed"
          value={spec.seed}
          error={errors.seed}
          hint="data, weights, batch order, dropout"
          onChange={(v) =>
            update((d) => {
              d.seed = v;
            })
          }
        />
      </div>
      {plane ? (
        <fieldset
          className={`features${errors['dataset.features'] ? ' field-invalid' : ''}`}
          data-field="dataset.features"
        >
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
          {errors['dataset.features'] && (
            <div className="field-error" role="alert">
              Input features: {errors['dataset.features']}
            </div>
          )}
        </fieldset>
      ) : (
        <p className="muted small">{DATASET_NOTES[ds.kind] ?? ''}</p>
      )}
    </Panel>
  );
});

const DATASET_NOTES: Partial<Record<DatasetKind, string>> = {
  mnist: 'Input: the 28×28 grey pixels of each digit (784 inputs). 10,000 real MNIST digits ship with the app.',
  names:
    '8,422 public-domain first names as one stream, ".emma.olivia.", split by position (names shuffled by the seed). The model predicts each next character.',
  sotu: 'About 1 MB of State of the Union addresses (1994–2021, public domain); the last part of the text is held out for validation.',
  userText: 'The end of your text is held out for validation; windows for training start at random places in the rest.',
  reverse: 'Prompt "12345|", answer "54321": the loss and accuracy count the answer only.',
  sort: 'Prompt "31415|", answer "11345": the loss and accuracy count the answer only.',
  copy: 'Prompt "31415|", answer "31415": the loss and accuracy count the answer only.',
  addition:
    'Prompt "_7+45=", answer "052" (operands padded with _, the sum to one more digit). Validation problems are not in the training set when there are enough distinct ones.',
  userImages:
    'Images are shuffled by the seed; the validation and test splits are held out. Pixels are scaled to 0–1. Augmentation (below) applies to training images only.',
  userTable:
    'Rows are shuffled by the seed; the validation split is held out. Numeric columns are standardised with training statistics; text columns with few values are one-hot encoded.',
  sines:
    'A mix of three sines with seeded periods and phases. Each example is a window of past values; the target is the next value. The end of the series is held out.',
  mackeyGlass:
    'The chaotic Mackey–Glass delay equation (τ = 17). Each example is a window of past values; the target is the next value. The end of the series is held out.',
};

/** The dataset, kept in view above the builder (its options are in the Data panel). */
export const DatasetChoice = memo(function DatasetChoice({ errors }: { errors: Record<string, string> }) {
  const kind = useSpecStore((s) => s.spec.dataset.kind);
  const update = useSpecStore((s) => s.update);
  return (
    <div className="field" data-field="dataset.kind">
      <label htmlFor="dataset-kind">Dataset</label>
      <select
        id="dataset-kind"
        name="dataset.kind"
        value={kind}
        onChange={(e) =>
          update((d) => {
            switchDataset(d, e.target.value as DatasetKind);
            // A table is already loaded: predict its last column unless the target is one of its columns.
            const table = useTableStore.getState().table;
            if (d.dataset.kind === 'userTable' && table && !table.columns.includes(d.dataset.table.target))
              d.dataset.table.target = table.columns.at(-1)!;
          })
        }
      >
        {GROUPS.map((g) => (
          <optgroup key={g.label} label={g.label}>
            {g.kinds.map((k) => (
              <option key={k} value={k}>
                {DATASET_LABELS[k]}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
      {errors['dataset.kind'] && (
        <div className="field-error" role="alert">
          Dataset: {errors['dataset.kind']}
        </div>
      )}
    </div>
  );
});
