import type { DrawnPoints, PlaneDatasetKind } from '../experiment/types';
import { isClassification } from '../experiment/types';
import { Rng } from './rng';

/** Points lie in the square [−DOMAIN, DOMAIN]², as in TensorFlow Playground. */
export const DOMAIN = 6;

/** Raw 2-D points: x holds (x1, x2) pairs, y a class (0/1) or a regression target. */
export interface PointSet {
  x: Float32Array;
  y: Float32Array;
  n: number;
}

type Generator = (n: number, noise: number, rng: Rng) => PointSet;

function alloc(n: number): PointSet {
  return { x: new Float32Array(2 * n), y: new Float32Array(n), n };
}

/** Classification sets put floor(n/2) points in class 1 and the rest in class 0. */
function classOf(i: number, n: number): number {
  return i < Math.floor(n / 2) ? 1 : 0;
}

function put(set: PointSet, i: number, x1: number, x2: number, y: number, noise: number, rng: Rng): void {
  set.x[2 * i] = x1 + noise * rng.normal();
  set.x[2 * i + 1] = x2 + noise * rng.normal();
  set.y[i] = y;
}

const circle: Generator = (n, noise, rng) => {
  const set = alloc(n);
  const radius = 5;
  for (let i = 0; i < n; i++) {
    const label = classOf(i, n);
    // Class 1 fills the inner disc, class 0 a ring around it, with a gap between.
    const r = label ? rng.uniform(0, 0.5 * radius) : rng.uniform(0.7 * radius, radius);
    const angle = rng.uniform(0, 2 * Math.PI);
    put(set, i, r * Math.sin(angle), r * Math.cos(angle), label, noise, rng);
  }
  return set;
};

const xor: Generator = (n, noise, rng) => {
  const set = alloc(n);
  const padding = 0.3;
  for (let i = 0; i < n; i++) {
    const label = classOf(i, n);
    // Class 1 where x1 and x2 share a sign, class 0 where they differ.
    const s1 = rng.next() < 0.5 ? -1 : 1;
    const s2 = label ? s1 : -s1;
    const x1 = s1 * (rng.uniform(0, 5) + padding);
    const x2 = s2 * (rng.uniform(0, 5) + padding);
    put(set, i, x1, x2, label, noise, rng);
  }
  return set;
};

const gaussians: Generator = (n, noise, rng) => {
  const set = alloc(n);
  for (let i = 0; i < n; i++) {
    const label = classOf(i, n);
    const c = label ? 2 : -2;
    put(set, i, c + rng.normal(), c + rng.normal(), label, noise, rng);
  }
  return set;
};

const spiral: Generator = (n, noise, rng) => {
  const set = alloc(n);
  const half = Math.floor(n / 2);
  for (let i = 0; i < n; i++) {
    const label = classOf(i, n);
    const k = label ? i : i - half;
    const count = label ? half : n - half;
    // Two interleaved arms, each turning 1.75 times; class 0 is rotated by π.
    const r = (5 * k) / count;
    const t = (1.75 * 2 * Math.PI * k) / count + (label ? 0 : Math.PI);
    put(set, i, r * Math.sin(t), r * Math.cos(t), label, noise, rng);
  }
  return set;
};

const moons: Generator = (n, noise, rng) => {
  const set = alloc(n);
  for (let i = 0; i < n; i++) {
    const label = classOf(i, n);
    const t = rng.uniform(0, Math.PI);
    // scikit-learn's two moons, centred and scaled to the domain.
    const mx = label ? Math.cos(t) : 1 - Math.cos(t);
    const my = label ? Math.sin(t) : 0.5 - Math.sin(t);
    put(set, i, (mx - 0.5) * 3.5, (my - 0.25) * 3.5, label, noise, rng);
  }
  return set;
};

/** Regression targets lie in about [−1, 1]; noise is scaled down to match. */
function surface(f: (x1: number, x2: number) => number): Generator {
  return (n, noise, rng) => {
    const set = alloc(n);
    for (let i = 0; i < n; i++) {
      const x1 = rng.uniform(-DOMAIN + 1, DOMAIN - 1);
      const x2 = rng.uniform(-DOMAIN + 1, DOMAIN - 1);
      set.x[2 * i] = x1;
      set.x[2 * i + 1] = x2;
      set.y[i] = f(x1, x2) + (noise / DOMAIN) * rng.normal();
    }
    return set;
  };
}

const GENERATORS: Record<PlaneDatasetKind, Generator> = {
  circle,
  xor,
  gaussians,
  spiral,
  moons,
  plane: surface((x1, x2) => (x1 + x2) / (2 * (DOMAIN - 1))),
  sine: surface((x1, x2) => Math.sin((Math.PI * x1) / 4) * Math.cos((Math.PI * x2) / 6)),
};

/** Generate a 2-D dataset; the same (kind, n, noise, seed) always gives the same points. */
export function generate2d(kind: PlaneDatasetKind, n: number, noise: number, seed: number): PointSet {
  return GENERATORS[kind](n, noise, new Rng(seed));
}

export function taskOf(kind: PlaneDatasetKind): 'binary' | 'regression' {
  return isClassification(kind) ? 'binary' : 'regression';
}

/** The generated points less those removed by hand, then the points added by hand. */
export function withDrawn(set: PointSet, drawn: DrawnPoints | undefined): PointSet {
  if (!drawn || (drawn.added.length === 0 && drawn.removed.length === 0)) return set;
  const removed = new Set(drawn.removed);
  const kept = Array.from({ length: set.n }, (_, i) => i).filter((i) => !removed.has(i));
  const out = alloc(kept.length + drawn.added.length);
  kept.forEach((k, i) => {
    out.x[2 * i] = set.x[2 * k];
    out.x[2 * i + 1] = set.x[2 * k + 1];
    out.y[i] = set.y[k];
  });
  drawn.added.forEach(([x1, x2, label], j) => {
    const i = kept.length + j;
    out.x[2 * i] = x1;
    out.x[2 * i + 1] = x2;
    out.y[i] = label;
  });
  return out;
}

/**
 * The point nearest to (x1, x2) within `radius`: a generated one (by index) or one added by
 * hand (by its place in `added`); null when none is that close.
 */
export function nearestPoint(
  set: PointSet,
  drawn: DrawnPoints,
  x1: number,
  x2: number,
  radius: number,
): { generated: number } | { added: number } | null {
  let best: { generated: number } | { added: number } | null = null;
  let bestD = radius * radius;
  const removed = new Set(drawn.removed);
  for (let i = 0; i < set.n; i++) {
    const d = (set.x[2 * i] - x1) ** 2 + (set.x[2 * i + 1] - x2) ** 2;
    if (!removed.has(i) && d <= bestD) [best, bestD] = [{ generated: i }, d];
  }
  drawn.added.forEach(([a, b], j) => {
    const d = (a - x1) ** 2 + (b - x2) ** 2;
    if (d <= bestD) [best, bestD] = [{ added: j }, d];
  });
  return best;
}
