import type { ForecastSnapshot } from '../../engine/types';

const W = 360;
const H = 180;

/** Validation windows in time order: the true next value against the one-step forecast. */
export function ForecastView({ forecast }: { forecast: ForecastSnapshot | undefined }) {
  if (!forecast) return <p className="muted">Train to see the forecast against the held-out end of the series.</p>;
  const { truth, predicted } = forecast;
  const all = [...truth, ...predicted].filter(Number.isFinite);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const x = (i: number) => (i / Math.max(1, truth.length - 1)) * (W - 8) + 4;
  const y = (v: number) => H - 6 - ((v - lo) / (hi - lo || 1)) * (H - 12);
  const path = (values: number[]) =>
    values.map((v, i) => `${i ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join('');
  const mae = truth.reduce((s, t, i) => s + Math.abs(t - predicted[i]), 0) / truth.length;
  return (
    <figure className="forecast" data-testid="forecast">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Forecast against truth on validation windows">
        <path d={path(truth)} fill="none" stroke="#999" strokeWidth={2} />
        <path d={path(predicted)} fill="none" stroke="#0877bd" strokeWidth={1.4} />
      </svg>
      <figcaption>
        <span className="swatch" style={{ background: '#999' }} /> truth{' '}
        <span className="swatch" style={{ background: '#0877bd' }} /> one-step forecast · first {truth.length}{' '}
        validation steps · mean absolute error {mae.toPrecision(3)} (series units), range {lo.toFixed(2)}…
        {hi.toFixed(2)}
      </figcaption>
    </figure>
  );
}
