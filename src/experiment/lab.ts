// The loss-surface lab's settings: which function, where to start, which optimizers race.
import { OPTIMIZER_KINDS, type OptimizerKind } from './types';
import { isLearningRateText, isObject, type FieldError } from './validate';

export const SURFACE_KINDS = ['bowl', 'rosenbrock', 'beale', 'himmelblau', 'saddle'] as const;
export type SurfaceKind = (typeof SURFACE_KINDS)[number];

export interface SurfaceInfo {
  label: string;
  /** The square-ish window drawn: [xmin, xmax] × [ymin, ymax]. */
  x: [number, number];
  y: [number, number];
  start: [number, number];
  minima: [number, number][];
  /** Learning rates that make each optimizer's path interesting on this surface. */
  learningRates: Record<OptimizerKind, number>;
}

export const SURFACE_INFO: Record<SurfaceKind, SurfaceInfo> = {
  bowl: {
    label: 'Quadratic bowl ½(x² + κy²)',
    x: [-3, 3],
    y: [-3, 3],
    start: [-2.6, 1.6],
    minima: [[0, 0]],
    learningRates: {
      sgd: 0.09,
      momentum: 0.02,
      nesterov: 0.02,
      rmsprop: 0.03,
      adagrad: 0.5,
      adam: 0.1,
      adamw: 0.1,
      lion: 0.02,
      muon: 0.02,
    },
  },
  rosenbrock: {
    label: 'Rosenbrock (1−x)² + 100(y−x²)²',
    x: [-2, 2],
    y: [-1, 3],
    start: [-1.5, 2.5],
    minima: [[1, 1]],
    learningRates: {
      sgd: 0.001,
      momentum: 0.001,
      nesterov: 0.001,
      rmsprop: 0.01,
      adagrad: 0.3,
      adam: 0.05,
      adamw: 0.05,
      lion: 0.005,
      muon: 0.02,
    },
  },
  beale: {
    label: 'Beale',
    x: [-4.5, 4.5],
    y: [-4.5, 4.5],
    start: [1, 1.5],
    minima: [[3, 0.5]],
    learningRates: {
      sgd: 0.001,
      momentum: 0.0004,
      nesterov: 0.0004,
      rmsprop: 0.01,
      adagrad: 0.3,
      adam: 0.05,
      adamw: 0.05,
      lion: 0.005,
      muon: 0.02,
    },
  },
  himmelblau: {
    label: 'Himmelblau (x²+y−11)² + (x+y²−7)²',
    x: [-5, 5],
    y: [-5, 5],
    start: [-0.5, -0.3],
    minima: [
      [3, 2],
      [-2.805118, 3.131312],
      [-3.77931, -3.283186],
      [3.584428, -1.848126],
    ],
    learningRates: {
      sgd: 0.005,
      momentum: 0.002,
      nesterov: 0.002,
      rmsprop: 0.02,
      adagrad: 0.5,
      adam: 0.1,
      adamw: 0.1,
      lion: 0.02,
      muon: 0.02,
    },
  },
  saddle: {
    label: 'Saddle x² − y²',
    x: [-2, 2],
    y: [-2, 2],
    start: [-1.8, 0.02],
    minima: [],
    learningRates: {
      sgd: 0.03,
      momentum: 0.01,
      nesterov: 0.01,
      rmsprop: 0.01,
      adagrad: 0.1,
      adam: 0.02,
      adamw: 0.02,
      lion: 0.01,
      muon: 0.02,
    },
  },
};

/**
 * The optimizers the lab can race. Muon orthogonalises weight matrices, and the lab's parameter
 * is one point (a vector), on which Muon would be plain AdamW: it is left out, and the lab says so.
 */
export const LAB_OPTIMIZER_KINDS = OPTIMIZER_KINDS.filter((k) => k !== 'muon');

/** Optimizers added after the lab first shipped: a link from before leaves them out of the race. */
const ADDED_LATER: readonly OptimizerKind[] = ['lion', 'muon'];

export const LAB_LIMITS = { steps: { min: 10, max: 1000 }, conditioning: { min: 1, max: 100 } } as const;

export interface LabSettings {
  surface: SurfaceKind;
  conditioning: number;
  start: [number, number];
  steps: number;
  chosen: Record<OptimizerKind, boolean>;
  /** As typed, so a bad entry can be named rather than lost. */
  rates: Record<OptimizerKind, string>;
}

