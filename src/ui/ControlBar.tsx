import { useShallow } from 'zustand/react/shallow';
import { useEffect } from 'react';
import { executingRun, selectedRun, useRunStore } from '../state/runStore';
import { formatDuration } from '../state/timeEstimate';
import { useSpecStore } from '../state/specStore';
import { BACKEND_CHOICES, BACKEND_LABELS, isSeedCount, SEED_REPEATS } from '../experiment';
import { chooseSpeed, useViewStore } from '../state/viewStore';
import type { RunPhase, Run } from '../state/runStore';
import { WASM_THREADS_MIN_CORES, type BackendMeasurement, type BackendReport } from '../engine/types';
import type { BackendName } from '../experiment';
import { SelectField } from './fields';

/** Every phase a run can be in, and 'idle' when there is no run. */
/** How many seeds Train (and Compare) runs: the same experiment under seed, seed + 1, … */
function SeedsField() {
  const seeds = useViewStore((s) => s.seeds);
  const set = useViewStore((s) => s.set);
  const valid = isSeedCount(seeds);
  return (
    <label className="seeds-field">
      Seeds{' '}
      <input
        name="seeds"
        type="number"
        min={SEED_REPEATS.min}
        max={SEED_REPEATS.max}
        value={Number.isNaN(seeds) ? '' : seeds}
        aria-invalid={!valid}
        aria-describedby={valid ? undefined : 'seeds-error'}
        onChange={(e) => set({ seeds: e.target.value.trim() === '' ? NaN : Number(e.target.value) })}
      />
      {!valid && (
        <span className="field-error" role="alert" id="seeds-error">
          Seeds: must be a whole number from {SEED_REPEATS.min} to {SEED_REPEATS.max}
        </span>
      )}
    </label>
  );
}

export const PHASE_LABELS: Record<RunPhase | 'idle', string> = {
  idle: 'Ready',
  queued: 'Queued',
  preparing: 'Preparing…',
  running: 'Training',
  paused: 'Paused',
  stopped: 'Stopped',
  completed: 'Finished',
  diverged: 'Diverged',
  exploded: 'Loss exploded',
  failed: 'Failed',
  interrupted: 'Interrupted',
};

/** The backends in plain words, for the line that says what a run trains on. */
const BACKEND_WORDS: Record<BackendName, string> = {
  webgpu: 'the GPU (WebGPU)',
  webgl: 'the GPU (WebGL)',
  wasm: 'the CPU (WebAssembly)',
  cpu: 'the CPU (plain JavaScript)',
};

/** Live (every epoch drawn, paced to be watched) or Fast (as fast as the backend goes). */
function SpeedChoice() {
  const speed = useViewStore((s) => s.speed);
  return (
    <fieldset className="speed" aria-label="Speed">
      <legend className="visually-hidden">Speed</legend>
      {(
        [
          ['live', 'Live', 'Every epoch drawn, at a pace you can watch'],
          ['fast', 'Fast', 'As fast as the backend goes; the views redraw twice a second'],
        ] as const
      ).map(([value, label, title]) => (
        <label key={value} title={title} className={speed === value ? 'on' : undefined}>
          <input
            type="radio"
            name="speed"
            value={value}
            checked={speed === value}
            onChange={() => chooseSpeed(value)}
          />
          {label}
        </label>
      ))}
    </fieldset>
  );
}

