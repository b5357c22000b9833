// Generated time series and their one-step-ahead forecasting windows.
import { Rng } from './rng';

/** A sum of sines with seeded frequencies, phases and amplitudes, plus Gaussian noise. */
export function sineMixture(length: number, components: number, noise: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const waves = Array.from({ length: components }, () => ({
    period: rng.uniform(8, 80),
    phase: rng.uniform(0, 2 * Math.PI),
    amplitude: rng.uniform(0.3, 1),
  }));
  const out = new Float32Array(length);
  for (let t = 0; t < length; t++) {
    let v = 0;
    for (const w of waves) v += w.amplitude * Math.sin((2 * Math.PI * t) / w.period + w.phase);
    out[t] = v / components + noise * rng.normal();
  }
  return out;
}

/**
 * The Mackey–Glass delay equation dx/dt = β·x(t−τ)/(1 + x(t−τ)ⁿ) − γ·x(t), with the classic
 * β = 0.2, γ = 0.1, n = 10 and τ = 17 (chaotic), integrated with Euler steps of dt = 0.1 and
 * sampled once per time unit after a burn-in.
 */
export function mackeyGlass(length: number, tau = 17, seed = 0): Float32Array {
  const dt = 0.1;
  const perUnit = Math.round(1 / dt);
  const delay = Math.round(tau / dt);
  const burnIn = 500 * perUnit;
  const steps = burnIn + length * perUnit;
  const rng = new Rng(seed);
  const x = new Float64Array(steps + delay + 1);
  for (let i = 0; i <= delay; i++) x[i] = 1.2 + 0.01 * rng.normal();
  for (let i = delay; i < steps + delay; i++) {
    const lagged = x[i - delay];
    x[i + 1] = x[i] + dt * ((0.2 * lagged) / (1 + lagged ** 10) - 0.1 * x[i]);
  }
  const out = new Float32Array(length);
  for (let t = 0; t < length; t++) out[t] = x[delay + burnIn + t * perUnit];
  return out;
}

/** Windows of `window` past values (n × window) and the value that follows each (n). */
export function forecastWindows(series: Float32Array, window: number): { x: Float32Array; y: Float32Array; n: number } {
  const n = series.length - window;
  if (n <= 0) throw new Error(`the series (${series.length} points) is shorter than the window (${window})`);
  const x = new Float32Array(n * window);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    x.set(series.subarray(i, i + window), i * window);
    y[i] = series[i + window];
  }
  return { x, y, n };
}
