import type { FeatureName } from '../experiment/types';

export const FEATURE_LABELS: Record<FeatureName, string> = {
  x1: 'x₁',
  x2: 'x₂',
  x1sq: 'x₁²',
  x2sq: 'x₂²',
  x1x2: 'x₁·x₂',
  sinx1: 'sin(x₁)',
  sinx2: 'sin(x₂)',
};

const FEATURE_FNS: Record<FeatureName, (x1: number, x2: number) => number> = {
  x1: (a) => a,
  x2: (_, b) => b,
  x1sq: (a) => a * a,
  x2sq: (_, b) => b * b,
  x1x2: (a, b) => a * b,
  sinx1: (a) => Math.sin(a),
  sinx2: (_, b) => Math.sin(b),
};

/** Raw (x1, x2) pairs → one row of chosen features per point. */
export function featurize(points: Float32Array, features: readonly FeatureName[]): Float32Array {
  const n = points.length / 2;
  const f = features.length;
  const out = new Float32Array(n * f);
  for (let i = 0; i < n; i++) {
    const a = points[2 * i];
    const b = points[2 * i + 1];
    for (let j = 0; j < f; j++) out[i * f + j] = FEATURE_FNS[features[j]](a, b);
  }
  return out;
}
