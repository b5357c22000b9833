// The loss-surface lab's settings: which function, where to start, which optimizers race.
import type { OptimizerKind } from './types';

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
    label: 'Quadratic bowl ½(x² + κy²)', x: [-3, 3], y: [-3, 3], start: [-2.6, 1.6], minima: [[0, 0]],
    learningRates: { sgd: 0.09, momentum: 0.02, nesterov: 0.02, rmsprop: 0.03, adagrad: 0.5, adam: 0.1, adamw: 0.1 },
  },
  rosenbrock: {
    label: 'Rosenbrock (1−x)² + 100(y−x²)²', x: [-2, 2], y: [-1, 3], start: [-1.5, 2.5], minima: [[1, 1]],
    learningRates: { sgd: 0.001, momentum: 0.001, nesterov: 0.001, rmsprop: 0.01, adagrad: 0.3, adam: 0.05, adamw: 0.05 },
  },
  beale: {
    label: 'Beale', x: [-4.5, 4.5], y: [-4.5, 4.5], start: [1, 1.5], minima: [[3, 0.5]],
    learningRates: { sgd: 0.001, momentum: 0.0004, nesterov: 0.0004, rmsprop: 0.01, adagrad: 0.3, adam: 0.05, adamw: 0.05 },
  },
  himmelblau: {
    label: 'Himmelblau (x²+y−11)² + (x+y²−7)²', x: [-5, 5], y: [-5, 5], start: [-0.5, -0.3],
    minima: [[3, 2], [-2.805118, 3.131312], [-3.77931, -3.283186], [3.584428, -1.848126]],
    learningRates: { sgd: 0.005, momentum: 0.002, nesterov: 0.002, rmsprop: 0.02, adagrad: 0.5, adam: 0.1, adamw: 0.1 },
  },
  saddle: {
    label: 'Saddle x² − y²', x: [-2, 2], y: [-2, 2], start: [-1.8, 0.02], minima: [],
    learningRates: { sgd: 0.03, momentum: 0.01, nesterov: 0.01, rmsprop: 0.01, adagrad: 0.1, adam: 0.02, adamw: 0.02 },
  },
};

export const LAB_LIMITS = { steps: { min: 10, max: 1000 }, conditioning: { min: 1, max: 100 } } as const;
