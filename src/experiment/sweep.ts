// Sweeps: one run per cell of a grid over one or two hyper-parameters (learning rate × batch size,
// width × depth, …). Each cell is the current experiment with the axes' values set, validated as any
// spec is, so a value a model cannot take is named before anything trains.
import { validateSpec } from './validate';
import { describeFieldError } from './labels';
import type { ExperimentSpec } from './types';

export const SWEEP_PARAMS = [
  'learningRate',
  'batchSize',
  'width',
  'depth',
  'dropout',
  'l2',
  'weightDecay',
  'seed',
] as const;
export type SweepParam = (typeof SWEEP_PARAMS)[number];

export const SWEEP_PARAM_LABELS: Record<SweepParam, string> = {
  learningRate: 'Learning rate',
  batchSize: 'Batch size',
  width: 'Width (every layer)',
  depth: 'Depth (layers)',
  dropout: 'Dropout (every layer)',
  l2: 'L2 penalty',
  weightDecay: 'Weight decay',
  seed: 'Seed',
};

/** Short names for run names and the heatmap's axes. */
export const SWEEP_PARAM_SHORT: Record<SweepParam, string> = {
  learningRate: 'lr',
  batchSize: 'batch',
  width: 'width',
  depth: 'depth',
  dropout: 'dropout',
  l2: 'L2',
  weightDecay: 'wd',
  seed: 'seed',
};

export interface SweepAxis {
  param: SweepParam;
  values: number[];
}

/** At most this many values per axis, and cells in all. */
export const SWEEP_LIMITS = { values: 8, cells: 36 } as const;

/** The experiment with one hyper-parameter set; width and depth reach every layer of the model. */
export function withSweepValue(spec: ExperimentSpec, param: SweepParam, value: number): ExperimentSpec {
  const s = structuredClone(spec);
  const m = s.model;
  switch (param) {
    case 'learningRate':
      s.training.optimizer.learningRate = value;
      break;
    case 'batchSize':
      s.training.batchSize = value;
      break;
    case 'l2':
      s.training.l2 = value;
      break;
    case 'weightDecay':
      s.training.optimizer.weightDecay = value;
      break;
    case 'seed':
      s.seed = value;
      break;
    case 'width':
      if (m.kind === 'mlp') m.hidden = m.hidden.map((l) => ({ ...l, units: value }));
      else if (m.kind === 'lstm') m.layers = m.layers.map((l) => ({ ...l, units: value }));
      else if (m.kind === 'cnn') m.layers = m.layers.map((l) => (l.kind === 'pool' ? l : { ...l, filters: value }));
      else m.dModel = value;
      break;
    case 'depth': {
      if (m.kind === 'transformer') m.layers = value;
      else if (m.kind === 'mlp') m.hidden = resize(m.hidden, value);
      else if (m.kind === 'cnn') m.layers = resize(m.layers, value);
      else m.layers = resize(m.layers, value);
      break;
    }
    case 'dropout':
      if (m.kind === 'transformer') m.dropout = value;
      else if (m.kind === 'mlp') m.hidden = m.hidden.map((l) => ({ ...l, dropout: value }));
      else if (m.kind === 'cnn') {
        m.layers = m.layers.map((l) => (l.kind === 'conv' ? { ...l, dropout: value } : l));
        m.dense = m.dense.map((l) => ({ ...l, dropout: value }));
      } else m.layers = m.layers.map((l) => ({ ...l, dropout: value }));
      break;
  }
  return s;
}

/** A layer list made `n` long: cut, or grown by copies of its last layer (an empty MLP's by a default layer). */
function resize<T>(layers: T[], n: number): T[] {
  const last = layers[layers.length - 1] ?? ({ units: 8, activation: 'tanh', dropout: 0 } as T);
  return Array.from({ length: n }, (_, i) => layers[i] ?? structuredClone(last));
}

/** Hyper-parameters that take whole numbers only. */
const WHOLE: ReadonlySet<SweepParam> = new Set(['batchSize', 'width', 'depth', 'seed']);

/** "0.1, 0.03, 0.01" → numbers; null when an entry is not a number. */
export function parseSweepValues(text: string): number[] | null {
  const parts = text
    .split(/[,\s]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  const values = parts.map(Number);
  return parts.length && values.every((v) => Number.isFinite(v)) ? values : null;
}

export interface SweepCell {
  /** Index along the first axis, and along the second (0 with one axis). */
  i: number;
  j: number;
  spec: ExperimentSpec;
  /** "lr 0.01 · batch 32". */
  label: string;
}

export type SweepPlan = { ok: true; cells: SweepCell[] } | { ok: false; error: string };

/** Every cell of the grid, or what is wrong (an axis, a value no model can take), in words. */
export function planSweep(spec: ExperimentSpec, axes: SweepAxis[]): SweepPlan {
  if (axes.length < 1 || axes.length > 2) return { ok: false, error: 'Sweep: choose one or two hyper-parameters.' };
  if (axes.length === 2 && axes[0].param === axes[1].param)
    return { ok: false, error: 'Sweep: the two axes must be different hyper-parameters.' };
  for (const a of axes) {
    if (a.values.length < 1 || a.values.length > SWEEP_LIMITS.values)
      return { ok: false, error: `Sweep · ${SWEEP_PARAM_LABELS[a.param]}: give 1 to ${SWEEP_LIMITS.values} values.` };
    if (new Set(a.values).size !== a.values.length)
      return { ok: false, error: `Sweep · ${SWEEP_PARAM_LABELS[a.param]}: each value once.` };
    if (WHOLE.has(a.param) && !a.values.every((v) => Number.isInteger(v) && v >= 0))
      return { ok: false, error: `Sweep · ${SWEEP_PARAM_LABELS[a.param]}: whole numbers only.` };
  }
  const [first, second] = axes;
  const seconds = second ? second.values : [null];
  if (first.values.length * seconds.length > SWEEP_LIMITS.cells)
    return {
      ok: false,
      error: `Sweep: at most ${SWEEP_LIMITS.cells} runs (${first.values.length} × ${seconds.length} asked).`,
    };
  const cells: SweepCell[] = [];
  for (const [i, x] of first.values.entries())
    for (const [j, y] of seconds.entries()) {
      let s = withSweepValue(spec, first.param, x);
      if (second && y !== null) s = withSweepValue(s, second.param, y);
      const valid = validateSpec(s);
      const label = [
        `${SWEEP_PARAM_SHORT[first.param]} ${x}`,
        ...(second ? [`${SWEEP_PARAM_SHORT[second.param]} ${y}`] : []),
      ].join(' · ');
      if (!valid.ok)
        return { ok: false, error: `Sweep cell ${label}: ${valid.errors.map(describeFieldError).join('; ')}.` };
      cells.push({ i, j, spec: valid.spec, label });
    }
  return { ok: true, cells };
}
