import { memo, useLayoutEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { Area, CartesianGrid, ComposedChart, Line, Tooltip, XAxis, YAxis } from 'recharts';
import { useQueuedValue } from './frameQueue';
import { downloadChartPng, downloadChartSvg } from './imageExport';
import { formatValue, niceTicks, tickFormatter } from './ticks';
import { lttb } from './lttb';

export interface Point {
  x: number;
  y: number;
  /** A band around y (a group of seeds' spread), drawn shaded. */
  low?: number;
  high?: number;
}

export interface Series {
  name: string;
  /** Unique among a chart's series (two runs may share a name, e.g. one imported twice); the name when absent. */
  id?: string;
  color: string;
  points: Point[];
  thin?: boolean;
  dashed?: boolean;
}

/** Display at most this many points per series; long runs are down-sampled, their shape and last point kept. */
export const MAX_POINTS = 250;

const CHART_HEIGHT = 150;
/** The most legend entries drawn under a plot. */
const LEGEND_MAX = 8;

/** What a series draws: at most MAX_POINTS, its shape kept (see lttb.ts). */
export function downsample(points: Point[], max = MAX_POINTS): Point[] {
  return lttb(points, max);
}

/**
 * One row per x value with a column per series (s0, s1, …), the shape recharts' tooltip needs to
 * list every series under the pointer. Series whose x values differ (wall time, FLOPs) leave
 * gaps in each other's rows; their lines bridge them.
 */
export function mergeSeries(series: Series[], logScale: boolean): Record<string, number | number[]>[] {
  const rows = new Map<number, { x: number } & Record<string, number | number[]>>();
  series.forEach((s, i) => {
    const points = downsample(logScale ? s.points.filter((p) => p.y > 0) : s.points);
    for (const p of points) {
      let row = rows.get(p.x);
      if (!row) rows.set(p.x, (row = { x: p.x } as { x: number } & Record<string, number | number[]>));
      row[`s${i}`] = p.y;
      // On a log scale a band reaching 0 or below is cut where the axis can draw it.
      if (p.low !== undefined && p.high !== undefined)
        row[`b${i}`] = [logScale ? Math.max(p.low, p.y / 1e3) : p.low, p.high];
    }
  });
  return [...rows.values()].sort((a, b) => a.x - b.x);
}

interface Axis {
  domain: [number, number];
  ticks: number[];
  format: (v: number) => string;
}

/**
 * Round ticks for both axes: x over the data (whole numbers on epoch and step axes), y widened to
 * round values and kept within `yRange` (accuracy never reads 1.2). A log y-axis is left to recharts.
 */
function axesFor(
  data: Record<string, number | number[]>[],
  opts: {
    xFromZero: boolean;
    integerX: boolean;
    yRange?: readonly [number, number];
    logScale: boolean;
    width: number;
  },
): { x: Axis; y: Axis | null } {
  const xs = data.map((r) => r.x as number);
  const ys = data.flatMap((r) =>
    Object.entries(r).flatMap(([k, v]) => (k === 'x' ? [] : typeof v === 'number' ? [v] : v)),
  );
  const count = opts.width > 360 ? 6 : 4;
  const xLo = opts.xFromZero ? 0 : Math.min(...xs);
  // On epoch and step axes the axis runs to the whole epoch a partial one (batch losses so far) is in.
  const xHi = opts.integerX ? Math.ceil(Math.max(...xs)) : Math.max(...xs);
  const x = xs.length ? niceTicks(xLo, xHi, count, opts.integerX).filter((t) => t >= xLo && t <= xHi) : [];
  const xAxis: Axis = {
    domain: xs.length ? [xLo, xHi] : [0, 1],
    ticks: x,
    format: tickFormatter(x.length > 1 ? x[1] - x[0] : 1),
  };
  if (opts.logScale || ys.length === 0) return { x: xAxis, y: null };
  let lo = Math.min(...ys);
  let hi = Math.max(...ys);
  if (opts.yRange) [lo, hi] = [Math.max(opts.yRange[0], lo), Math.min(opts.yRange[1], hi)];
  const y = niceTicks(lo, hi, 5).filter((t) => !opts.yRange || (t >= opts.yRange[0] && t <= opts.yRange[1]));
  return {
    x: xAxis,
    y: { domain: [Math.min(y[0], lo), Math.max(y.at(-1)!, hi)], ticks: y, format: tickFormatter(y[1] - y[0]) },
  };
}

/** One small line chart of per-epoch figures; every chart in the app is one of these. */
export function MetricChart({
  title,
  series,
  xLabel = 'epoch',
  xFromZero = false,
  logScale = false,
  latest,
  testId,
  urgentKey,
  emptyText,
  yRange,
}: {
  title: string;
  series: Series[];
  /** The values the y-axis may span (accuracy: [0, 1]). */
  yRange?: readonly [number, number];
  /** What an empty chart says (default: press Train). */
  emptyText?: string;
  /** Changes when the runs drawn change status: the chart then redraws at once (see useQueuedValue). */
  urgentKey?: string;
  xLabel?: string;
  /** Start the x-axis at 0 (for series placed at fractions of an epoch). */
  xFromZero?: boolean;
  /** Logarithmic y-axis; non-positive values cannot be drawn on it and are left out. */
  logScale?: boolean;
  latest?: string;
  testId?: string;
}) {
  // The empty plot mounts in a task of its own, then takes up data in later ones (see frameQueue.ts):
  // so a page that shows many charts at once, or a panel that opens mid-run, never draws them all in one go.
  const mounted = useQueuedValue(true, false);
  const shown = useQueuedValue(mounted ? series : NO_SERIES, NO_SERIES, urgentKey);
  // A series with nothing to draw (e.g. GPU memory on the cpu backend) stays off the plot and the legend.
  const drawn = useMemo(() => shown.filter(hasPoints), [shown]);
  const hasData = series.some(hasPoints);
  const box = useRef<HTMLDivElement>(null);
  const width = useWidth(box);
  return (
    <div className="chart" data-testid={testId} ref={box}>
      <div className="chart-head">
        <h3>{title}</h3>
        {latest && <span className="latest">{latest}</span>}
        {hasData && (
          <span className="chart-downloads">
            <button
              type="button"
              aria-label={`Download ${title} as PNG`}
              onClick={() => box.current && downloadChartPng(box.current, title)}
            >
              PNG
            </button>
            <button
              type="button"
              aria-label={`Download ${title} as SVG`}
              onClick={() => box.current && downloadChartSvg(box.current, title)}
            >
              SVG
            </button>
          </span>
        )}
      </div>
      <div className="chart-plot" style={{ height: CHART_HEIGHT }}>
        {mounted && width > 0 && (
          <ChartBody
            series={drawn}
            width={width}
            xLabel={xLabel}
            xFromZero={xFromZero}
            logScale={logScale}
            yRange={yRange}
          />
        )}
        {!hasData && <div className="chart-waiting">{emptyText ?? 'No data yet: press Train.'}</div>}
      </div>
      <ChartLegend series={drawn} />
    </div>
  );
}

const WARM_UP_SERIES: Series[] = [
  {
    name: 'a',
    color: '#000',
    thin: true,
    points: Array.from({ length: 40 }, (_, i) => ({ x: i / 4, y: 1 / (1 + i) })),
  },
  { name: 'b', color: '#000', points: Array.from({ length: 10 }, (_, i) => ({ x: i + 1, y: 0.5 / (1 + i) })) },
  {
    name: 'c',
    color: '#000',
    dashed: true,
    points: Array.from({ length: 10 }, (_, i) => ({ x: i + 1, y: 0.6 / (1 + i) })),
  },
];

/**
 * An invisible chart drawn once with made-up data soon after the page loads, in the same steps as
 * a real one, then removed. Whichever chart got the first real data otherwise paid for V8
 * compiling and warming up recharts' drawing code: a 60–75 ms task on a slow machine, mid-training.
 */
export function ChartWarmUp() {
  const mounted = useQueuedValue(true, false);
  const shown = useQueuedValue(mounted ? WARM_UP_SERIES : NO_SERIES, NO_SERIES);
  const finished = useQueuedValue(shown === WARM_UP_SERIES, false);
  if (finished) return null;
  return (
    <div className="chart-warm-up" aria-hidden="true">
      {mounted && <ChartBody series={shown} width={300} xLabel="epoch" xFromZero={false} logScale={false} />}
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
      setWidth(
        Math.max(0, Math.floor(el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight))),
      );
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}

const NO_SERIES: Series[] = [];
const hasPoints = (s: Series) => s.points.length > 0;

/**
 * The legend, in HTML beside the plot rather than recharts' <Legend>: that one measures itself
 * after drawing and lays the whole chart out again, which doubled the cost of a chart's first data.
 */
function ChartLegend({ series }: { series: Series[] }) {
  if (series.length === 0) return null;
  // Never taller than its plot: past LEGEND_MAX lines, the rest are named on hover of "+N more".
  const shown = series.length > LEGEND_MAX ? series.slice(0, LEGEND_MAX - 1) : series;
  const rest = series.slice(shown.length);
  return (
    <ul className="chart-legend">
      {shown.map((s) => (
        <li key={s.id ?? s.name}>
          <svg width="18" height="8" aria-hidden="true">
            <line
              x1="0"
              y1="4"
              x2="18"
              y2="4"
              stroke={s.color}
              strokeWidth={s.thin ? 1 : 2}
              strokeDasharray={s.dashed ? '5 3' : undefined}
            />
          </svg>
          {s.name}
        </li>
      ))}
      {rest.length > 0 && (
        <li className="legend-more" title={rest.map((s) => s.name).join('\n')}>
          +{rest.length} more
        </li>
      )}
    </ul>
  );
}

/**
 * The plot, redrawn only when the series it shows (or its axes) change: the page re-renders on
 * every message from the worker, and redrawing every chart each time blocked it for 60–180 ms.
 * It stays mounted while there is nothing to draw, so the first data is an update, not a mount.
 */
const ChartBody = memo(function ChartBody({
  series,
  width,
  xLabel,
  xFromZero,
  logScale,
  yRange,
}: {
  series: Series[];
  width: number;
  xLabel: string;
  xFromZero: boolean;
  logScale: boolean;
  yRange?: readonly [number, number];
}) {
  const data = useMemo(() => mergeSeries(series, logScale), [series, logScale]);
  const axes = useMemo(
    () => axesFor(data, { xFromZero, integerX: xLabel === 'epoch' || xLabel === 'step', yRange, logScale, width }),
    [data, xFromZero, xLabel, yRange, logScale, width],
  );
  return (
    <ComposedChart width={width} height={CHART_HEIGHT} data={data} margin={{ top: 4, right: 12, bottom: 4, left: 0 }}>
      <CartesianGrid stroke="#eee" vertical={false} />
      <XAxis
        dataKey="x"
        type="number"
        domain={axes.x.domain}
        ticks={axes.x.ticks}
        tickFormatter={axes.x.format}
        fontSize={11}
        label={{ value: xLabel, position: 'insideBottomRight', offset: -2, fontSize: 11 }}
      />
      <YAxis
        type="number"
        domain={axes.y?.domain ?? ['auto', 'auto']}
        ticks={axes.y?.ticks}
        tickFormatter={axes.y?.format ?? formatValue}
        fontSize={11}
        width={48}
        scale={logScale ? 'log' : 'auto'}
        allowDataOverflow={logScale}
      />
      <Tooltip
        formatter={(v) => (typeof v === 'number' ? formatValue(v) : String(v))}
        labelFormatter={(x) => `${xLabel} ${typeof x === 'number' ? formatValue(x) : typeof x === 'string' ? x : ''}`}
      />
      {series.map((s, i) =>
        s.points.some((p) => p.low !== undefined) ? (
          <Area
            key={`band ${s.id ?? s.name}`}
            name={`${s.name} (band)`}
            dataKey={`b${i}`}
            connectNulls
            stroke="none"
            fill={s.color}
            fillOpacity={0.18}
            isAnimationActive={false}
            legendType="none"
            tooltipType="none"
          />
        ) : null,
      )}
      {series.map((s, i) => (
        <Line
          key={s.id ?? s.name}
          name={s.name}
          dataKey={`s${i}`}
          connectNulls
          stroke={s.color}
          strokeWidth={s.thin ? 1 : 2}
          strokeDasharray={s.dashed ? '5 3' : undefined}
          dot={false}
          isAnimationActive={false}
        />
      ))}
    </ComposedChart>
  );
});
