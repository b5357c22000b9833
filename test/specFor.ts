// A valid experiment on one dataset with one model, for tests that go through many of them.
import {
  datasetDefaults,
  defaultSpec,
  validateSpec,
  type DatasetKind,
  type ExperimentSpec,
  type ModelSpec,
} from '../src/experiment';

/** The default spec on `kind`'s data with `model`, then `edit`ed; throws (naming the fields) unless it validates. */
export function specFor(
  kind: DatasetKind,
  model: ModelSpec,
  edit: (s: ExperimentSpec) => void = () => {},
): ExperimentSpec {
  const s = defaultSpec();
  s.dataset = { ...s.dataset, kind, ...datasetDefaults(kind) };
  s.model = model;
  edit(s);
  const v = validateSpec(s);
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return s;
}