export function labRatesFor(surface: SurfaceKind): Record<OptimizerKind, string> {
  return Object.fromEntries(OPTIMIZER_KINDS.map((k) => [k, String(SURFACE_INFO[surface].learningRates[k])])) as Record<
    OptimizerKind,
    string
  >;
}

export function defaultLabSettings(): LabSettings {
  return {
    surface: 'bowl',
    conditioning: 10,
    start: SURFACE_INFO.bowl.start,
    steps: 300,
    chosen: Object.fromEntries(
      OPTIMIZER_KINDS.map((k) => [k, ['sgd', 'momentum', 'rmsprop', 'adam'].includes(k)]),
    ) as Record<OptimizerKind, boolean>,
    rates: labRatesFor('bowl'),
  };
}

/**
 * Lab settings from a link, rebuilt from known fields only; every problem names its field.
 * A start point must lie in the surface's window, so its path can be drawn.
 */
export function validateLabSettings(
  raw: unknown,
): { ok: true; settings: LabSettings } | { ok: false; errors: FieldError[] } {
  if (!isObject(raw)) return { ok: false, errors: [{ field: 'lab', message: 'must be an object' }] };
  const errors: FieldError[] = [];
  const r = raw;
  if (!(SURFACE_KINDS as readonly unknown[]).includes(r.surface))
    errors.push({ field: 'lab.surface', message: `must be one of ${SURFACE_KINDS.join(', ')}` });
  const { conditioning: k, steps: n } = LAB_LIMITS;
  if (typeof r.conditioning !== 'number' || !(r.conditioning >= k.min && r.conditioning <= k.max)) {
    errors.push({ field: 'lab.conditioning', message: `must be a number from ${k.min} to ${k.max}` });
  }
  if (!Number.isInteger(r.steps) || (r.steps as number) < n.min || (r.steps as number) > n.max) {
    errors.push({ field: 'lab.steps', message: `must be a whole number from ${n.min} to ${n.max}` });
  }
  const info = SURFACE_INFO[r.surface as SurfaceKind];
  const start = r.start;
  if (
    !Array.isArray(start) ||
    start.length !== 2 ||
    !start.every((v) => typeof v === 'number' && Number.isFinite(v)) ||
    (info && (start[0] < info.x[0] || start[0] > info.x[1] || start[1] < info.y[0] || start[1] > info.y[1]))
  ) {
    errors.push({
      field: 'lab.start',
      message: info
        ? `must be a point [x, y] inside [${info.x.join(', ')}] × [${info.y.join(', ')}]`
        : 'must be a point [x, y]',
    });
  }
  const defaults = info ? labRatesFor(r.surface as SurfaceKind) : null;
  const chosen = isObject(r.chosen) ? { ...r.chosen } : undefined;
  const rates = isObject(r.rates) ? { ...r.rates } : undefined;
  for (const kind of ADDED_LATER) {
    if (chosen && !(kind in chosen)) chosen[kind] = false;
    if (rates && defaults && !(kind in rates)) rates[kind] = defaults[kind];
  }
  if (chosen?.muon === true)
    errors.push({
      field: 'lab.chosen.muon',
      message: 'must be false: Muon needs weight matrices, the lab moves one point',
    });
  for (const kind of OPTIMIZER_KINDS) {
    if (typeof chosen?.[kind] !== 'boolean')
      errors.push({ field: `lab.chosen.${kind}`, message: 'must be true or false' });
    if (typeof rates?.[kind] !== 'string' || !isLearningRateText(rates[kind])) {
      errors.push({
        field: `lab.rates.${kind}`,
        message: 'must be a learning rate (a number greater than 0 and at most 10)',
      });
    }
  }
  if (errors.length) return { ok: false, errors };
  return {
    ok: true,
    settings: {
      surface: r.surface as SurfaceKind,
      conditioning: r.conditioning as number,
      start: [(start as number[])[0], (start as number[])[1]],
      steps: r.steps as number,
      chosen: Object.fromEntries(OPTIMIZER_KINDS.map((kind) => [kind, chosen![kind]])) as Record<
        OptimizerKind,
        boolean
      >,
      rates: Object.fromEntries(OPTIMIZER_KINDS.map((kind) => [kind, rates![kind]])) as Record<OptimizerKind, string>,
    },
  };
}
