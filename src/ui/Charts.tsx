import { memo } from 'react';
import type { EpochMetrics } from '../engine/types';
import type { Run } from '../state/runStore';
import { useViewStore, type XAxisKind } from '../state/viewStore';
import { meanAndBand, seedGroups, type SeedBand } from '../state/seedGroups';
import {
  DATASET_LABELS,
  exampleCounts,
  isClassification,
  isText,
  isTokens,
  isToy,
  modelName,
  textUnit,
  type DatasetKind,
} from '../experiment';
import { SERIES } from './colors';
import { MetricChart, type Point, type Series } from './MetricChart';
import { formatPerplexity } from './format';

export const X_AXIS_LABELS: Record<XAxisKind, string> = {
  epoch: 'epoch',
  step: 'step',
  time: 'wall time (s)',
  flops: 'GFLOP done',
};

function xOf(e: EpochMetrics, axis: XAxisKind): number {
  switch (axis) {
    case 'epoch':
      return e.epoch;
    case 'step':
      return e.step;
    case 'time':
      return e.cumulativeMs / 1000;
    case 'flops':
      return e.cumulativeGflop;
  }
}

/** TensorBoard-style smoothing: an exponential moving average, debiased at the start. */
export function smooth(points: Point[], weight: number): Point[] {
  if (weight <= 0) return points;
  let avg = 0;
  return points.map((p, i) => {
    avg = avg * weight + (1 - weight) * p.y;
    return { x: p.x, y: avg / (1 - weight ** (i + 1)) };
  });
}

/** The most batch-loss points the loss chart computes (it draws a few hundred of them). */
const BATCH_POINTS = 4000;

/**
 * Every batch's loss placed between its epoch's neighbours on the x-axis (epoch or step), then
 * those of the epoch in progress that Live mode sent before it ended.
 */
export function batchPoints(epochs: EpochMetrics[], axis: XAxisKind, progress: Run['progress'] = null): Point[] {
  // A long run of many batches (5,000 epochs × 800) would make millions of points on every
  // redraw for a line drawn with a few hundred: past BATCH_POINTS in all, each epoch's batches
  // are averaged in equal groups.
  const total = epochs.reduce((sum, e) => sum + e.batchLosses.length, 0);
  const perEpoch = total > BATCH_POINTS ? Math.max(1, Math.floor(BATCH_POINTS / Math.max(1, epochs.length))) : Infinity;
  const done = epochs.flatMap((e) => {
    const n = e.batchLosses.length;
    const groups = Math.min(n, perEpoch);
    return Array.from({ length: groups }, (_, g) => {
      const [from, to] = [Math.floor((g * n) / groups), Math.floor(((g + 1) * n) / groups)];
      let sum = 0;
      for (let i = from; i < to; i++) sum += e.batchLosses[i];
      return { x: axis === 'step' ? e.step - n + to : e.epoch - 1 + to / n, y: sum / (to - from) };
    });
  });
  const last = epochs.at(-1);
  if (!progress || progress.epoch <= (last?.epoch ?? 0)) return done;
  const stepsBefore = last?.step ?? 0;
  const partial = progress.losses.map((y, i) => ({
    x: axis === 'step' ? stepsBefore + i + 1 : progress.epoch - 1 + (i + 1) / progress.batches,
    y,
  }));
  return [...done, ...partial];
}

interface Metric {
  label: string;
  pick: (e: EpochMetrics) => number | null;
  dashed?: boolean;
}

/** One run's figure at each epoch. */
function runPoints(run: Run, m: Metric, axis: XAxisKind): Point[] {
  return run.epochs.flatMap((e) => {
    const y = m.pick(e);
    return y === null ? [] : [{ x: xOf(e, axis), y }];
  });
}

/**
 * A group of seeds' figure at each epoch: the mean, with the band, over the runs that reached it
 * (placed at the mean of their x: wall time and FLOPs differ a little from seed to seed).
 */
