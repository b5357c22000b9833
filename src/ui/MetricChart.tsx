import { memo, useLayoutEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { useQueuedValue } from './frameQueue';
import { CartesianGrid, Legend, Line, LineChart, Tooltip, XAxis, YAxis } from 'recharts';

export interface Point {
  x: number;
  y: number;
}

export interface Series {
  name: string;
  color: string;
  points: Point[];
  thin?: boolean;
  dashed?: boolean;
}

/** Display at most this many points per series; long runs are down-sampled, the last point kept. */
export const MAX_POINTS = 250;

export function downsample(points: Point[], max = MAX_POINTS): Point[] {
  if (points.length <= max) return points;
  const stride = points.length / max;
  const out: Point[] = [];
  for (let i = 0; i < max - 1; i++) out.push(points[Math.floor(i * stride)]);
  out.push(points[points.length - 1]);
  return out;
}

/**
 * One row per x value with a column per series (s0, s1, …), the shape recharts' tooltip needs to
 * list every series under the pointer. Series whose x values differ (wall time, FLOPs) leave
 * gaps in each other's rows; their lines bridge them.
 */
export function mergeSeries(series: Series[], logScale: boolean): Record<string, number>[] {
  const rows = new Map<number, Record<string, number>>();
  series.forEach((s, i) => {
    const points = downsample(logScale ? s.points.filter((p) => p.y > 0) : s.points);
    for (const p of points) {
      let row = rows.get(p.x);
      if (!row) rows.set(p.x, (row = { x: p.x }));
      row[`s${i}`] = p.y;
    }
  });
  return [...rows.values()].sort((a, b) => a.x - b.x);
}

function formatTick(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 0.01 || a >= 1e5)) return v.toExponential(1);
  return Number(v.toPrecision(3)).toString();
}

/** One small line chart of per-epoch figures; every chart in the app is one of these. */
export function MetricChart({ title, series, xLabel = 'epoch', xFromZero = false, logScale = false, latest, testId }: {
  title: string;
  series: Series[];
  xLabel?: string;
  /** Start the x-axis at 0 (for series placed at fractions of an epoch). */
  xFromZero?: boolean;
  /** Logarithmic y-axis; non-positive values cannot be drawn on it and are left out. */
  logScale?: boolean;
  latest?: string;
  testId?: string;
}) {
  // Each chart takes up new data in a task of its own (see frameQueue.ts).
  const shown = useQueuedValue(series);
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box);
  return (
    <div className="chart" data-testid={testId} ref={box}>
      <div className="chart-head">
        <h3>{title}</h3>
        {latest && <span className="latest">{latest}</span>}
      </div>
      <ChartBody series={shown} width={width} xLabel={xLabel} xFromZero={xFromZero} logScale={logScale} />
    </div>
  );
}

/**
 * The element's content width, measured before the first chart is drawn: so a chart is drawn
 * once at its size (recharts' ResponsiveContainer draws, measures, then draws it all again).
 */
function useWidth(ref: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => {
      const style = getComputedStyle(el);
      setWidth(Math.max(0, Math.floor(el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight))));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

/**
 * The plot, redrawn only when the series it shows (or its axes) change: the page re-renders on
 * every message from the worker, and redrawing every chart each time blocked it for 60–180 ms.
 */
const ChartBody = memo(function ChartBody({ series: all, width, xLabel, xFromZero, logScale }: {
  series: Series[];
  width: number;
  xLabel: string;
  xFromZero: boolean;
  logScale: boolean;
}) {
  // A series with nothing to draw (e.g. GPU memory on the cpu backend) stays out of the legend.
  const series = useMemo(() => all.filter((s) => s.points.length > 0), [all]);
  const data = useMemo(() => mergeSeries(series, logScale), [series, logScale]);
  if (series.length === 0) return <div className="chart-empty">No data yet: press Train.</div>;
  if (width === 0) return <div style={{ height: CHART_HEIGHT }} />;
  return (
    <LineChart width={width} height={CHART_HEIGHT} data={data} margin={{ top: 4, right: 12, bottom: 4, left: 0 }}>
      <CartesianGrid stroke="#eee" vertical={false} />
      <XAxis dataKey="x" type="number" domain={[xFromZero ? 0 : 'dataMin', 'dataMax']} tickFormatter={formatTick}
        fontSize={11} label={{ value: xLabel, position: 'insideBottomRight', offset: -2, fontSize: 11 }} />
      <YAxis type="number" domain={['auto', 'auto']} tickFormatter={formatTick} fontSize={11} width={48}
        scale={logScale ? 'log' : 'auto'} allowDataOverflow={logScale} />
      <Tooltip formatter={(v) => (typeof v === 'number' ? v.toPrecision(4) : String(v))}
        labelFormatter={(x) => `${xLabel} ${typeof x === 'number' ? Number(x.toFixed(2)) : x}`} />
      <Legend wrapperStyle={{ fontSize: 11 }} />
      {series.map((s, i) => (
        <Line key={s.name} name={s.name} dataKey={`s${i}`} connectNulls
          stroke={s.color} strokeWidth={s.thin ? 1 : 2} strokeDasharray={s.dashed ? '5 3' : undefined}
          dot={false} isAnimationActive={false} />
      ))}
    </LineChart>
  );
});

const CHART_HEIGHT = 170;
