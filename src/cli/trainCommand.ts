// `train`: the app's Trainer, run in Node, each run written to a run file the app imports.
import { activateBackend } from '../engine/backend';
import { Trainer } from '../engine/trainer';
import type { EpochMetrics, RunStatus, TestResult, TrainingCheckpoint } from '../engine/types';
import type { DatasetFiles } from '../data/dataset';
import type { PortableRun } from '../export/runFile';
import type { RunPhase } from '../export/runRecord';
import { runDescription, type ExperimentSpec } from '../experiment';
import type { CliBackend } from './args';
import { Progress, type Output } from './progress';

export interface TrainedRun extends PortableRun {
  status: RunStatus;
}

/** Ctrl-C: the run training now stops after its batch (and is kept as stopped); no later run starts. */
const interruption = { requested: false, stopCurrent: null as (() => void) | null };

export function interrupt(): void {
  interruption.requested = true;
  interruption.stopCurrent?.();
}

export const interrupted = () => interruption.requested;

/** A fresh command starts uninterrupted (tests run several in one process). */
export function clearInterruption(): void {
  interruption.requested = false;
}

/** The run's name as the app would give it ("CLI" for the run number), with its seed. */
function runName(spec: ExperimentSpec, given: string | null): string {
  return `${given ?? `CLI · ${runDescription(spec)}`} · seed ${spec.seed}`;
}

/** Train one spec to its end on `backend`; the run, its final checkpoint (to continue or inspect) and how it ended. */
export async function trainOne(
  spec: ExperimentSpec,
  options: { id: number; name: string | null; backend: CliBackend; files: DatasetFiles; out: Output },
): Promise<TrainedRun> {
  const report = await activateBackend(options.backend);
  if (report.active !== options.backend)
    throw new Error(`the ${options.backend} backend is not available here (${report.fallbacks.join('; ')})`);
  const name = runName(spec, options.name);
  const progress = new Progress(options.out, name, spec.training.epochs);
  const epochs: EpochMetrics[] = [];
  let checkpoint: TrainingCheckpoint | null = null;
  let test: TestResult | null = null;
  let message: string | null = null;
  const trainer = new Trainer(
    spec,
    {
      onProgress: (epoch, batch, batches) => progress.batch(epoch, batch, batches),
      onEpoch: (m) => {
        epochs.push(m);
        progress.epoch(m);
      },
      onCheckpoint: (cp) => (checkpoint = cp),
      onTest: (t) => (test = t),
      onStatus: (_s, m) => (message = m ?? message),
    },
    { files: options.files },
  );
  interruption.stopCurrent = () => trainer.stop();
  const status = await trainer.run().finally(() => (interruption.stopCurrent = null));
  progress.end(status, message ?? undefined);
  if (test) options.out.write(`${name} test: ${formatTest(test)}\n`);
  const phase: RunPhase = status === 'preparing' || status === 'running' || status === 'paused' ? 'failed' : status;
  return {
    status,
    checkpoint,
    run: {
      id: options.id,
      name,
      color: '#1f77b4',
      spec,
      phase,
      message,
      backend: report,
      epochs,
      views: {},
      samples: [],
      visible: true,
      model: null,
      test,
    },
  };
}

function formatTest(t: TestResult): string {
  const parts = [`loss ${t.loss.toFixed(4)} on ${t.examples} examples`];
  if (t.accuracy !== null) parts.push(`accuracy ${(100 * t.accuracy).toFixed(1)}%`);
  if (t.exactMatch !== null) parts.push(`exact ${(100 * t.exactMatch).toFixed(1)}%`);
  return parts.join(' · ');
}