function groupPoints(group: Run[], m: Metric, axis: XAxisKind, band: Exclude<SeedBand, 'off'>): Point[] {
  const longest = Math.max(...group.map((r) => r.epochs.length));
  return Array.from({ length: longest }, (_, k) => {
    const reached = group.flatMap((r) => {
      const e = r.epochs[k];
      const y = e ? m.pick(e) : null;
      return e && y !== null ? [{ x: xOf(e, axis), y }] : [];
    });
    if (!reached.length) return [];
    const x = reached.reduce((s, p) => s + p.x, 0) / reached.length;
    return [
      {
        x,
        ...meanAndBand(
          reached.map((p) => p.y),
          band,
        ),
      },
    ];
  }).flat();
}

/** smooth() of the mean and of each edge of the band. */
function smoothBand(points: Point[], weight: number): Point[] {
  if (weight <= 0 || points[0]?.low === undefined) return smooth(points, weight);
  const edge = (pick: (p: Point) => number) =>
    smooth(
      points.map((p) => ({ x: p.x, y: pick(p) })),
      weight,
    );
  const [y, low, high] = [edge((p) => p.y), edge((p) => p.low!), edge((p) => p.high!)];
  return points.map((p, i) => ({ x: p.x, y: y[i].y, low: low[i].y, high: high[i].y }));
}

/**
 * What a run's label adds when the runs drawn together differ in their data or model (shown on
 * request, see comparable.tsx): " · XOR (classification) · LSTM", or nothing.
 */
function dataAndModelApart(runs: Run[]): (run: Run) => string {
  const data = new Set(runs.map((r) => r.spec.dataset.kind)).size > 1;
  const models = new Set(runs.map((r) => modelName(r.spec.model))).size > 1;
  return (run) =>
    `${data ? ` · ${DATASET_LABELS[run.spec.dataset.kind]}` : ''}${models ? ` · ${modelName(run.spec.model)}` : ''}`;
}

/** A line per run and metric; runs that differ only in their seed as one mean line with a band, unless `band` is off. */
function seriesFor(runs: Run[], metrics: Metric[], axis: XAxisKind, smoothing: number, band: SeedBand): Series[] {
  const groups = band === 'off' ? runs.map((r) => [r]) : seedGroups(runs);
  const alone = groups.length === 1;
  const apart = dataAndModelApart(runs);
  return groups.flatMap((group) =>
    metrics.map((m, i) => {
      const run = group[0];
      const seeds = group.length > 1 ? ` (mean of ${group.length} seeds)` : '';
      const points = band !== 'off' && group.length > 1 ? groupPoints(group, m, axis, band) : runPoints(run, m, axis);
      return {
        name: alone
          ? `${m.label}${seeds}`
          : `${run.name}${apart(run)}${group.length > 1 ? ` … ×${group.length}` : ''} ${m.label}`.trim(),
        id: `${run.id} ${m.label}`,
        color: alone ? [SERIES.train, SERIES.validation, SERIES.other, SERIES.more][i] : run.color,
        dashed: !alone && m.dashed,
        points: smoothBand(points, smoothing),
      };
    }),
  );
}

/** The status of every run drawn: when it changes, the charts catch up at once. */
function statusKey(runs: Run[]): string {
  return runs.map((r) => `${r.id}:${r.phase}`).join(',');
}

/** A language model's validation loss per byte of text, comparable across tokenizers ('' where not measured). */
const bitsPerByte = (e: EpochMetrics) => (e.valBitsPerByte ? ` · ${e.valBitsPerByte.toFixed(3)} bits/byte` : '');

/** Big training sets are evaluated on a fixed subset each epoch: say so beside the figure. */
function trainSubset(run: Run, e: EpochMetrics): string {
  const n = exampleCounts(run.spec.dataset).train;
  return e.trainEvaluated !== undefined && e.trainEvaluated < n
    ? ` (on ${e.trainEvaluated.toLocaleString('en-US')} examples)`
    : '';
}