/** Train / pause / resume / step / stop, the speed, the backend choice, and what is running where. */
export function ControlBar({
  valid,
  errorCount,
  epochsValid,
  onShowErrors,
  awaiting,
  whyNot,
}: {
  valid: boolean;
  /** Fields to fix, not counting the person's own data not given yet (see `awaiting`). */
  errorCount: number;
  epochsValid: boolean;
  /** The person's own data the chosen dataset needs and they have not given yet ("your table"); not an error. */
  awaiting: { what: string; reading?: number; onGive: () => void } | null;
  /** What stops a run while the experiment is not valid (the Train button's hover text). */
  whyNot: string;
  /** Take the person to the first field to fix. */
  onShowErrors: () => void;
}) {
  const spec = useSpecStore((s) => s.spec);
  const update = useSpecStore((s) => s.update);
  const store = useRunStore(
    useShallow((s) => ({
      runs: s.runs,
      selectedId: s.selectedId,
      probeError: s.probeError,
      probeBackend: s.probeBackend,
      start: s.start,
      resume: s.resume,
      resumeRun: s.resumeRun,
      continueRun: s.continueRun,
      skipMeasure: s.skipMeasure,
      pause: s.pause,
      step: s.step,
      stop: s.stop,
    })),
  );
  const exec = executingRun(store);
  const earlierRuns = useViewStore((s) => s.earlierRuns);
  const shown = exec ?? selectedRun(store, earlierRuns);
  const queued = store.runs.filter((r) => r.phase === 'queued').length;
  const phase = shown?.phase ?? 'idle';
  const active = !!exec || queued > 0;
  const { probeBackend } = store;
  // "Auto" starts nothing ahead of a run: it picks when training starts.
  useEffect(() => {
    if (spec.backend !== 'auto') probeBackend(spec.backend);
  }, [spec.backend, probeBackend]);
  const backend = useShownBackend();
  const fallbacks = backend?.fallbacks ?? [];
  const seeds = useViewStore((s) => s.seeds);
  const seedsValid = isSeedCount(seeds);
  // The shown run was cut off (reload, crash) and kept its model: the main button resumes it.
  const resumable = !active && shown?.phase === 'interrupted' && shown.model && !shown.otherTab ? shown : null;
  // A finished run with its model can train on for the experiment's epochs (the schedule spans the new total).
  const continuable =
    !active && shown?.model && !shown.otherTab && ['completed', 'stopped'].includes(shown.phase) ? shown : null;
  const extra = epochsValid ? spec.training.epochs : 0;
  const train = (
    <button
      type="button"
      className={resumable ? undefined : 'primary'}
      disabled={!valid || !seedsValid || exec?.phase === 'preparing'}
      onClick={() => store.start(structuredClone(spec), { seeds })}
      title={
        valid
          ? seeds > 1
            ? `Train ${seeds} runs, seeds ${spec.seed} to ${spec.seed + seeds - 1}, one after another`
            : 'Start a new run from the current settings'
          : whyNot
      }
    >
      {active ? 'Restart' : 'Train'}
      {seeds > 1 && isSeedCount(seeds) ? ` × ${seeds} seeds` : ''}
    </button>
  );
  return (
    <section className="control-bar" aria-label="Training controls">
      <div className="buttons">
        {resumable && (
          <button
            type="button"
            className="primary"
            title={`Go on with ${resumable.name} from epoch ${resumable.model!.epoch}, exactly where it was`}
            onClick={() => void store.resumeRun(resumable.id)}
          >
            Resume
          </button>
        )}
        {train}
        {continuable && extra > 0 && (
          <button
            type="button"
            title={`Train ${continuable.name} for ${extra} more epochs, from where it ended`}
            onClick={() => void store.continueRun(continuable.id, extra)}
          >
            Continue +{extra}
          </button>
        )}
        {exec?.phase === 'paused' ? (
          <button type="button" onClick={store.resume}>
            Resume
          </button>
        ) : (
          <button type="button" disabled={exec?.phase !== 'running'} onClick={store.pause}>
            Pause
          </button>
        )}
        <button
          type="button"
          disabled={exec ? exec.phase === 'preparing' : !valid || active}
          title="Train one batch, then pause"
          onClick={() => (exec ? store.step() : store.start(structuredClone(spec), { stepFirst: true }))}
        >
          Step
        </button>
        <button type="button" disabled={!active} onClick={() => store.stop()}>
          Stop
        </button>
        <SpeedChoice />
        <SeedsField />
      </div>
      <div className="run-status" aria-live="polite">
        <span data-testid="phase" className={`phase phase-${phase}`}>
          {PHASE_LABELS[phase]}
        </span>
        {/* With no run, the epochs typed so far, but only once they are a valid number. */}
        <span data-testid="epoch-count">
          Epoch {shown?.epochs.length ?? 0} /{' '}
          {shown ? shown.spec.training.epochs : epochsValid ? spec.training.epochs : '—'}
        </span>
        {queued > 0 && <span>{queued} more queued</span>}
        {shown?.lastBatch && shown.phase === 'paused' && (
          <span data-testid="batch-report">
            step {shown.lastBatch.step}: batch loss {shown.lastBatch.loss.toFixed(4)}
          </span>
        )}
        {exec?.progress && exec.phase === 'running' && <EpochProgress run={exec} progress={exec.progress} />}
        {exec?.loading && exec.phase === 'preparing' && <DataProgress loading={exec.loading} />}
        {exec?.measuring && (
          <span data-testid="auto-progress">
            Choosing a backend: timing {exec.measuring.backend}…
            {exec.measuring.done
              .filter((m) => m.msPerStep !== null)
              .map((m) => ` ${m.backend} ${msText(m.msPerStep!)}`)
              .join(',')}{' '}
            <button type="button" className="link" onClick={store.skipMeasure}>
              Skip
            </button>
          </span>
        )}
        {awaiting &&
          (awaiting.reading !== undefined ? (
            <span className="awaiting-data">
              Reading {awaiting.what}: {Math.round(awaiting.reading * 100)}%
            </span>
          ) : (
            <button type="button" className="link awaiting-data" onClick={awaiting.onGive}>
              Add {awaiting.what} to train
            </button>
          ))}
        {errorCount > 0 && (
          <button type="button" className="link invalid-count" onClick={onShowErrors}>
            {errorCount} field{errorCount === 1 ? '' : 's'} to fix
          </button>
        )}
        {shown && (
          <span className="run-name" title={shown.name}>
            {shown.name}
          </span>
        )}
      </div>
      <div className="backend">
        <SelectField
          label="Backend"
          path="backend"
          value={spec.backend}
          options={BACKEND_CHOICES.map((b) => ({ value: b, label: BACKEND_LABELS[b] }))}
          onChange={(v) =>
            update((d) => {
              d.backend = v;
            })
          }
        />
        <div className="active-backend" title={backendDetails(backend, fallbacks)}>
          {backend ? (
            <>
              on{' '}
              <strong data-testid="active-backend" data-backend={backend.active}>
                {BACKEND_WORDS[backend.active]}
              </strong>
              {fallbacks.length > 0 && <span className="fallback-mark"> (fell back)</span>}
            </>
          ) : (
            <span className="muted" data-testid="active-backend" data-backend="">
              {spec.backend === 'auto' ? 'picks the fastest when you press Train' : 'starting…'}
            </span>
          )}
          {store.probeError && <div className="fallbacks">{store.probeError}</div>}
        </div>
      </div>
    </section>
  );
}

