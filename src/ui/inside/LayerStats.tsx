import { memo, useState } from 'react';
import type { EpochMetrics, Inspection } from '../../engine/types';
import { MetricChart } from '../MetricChart';
import { CATEGORY_COLORS } from '../../state/palette';

/** Per-layer norms per epoch: vanishing gradients sink, exploding ones climb (log scale). */
export const NormCharts = memo(function NormCharts({ epochs }: { epochs: EpochMetrics[] }) {
  const names = epochs[0]?.layers.map((l) => l.name) ?? [];
  const series = (pick: (l: EpochMetrics['layers'][number]) => number) =>
    names.map((name, i) => ({
      name,
      color: CATEGORY_COLORS[i % CATEGORY_COLORS.length],
      points: epochs.map((e) => ({ x: e.epoch, y: pick(e.layers[i]) })),
    }));
  return (
    <div className="charts">
      <MetricChart
        title="Gradient norm per layer (last batch of each epoch)"
        logScale
        testId="grad-norm-chart"
        series={series((l) => l.gradNorm)}
      />
      <MetricChart title="Weight norm per layer" series={series((l) => l.weightNorm)} />
    </div>
  );
});

function histogram(values: ArrayLike<number>, bins: number): { lo: number; hi: number; counts: number[] } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i]);
    hi = Math.max(hi, values[i]);
  }
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++)
    counts[Math.min(bins - 1, Math.floor(((values[i] - lo) / (hi - lo)) * bins))]++;
  return { lo, hi, counts };
}

function Histogram({ title, values, color }: { title: string; values: ArrayLike<number> | null; color: string }) {
  if (!values) return <div className="histogram muted small">{title}: after the first step</div>;
  const { lo, hi, counts } = histogram(values, 24);
  const max = Math.max(...counts);
  return (
    <figure className="histogram">
      <svg viewBox="0 0 240 70" role="img" aria-label={title}>
        {counts.map((c, i) => (
          <rect key={i} x={i * 10} y={60 - (c / max) * 56} width={9} height={(c / max) * 56} fill={color} />
        ))}
        <text x={0} y={69} fontSize={8} fill="#555">
          {lo.toPrecision(2)}
        </text>
        <text x={240} y={69} fontSize={8} fill="#555" textAnchor="end">
          {hi.toPrecision(2)}
        </text>
      </svg>
      <figcaption className="small">
        {title} ({values.length})
      </figcaption>
    </figure>
  );
}

/** Histograms of one layer's weights and last-batch gradients. */
export const LayerHistograms = memo(function LayerHistograms({ inspection }: { inspection: Inspection }) {
  const [l, setL] = useState(0);
  const layer = inspection.layers[Math.min(l, inspection.layers.length - 1)];
  return (
    <div>
      <label className="small">
        Layer{' '}
        <select name="histogram-layer" value={l} onChange={(e) => setL(Number(e.target.value))}>
          {inspection.layers.map((x, i) => (
            <option key={i} value={i}>
              {x.name}
            </option>
          ))}
        </select>
      </label>
      <div className="histograms">
        <Histogram title={`${layer.name} weights`} values={layer.weights} color="#0877bd" />
        <Histogram title={`${layer.name} gradients`} values={layer.weightGrad} color="#d62728" />
      </div>
    </div>
  );
});