/** The loss the runs on the chart share; an MLP classifier may use the squared error of its probabilities. */
function lossTitle(kind: DatasetKind, classification: boolean, runs: Run[]): string {
  if (isText(kind))
    return `Loss (nats per ${runs[0] && textUnit(runs[0].spec.dataset) === 'token' ? 'token' : 'character'})`;
  if (isToy(kind)) return 'Loss (cross-entropy on answer tokens)';
  if (!classification) return 'Loss (mean squared error)';
  const squared = runs.map((r) => r.spec.model.kind === 'mlp' && r.spec.model.classificationLoss === 'mse');
  if (squared.length && squared.every(Boolean)) return 'Loss (squared error of the probabilities)';
  return squared.some(Boolean) ? 'Loss (cross-entropy, or squared error where a run uses it)' : 'Loss (cross-entropy)';
}

/** Accuracy and exact match are shares: their axis never reads past 1 or below 0. */
const UNIT_RANGE = [0, 1] as const;

/** Memoised: the page hands it a deferred copy of the runs, so redrawing never holds up input. */
export const TrainingCharts = memo(function TrainingCharts({ runs, kind }: { runs: Run[]; kind: DatasetKind }) {
  // A table's task shows in its runs' figures: accuracy is null for regression.
  const classification =
    isClassification(kind) ||
    isTokens(kind) ||
    (kind === 'userTable' && !runs.some((r) => r.epochs.at(-1)?.valAccuracy === null));
  const toy = isToy(kind);
  const { xAxis, smoothing, logScale, seedBand } = useViewStore();
  const single = runs.length === 1 ? runs[0] : null;
  const last = single?.epochs.at(-1);
  const urgentKey = statusKey(runs);
  // A run that blew up before its first epoch ended has no point to draw: say so, not "press Train".
  const emptyText =
    single && single.epochs.length === 0 && (single.phase === 'diverged' || single.phase === 'exploded')
      ? `${single.name} diverged in epoch 1, before any epoch finished: there is no curve to draw.`
      : undefined;
  const batch: Series[] =
    single && (xAxis === 'epoch' || xAxis === 'step')
      ? [
          {
            name: 'batch',
            color: SERIES.batch,
            points: smooth(batchPoints(single.epochs, xAxis, single.progress), smoothing),
            thin: true,
          },
        ]
      : [];
  return (
    <div className="charts">
      <MetricChart
        title={lossTitle(kind, classification, runs)}
        testId="loss-chart"
        urgentKey={urgentKey}
        emptyText={emptyText}
        xLabel={X_AXIS_LABELS[xAxis]}
        xFromZero={batch.length > 0 || xAxis !== 'epoch'}
        logScale={logScale}
        latest={
          !last && single?.progress?.losses.length
            ? `epoch ${single.progress.epoch} so far: batch loss ${single.progress.losses.at(-1)!.toFixed(4)}`
            : last
              ? `train ${last.trainLoss.toFixed(4)}${trainSubset(single!, last)} · val ${last.valLoss.toFixed(4)}${isText(kind) ? ` · ppl ${formatPerplexity(last.valLoss)}${bitsPerByte(last)}` : ''}`
              : undefined
        }
        series={[
          ...batch,
          ...seriesFor(
            runs,
            [
              { label: 'train', pick: (e) => e.trainLoss },
              { label: 'validation', pick: (e) => e.valLoss, dashed: true },
            ],
            xAxis,
            smoothing,
            seedBand,
          ),
        ]}
      />
      {classification ? (
        <MetricChart
          title={
            isTokens(kind) ? (toy ? 'Accuracy (answer tokens) and exact match' : 'Next-character accuracy') : 'Accuracy'
          }
          testId="accuracy-chart"
          yRange={UNIT_RANGE}
          xLabel={X_AXIS_LABELS[xAxis]}
          urgentKey={urgentKey}
          emptyText={emptyText}
          latest={
            last?.valAccuracy != null
              ? `val ${(last.valAccuracy * 100).toFixed(1)}%${last.valExactMatch != null ? ` · exact ${(last.valExactMatch * 100).toFixed(1)}%` : ''}`
              : undefined
          }
          series={seriesFor(
            runs,
            [
              { label: 'train', pick: (e) => e.trainAccuracy },
              { label: 'validation', pick: (e) => e.valAccuracy, dashed: true },
              ...(toy ? [{ label: 'exact match', pick: (e: EpochMetrics) => e.valExactMatch ?? null }] : []),
            ],
            xAxis,
            smoothing,
            seedBand,
          )}
        />
      ) : (
        <div className="chart chart-empty" data-testid="accuracy-chart">
          Accuracy applies to classification; this dataset is a regression or forecasting task, judged by its loss
          (MSE).
        </div>
      )}
    </div>
  );
});

