// Axis ticks a person can read: round values (1, 2 or 5 × a power of ten) spanning the data,
// whole numbers on epoch and step axes, labels with as many decimals as the step needs (so five
// ticks never all read "0.152"), and values in tooltips written one compact way.

/** Round tick values covering [lo, hi], about `count` of them; `integer`: whole numbers only. */
export function niceTicks(lo: number, hi: number, count = 5, integer = false): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    [lo, hi] = [lo - pad, hi + pad];
  }
  const step = niceStep((hi - lo) / Math.max(1, count - 1), integer);
  const first = Math.floor(lo / step + 1e-9) * step;
  const last = Math.ceil(hi / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first; v <= last + step / 2; v += step) ticks.push(roundTo(v, step));
  return ticks;
}

function niceStep(raw: number, integer: boolean): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  // The nearest of 1, 2, 5 and 10 (on a log scale), as d3 picks it.
  const step = (f >= Math.sqrt(50) ? 10 : f >= Math.sqrt(10) ? 5 : f >= Math.sqrt(2) ? 2 : 1) * power;
  return integer ? Math.max(1, Math.round(step)) : step;
}

/** v without the float noise that adding `step` leaves (0.30000000000000004 → 0.3). */
function roundTo(v: number, step: number): number {
  return Number(v.toFixed(decimalsFor(step)));
}

/** The decimals a tick step needs: 0.05 → 2, 5 → 0. */
export function decimalsFor(step: number): number {
  return Math.max(0, Math.min(12, -Math.floor(Math.log10(step) + 1e-9)));
}

/**
 * One number format per count of decimals, made once: toLocaleString with options builds a new
 * formatter on every call, and charts format their ticks on every redraw (most of a Live
 * redraw's time on a slow machine went there).
 */
const formats = new Map<number, Intl.NumberFormat>();
function fixedFormat(decimals: number): Intl.NumberFormat {
  let f = formats.get(decimals);
  if (!f)
    formats.set(
      decimals,
      (f = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals })),
    );
  return f;
}

/** A formatter for ticks `step` apart: "0.15", "2,000", "1e-4". */
export function tickFormatter(step: number): (v: number) => string {
  const format = fixedFormat(decimalsFor(step));
  return (v) => {
    const a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(1).replace('e+', 'e');
    return format.format(v);
  };
}

/** A value in a tooltip: four significant figures, thousands grouped, exponents only when tiny or huge. */
export function formatValue(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e9)) return v.toExponential(3).replace('e+', 'e');
  if (a >= 1000) return fixedFormat(0).format(Math.round(v));
  return Number(v.toPrecision(4)).toString();
}
