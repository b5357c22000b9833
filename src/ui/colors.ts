/** TensorFlow Playground's palette: orange for class 0 / negative, blue for class 1 / positive. */
export const NEGATIVE = [245, 147, 34] as const;
export const POSITIVE = [8, 119, 189] as const;
export const NEUTRAL = [232, 234, 235] as const;

/** t in [0, 1]: 0 → orange, 0.5 → light grey, 1 → blue. */
export function divergingColor(t: number): [number, number, number] {
  const u = Math.min(1, Math.max(0, t));
  const [from, to, k] = u < 0.5 ? [NEGATIVE, NEUTRAL, u * 2] : [NEUTRAL, POSITIVE, (u - 0.5) * 2];
  return [0, 1, 2].map((i) => Math.round(from[i] + (to[i] - from[i]) * k)) as [number, number, number];
}

export const SERIES = { train: '#1f77b4', validation: '#d62728', batch: '#9ecae1', other: '#2ca02c', more: '#9467bd' };

/**
 * A confusion-matrix cell by the share of its true class it holds: right answers blue, mistakes
 * red (a small share of mistakes already shows).
 */
export function confusionColor(share: number, right: boolean): string {
  return right ? `rgba(8,119,189,${share})` : `rgba(198,40,40,${Math.min(1, share * 4)})`;
}