/**
 * The first epoch apart (it includes shader compilation and warm-up), then the median of the rest;
 * on webgpu, how many dispatches a training step took where it ran as our compiled step.
 */
function epochTimes(epochs: EpochMetrics[], backend: string | undefined): string {
  const on = backend ? `on ${backend}: ` : '';
  const first = `first ${epochs[0].ms.toFixed(0)} ms (with warm-up)`;
  const dispatches = epochs.at(-1)!.compiledDispatchesPerStep;
  const compiled = dispatches ? ` · compiled training step: ${dispatches} GPU dispatches` : '';
  if (epochs.length === 1) return `${on}${first}${compiled}`;
  const later = epochs
    .slice(1)
    .map((e) => e.ms)
    .sort((a, b) => a - b);
  return `${on}${first} · later median ${later[Math.floor(later.length / 2)].toFixed(1)} ms${compiled}`;
}

function kb(bytes: number | null): string {
  return bytes === null ? '—' : `${(bytes / 1024).toFixed(1)} KB`;
}

/** ms per epoch, examples/s, GFLOP per epoch and achieved GFLOP/s, and tensor memory. */
export const CostCharts = memo(function CostCharts({ runs }: { runs: Run[] }) {
  const { xAxis, logScale, seedBand } = useViewStore();
  const single = runs.length === 1 ? runs[0] : null;
  const last = single?.epochs.at(-1);
  const backend = single?.backend?.active;
  const urgentKey = statusKey(runs);
  const chart = (title: string, metrics: Metric[], latest?: string) => (
    <MetricChart
      title={title}
      xLabel={X_AXIS_LABELS[xAxis]}
      logScale={logScale}
      latest={latest}
      urgentKey={urgentKey}
      series={seriesFor(runs, metrics, xAxis, 0, seedBand)}
    />
  );
  return (
    <div className="charts cost" data-testid="cost-charts">
      {chart(
        'Time per epoch (ms)',
        [{ label: 'ms / epoch', pick: (e) => e.ms }],
        last && single ? epochTimes(single.epochs, backend) : undefined,
      )}
      {chart(
        'Examples per second',
        [{ label: 'examples/s', pick: (e) => e.examplesPerSec }],
        last ? `${Math.round(last.examplesPerSec).toLocaleString('en-US')} /s` : undefined,
      )}
      {chart(
        'Compute: GFLOP per epoch and achieved GFLOP/s',
        [
          { label: 'GFLOP / epoch', pick: (e) => e.gflop },
          { label: 'GFLOP/s', pick: (e) => e.gflopPerSec, dashed: true },
        ],
        last ? `${last.gflop.toPrecision(3)} GFLOP · ${last.gflopPerSec.toPrecision(3)} GFLOP/s` : undefined,
      )}
      {chart(
        'Tensor memory (KB)',
        [
          { label: 'tensors (KB)', pick: (e) => e.tensorBytes / 1024 },
          {
            label: 'GPU allocated (KB)',
            pick: (e) => (e.gpuBytesAllocated === null ? null : e.gpuBytesAllocated / 1024),
            dashed: true,
          },
        ],
        last
          ? `${kb(last.tensorBytes)} in ${last.numTensors} tensors${last.gpuBytesAllocated !== null ? ` · GPU allocated ${kb(last.gpuBytesAllocated)}` : ''}`
          : undefined,
      )}
    </div>
  );
});