/** The backend of the run in progress, else of the run shown ("auto"), else the one started ahead. */
function useShownBackend(): BackendReport | null {
  const spec = useSpecStore((s) => s.spec);
  const earlierRuns = useViewStore((s) => s.earlierRuns);
  return useRunStore((s) => {
    const exec = executingRun(s);
    if (exec) return exec.backend;
    const active = s.runs.some((r) => r.phase === 'queued');
    return active || spec.backend === 'auto' ? (selectedRun(s, earlierRuns)?.backend ?? null) : s.probed;
  });
}

/** For the Compute cost tab: what trains where, why, and what "auto" measured. */
export function BackendDetails() {
  const backend = useShownBackend();
  const probeError = useRunStore((s) => s.probeError);
  if (!backend) return null;
  const fallbacks = backend.fallbacks;
  return (
    <div className="backend-details small">
      Trains on {BACKEND_WORDS[backend.active]}, tfjs backend <span className="mono">{backend.active}</span>
      {backend.threads !== undefined && <WasmThreads threads={backend.threads} />}
      {backend.measured && (
        <AutoMeasurement
          measured={backend.measured}
          earlier={backend.measuredEarlier === true}
          skipped={backend.measurementSkipped === true}
        />
      )}
      {fallbacks.length > 0 && (
        <div className="fallbacks" data-testid="backend-fallbacks">
          Fell back: {fallbacks.join('; ')}
        </div>
      )}
      {backend.fastPathsOff && (
        <div className="fallbacks">Plain tf operations only (slower): {backend.fastPathsOff}</div>
      )}
      {probeError && <div className="fallbacks">{probeError}</div>}
    </div>
  );
}

/** How far a long epoch has come: a short text on the status line, and a thin bar along the control bar's edge. */
function EpochProgress({ run, progress: p }: { run: Run; progress: NonNullable<Run['progress']> }) {
  const described = `Epoch ${p.epoch}: batch ${p.batch} of ${p.batches}${timeLeft(run)}`;
  return (
    <>
      <span data-testid="epoch-progress" className="muted" title={described}>
        {Math.floor((100 * p.batch) / p.batches)}%{timeLeft(run, true)}
      </span>
      {/* The same along the bar's lower edge: seen even where the status line is cut short. */}
      <progress className="epoch-bar" max={p.batches} value={p.batch} aria-label={described} title={described} />
    </>
  );
}

/**
 * " · about 12 min left" (short: " · 12 min left"): the run's remaining epochs at the pace of the
 * epoch in progress, once that is long enough to matter.
 */
