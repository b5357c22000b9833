import { isText, type ExperimentSpec, type TokenizerSpec } from './types';

/** A leaf of a spec (or of any JSON value): objects and arrays are flattened into paths. */
type Leaf = string | number | boolean | null | undefined;

/** One field whose value differs between two specs; absent values are undefined. */
export interface SpecDifference {
  path: string;
  a: Leaf;
  b: Leaf;
}

function flatten(value: unknown, path: string, out: Map<string, Leaf>): Map<string, Leaf> {
  if (Array.isArray(value)) {
    if (value.length === 0) out.set(path, '[]');
    value.forEach((v, i) => flatten(v, `${path}[${i}]`, out));
  } else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) flatten(v, path ? `${path}.${k}` : k, out);
  } else {
    out.set(path, value as Leaf); // JSON holds no other kinds of value
  }
  return out;
}

/** What differs between two specs, field by field (e.g. training.optimizer.kind: adam → sgd). */
export function diffSpecs(a: object, b: object): SpecDifference[] {
  const fa = flatten(a, '', new Map());
  const fb = flatten(b, '', new Map());
  const paths = [...new Set([...fa.keys(), ...fb.keys()])];
  return paths.filter((p) => fa.get(p) !== fb.get(p)).map((path) => ({ path, a: fa.get(path), b: fb.get(path) }));
}

/**
 * Two specs get the same key exactly when diffSpecs finds them differing only in `ignored` paths
 * (and fields under them): a way to group many runs without comparing each pair.
 */
export function specKey(spec: object, ignored: readonly string[]): string {
  const kept = [...flatten(spec, '', new Map())].filter(
    ([path, v]) =>
      v !== undefined && !ignored.some((i) => path === i || path.startsWith(`${i}.`) || path.startsWith(`${i}[`)),
  );
  return JSON.stringify(kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Short names for the fields runs most often differ in, as a run's label shows them. */
const SHORT_NAMES: Record<string, string> = {
  'training.l1': 'L1',
  'training.l2': 'L2',
  'training.optimizer.learningRate': 'lr',
  'training.optimizer.weightDecay': 'wd',
  'training.optimizer.kind': '',
  'training.schedule.kind': 'schedule',
  'training.batchSize': 'batch',
  'training.epochs': 'epochs',
  'training.clipNorm': 'clip',
  'training.optimizer.momentum': 'μ',
  'model.dropout': 'dropout',
  'dataset.kind': '',
  'model.kind': '',
  'model.cell': '',
  seed: 'seed',
  backend: '',
};

function shortName(path: string): string {
  if (path in SHORT_NAMES) return SHORT_NAMES[path];
  const layer = /^model\.(hidden|layers)\[(\d+)\]\.(\w+)$/.exec(path);
  if (layer) return `${layer[3]} ${Number(layer[2]) + 1}`;
  return path
    .split('.')
    .at(-1)!
    .replace(/\[\d+\]$/, '');
}

function shortValue(v: Leaf): string {
  if (v === undefined) return '—';
  if (typeof v === 'number' && v !== 0 && Math.abs(v) < 0.01)
    return v
      .toExponential()
      .replace(/e-0*/, 'e-')
      .replace(/\.?0+e/, 'e');
  return String(v);
}

/**
 * For each spec, what sets it apart from the others ("L2 1e-3 · dropout 1 0.2"), so runs that differ
 * only in a penalty, a dropout rate or a schedule can be told apart. Points drawn on the plane count
 * as one field. Empty when all specs are alike or there is only one.
 */
export function distinguishingLabels(specs: ExperimentSpec[], max = 4): string[] {
  const flat = specs.map((s) => {
    // Drawn points are many fields; one summary of them is enough to tell runs apart.
    const { added, removed } = s.dataset.drawn;
    return flatten(
      { ...s, dataset: { ...s.dataset, drawn: `${added.length} added, ${removed.length} removed` } },
      '',
      new Map(),
    );
  });
  const paths = [...new Set(flat.flatMap((f) => [...f.keys()]))].filter((p) =>
    flat.some((f) => f.get(p) !== flat[0].get(p)),
  );
  return flat.map((f) => {
    const parts = paths.map((p) => [shortName(p), shortValue(f.get(p))].filter(Boolean).join(' '));
    return parts.length > max ? `${parts.slice(0, max).join(' · ')} · +${parts.length - max} more` : parts.join(' · ');
  });
}

/**
 * Whether two experiments' curves can share a chart: the same data and task, so the same loss and
 * metric (a run on names in nats per character and one on reverse in answer tokens cannot, nor two in tokens
 * of different vocabularies).
 */
export function sameTask(a: ExperimentSpec, b: ExperimentSpec): boolean {
  if (a.dataset.kind !== b.dataset.kind) return false;
  if (isText(a.dataset.kind)) return sameTokens(a.dataset.tokenizer, b.dataset.tokenizer);
  if (a.dataset.kind !== 'userTable') return true;
  return a.dataset.table.target === b.dataset.table.target && a.dataset.table.task === b.dataset.table.task;
}

/** Characters are characters whatever the vocabulary size says; byte pairs only of the same size. */
function sameTokens(a: TokenizerSpec, b: TokenizerSpec): boolean {
  return a.kind === b.kind && (a.kind === 'char' || a.vocabSize === b.vocabSize);
}
