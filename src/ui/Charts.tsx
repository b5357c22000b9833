import type { EpochMetrics } from '../engine/types';
import { SERIES } from './colors';
import { MetricChart, type Point } from './MetricChart';

const series = (epochs: EpochMetrics[], pick: (e: EpochMetrics) => number | null): Point[] =>
  epochs.flatMap((e) => {
    const y = pick(e);
    return y === null ? [] : [{ x: e.epoch, y }];
  });

/** Every batch's loss placed at its fraction of the epoch, e.g. batch 5 of 25 in epoch 3 at 2.2. */
function batchPoints(epochs: EpochMetrics[]): Point[] {
  return epochs.flatMap((e) =>
    e.batchLosses.map((y, i) => ({ x: e.epoch - 1 + (i + 1) / e.batchLosses.length, y })),
  );
}

function kb(bytes: number | null): string {
  return bytes === null ? '—' : `${(bytes / 1024).toFixed(1)} KB`;
}

export function TrainingCharts({ epochs, classification }: { epochs: EpochMetrics[]; classification: boolean }) {
  const last = epochs.at(-1);
  return (
    <div className="charts">
      <MetricChart title={classification ? 'Loss (cross-entropy)' : 'Loss (mean squared error)'} testId="loss-chart" xFromZero
        latest={last ? `train ${last.trainLoss.toFixed(4)} · val ${last.valLoss.toFixed(4)}` : undefined}
        series={[
          { name: 'batch', color: SERIES.batch, points: batchPoints(epochs), thin: true },
          { name: 'train', color: SERIES.train, points: series(epochs, (e) => e.trainLoss) },
          { name: 'validation', color: SERIES.validation, points: series(epochs, (e) => e.valLoss) },
        ]} />
      {classification ? (
        <MetricChart title="Accuracy" testId="accuracy-chart"
          latest={last?.valAccuracy != null ? `val ${(last.valAccuracy * 100).toFixed(1)}%` : undefined}
          series={[
            { name: 'train', color: SERIES.train, points: series(epochs, (e) => e.trainAccuracy) },
            { name: 'validation', color: SERIES.validation, points: series(epochs, (e) => e.valAccuracy) },
          ]} />
      ) : (
        <div className="chart chart-empty" data-testid="accuracy-chart">Accuracy applies to classification; this dataset is a regression task, judged by its loss (MSE).</div>
      )}
    </div>
  );
}

/** ms per epoch, examples/s, GFLOP per epoch and achieved GFLOP/s, and tensor memory. */
export function CostCharts({ epochs, backend }: { epochs: EpochMetrics[]; backend: string | null }) {
  const last = epochs.at(-1);
  return (
    <div className="charts cost" data-testid="cost-charts">
      <MetricChart title="Time per epoch (ms)" latest={last ? `${last.ms.toFixed(1)} ms${backend ? ` on ${backend}` : ''}` : undefined}
        series={[{ name: 'ms / epoch', color: SERIES.train, points: series(epochs, (e) => e.ms) }]} />
      <MetricChart title="Examples per second" latest={last ? `${Math.round(last.examplesPerSec).toLocaleString('en-US')} /s` : undefined}
        series={[{ name: 'examples/s', color: SERIES.other, points: series(epochs, (e) => e.examplesPerSec) }]} />
      <MetricChart title="Compute: GFLOP per epoch and achieved GFLOP/s"
        latest={last ? `${last.gflop.toPrecision(3)} GFLOP · ${last.gflopPerSec.toPrecision(3)} GFLOP/s` : undefined}
        series={[
          { name: 'GFLOP / epoch', color: SERIES.more, points: series(epochs, (e) => e.gflop) },
          { name: 'GFLOP/s', color: SERIES.validation, points: series(epochs, (e) => e.gflopPerSec) },
        ]} />
      <MetricChart title="Tensor memory (KB)"
        latest={last ? `${kb(last.tensorBytes)} in ${last.numTensors} tensors${last.gpuBytesAllocated !== null ? ` · GPU allocated ${kb(last.gpuBytesAllocated)}` : ''}` : undefined}
        series={[
          { name: 'tensors (KB)', color: SERIES.train, points: series(epochs, (e) => e.tensorBytes / 1024) },
          ...(last?.gpuBytesAllocated != null
            ? [{ name: 'GPU allocated (KB)', color: SERIES.other, points: series(epochs, (e) => (e.gpuBytesAllocated ?? 0) / 1024) }]
            : []),
        ]} />
    </div>
  );
}