function timeLeft(run: Run, short = false): string {
  const p = run.progress;
  if (!p || p.batch === 0) return '';
  const perEpoch = (p.ms / p.batch) * p.batches;
  const left = perEpoch * (run.spec.training.epochs - p.epoch + 1) - p.ms;
  return left >= 20_000 ? ` · ${short ? '' : 'about '}${formatDuration(left / 1000)} left` : '';
}

/** Everything about the backend, for the hover text of its line. */
function backendDetails(backend: BackendReport | null, fallbacks: string[]): string {
  if (!backend) return 'Auto times a few training steps of your model on each backend, and trains on the fastest.';
  return [
    `tfjs backend: ${backend.active}`,
    backend.threads !== undefined ? `${backend.threads} thread${backend.threads === 1 ? '' : 's'}` : '',
    fallbacks.length ? `fell back: ${fallbacks.join('; ')}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
}

/** How many threads wasm multiplies on, and why only one where that is so. */
function WasmThreads({ threads }: { threads: number }) {
  const isolated = globalThis.crossOriginIsolated === true;
  const why = !isolated
    ? 'this page is not cross-origin isolated; its server must send the COOP and COEP headers the README lists'
    : navigator.hardwareConcurrency < WASM_THREADS_MIN_CORES
      ? `threads start from ${WASM_THREADS_MIN_CORES} cores: with fewer, one thread of the threaded build is slower than the plain one`
      : null;
  return (
    <span data-testid="wasm-threads">
      {' '}
      · {threads} thread{threads === 1 ? '' : 's'}
      {threads === 1 && why && <span className="muted small"> ({why})</span>}
    </span>
  );
}

const msText = (ms: number) =>
  ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms < 10 ? ms.toFixed(2) : ms.toFixed(0)} ms`;

/** What "auto" measured per training step on each backend, fastest first: why the active one was picked. */
function AutoMeasurement({
  measured,
  earlier,
  skipped,
}: {
  measured: BackendMeasurement[];
  earlier: boolean;
  skipped: boolean;
}) {
  const ranked = [...measured].sort((a, b) => (a.msPerStep ?? Infinity) - (b.msPerStep ?? Infinity));
  return (
    <div className="muted small auto-measured" data-testid="auto-measured">
      Auto measured per step{earlier ? ' (for an earlier run of this model here)' : ''}
      {skipped ? ' (cut short: you skipped)' : ''}:{' '}
      {ranked
        .map((m) =>
          m.msPerStep === null
            ? `${m.backend}: ${m.note ?? 'could not train'}`
            : m.note
              ? `${m.backend} ≈ ${msText(m.msPerStep)} (${m.note})`
              : `${m.backend} ${msText(m.msPerStep)}${m.firstStepMs !== undefined && m.firstStepMs > 2 * m.msPerStep ? ` (first step ${msText(m.firstStepMs)})` : ''}`,
        )
        .join(' · ')}
    </div>
  );
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * A dataset's download (the first time only; the browser keeps the file): a bar and its megabytes. Or a byte-pair
 * tokenizer learning from the text: a bar and its merges.
 */
function DataProgress({ loading }: { loading: NonNullable<Run['loading']> }) {
  const { what, received, total, unit } = loading;
  if (unit === 'tokens') {
    const percent = Math.floor((100 * received) / Math.max(1, total ?? 1));
    return (
      <span data-testid="data-progress" title={`Cutting ${what} into tokens: a big text takes seconds`}>
        Tokenizing <progress value={received} max={total ?? undefined} aria-label="Tokenizing the text" /> {percent}%
      </span>
    );
  }
  if (unit === 'merges') {
    // Short, so the status line keeps it whole; the title says the rest.
    const merged = `${received.toLocaleString('en')} of ${(total ?? 0).toLocaleString('en')} merges made`;
    return (
      <span data-testid="data-progress" title={`Learning the byte pairs of ${what}: ${merged}`}>
        Byte pairs <progress value={received} max={total ?? undefined} aria-label="Learning byte pairs" />{' '}
        {Math.floor((100 * received) / Math.max(1, total ?? 1))}%
      </span>
    );
  }
  const label = `Loading ${what}`;
  return (
    <span data-testid="data-progress">
      {label}: <progress value={received} max={total ?? undefined} aria-label={label} />{' '}
      {total ? `${megabytes(received)} of ${megabytes(total)}` : megabytes(received)}
    </span>
  );
}
