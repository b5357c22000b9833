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

export const SERIES = { train: '#0072b2', validation: '#d55e00', batch: '#9ecae1', other: '#009e73', more: '#cc79a7' };

/**
 * A confusion-matrix cell by the share of its true class it holds: right answers blue, mistakes
 * red (a small share of mistakes already shows).
 */
export function confusionColor(share: number, right: boolean): { background: string; color: string } {
  return right ? heatCell([8, 119, 189], share) : heatCell([198, 40, 40], Math.min(1, share * 4));
}

/** A heatmap cell of `rgb` at `alpha` over white, with the text colour that reads on it. */
export function heatCell(rgb: readonly [number, number, number], alpha = 1): { background: string; color: string } {
  return { background: `rgba(${rgb.join(',')},${alpha})`, color: textOn(rgb, alpha) };
}

/** hsl (degrees, %, %) as rgb 0–255, to pick text for a colour given in hsl. */
export function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const a = (s / 100) * Math.min(l / 100, 1 - l / 100);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l / 100 - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

/** The text colour that reads on a cell of this colour over white: black on light cells, white on dark ones. */
export function textOn(rgb: readonly [number, number, number], alpha = 1): '#000' | '#fff' {
  // The colour as drawn over white, then WCAG's relative luminance; white text wins below ~0.18.
  const lin = rgb.map((c) => {
    const v = (alpha * c + (1 - alpha) * 255) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  });
  const luminance = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
  return luminance > 0.179 ? '#000' : '#fff';
}
