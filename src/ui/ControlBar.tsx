import { useShallow } from 'zustand/react/shallow';
import { useEffect } from 'react';
import { executingRun, selectedRun, useRunStore } from '../state/runStore';
import { useSpecStore } from '../state/specStore';
import { BACKEND_CHOICES, BACKEND_LABELS, isSeedCount, SEED_REPEATS } from '../spec';
import { useViewStore } from '../state/viewStore';
import type { RunPhase } from '../state/runStore';
import { WASM_THREADS_MIN_CORES, type BackendMeasurement } from '../engine/types';
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

/** Train / pause / resume / step / stop, the backend choice, and what is running where. */
export function ControlBar({
  valid,
  errorCount,
  epochsValid,
}: {
  valid: boolean;
  errorCount: number;
  epochsValid: boolean;
}) {
  const spec = useSpecStore((s) => s.spec);
  const update = useSpecStore((s) => s.update);
  const store = useRunStore(
    useShallow((s) => ({
      runs: s.runs,
      selectedId: s.selectedId,
      probed: s.probed,
      probeError: s.probeError,
      probeBackend: s.probeBackend,
      start: s.start,
      resume: s.resume,
      pause: s.pause,
      step: s.step,
      stop: s.stop,
    })),
  );
  const exec = executingRun(store);
  const shown = exec ?? selectedRun(store);
  const queued = store.runs.filter((r) => r.phase === 'queued').length;
  const phase = shown?.phase ?? 'idle';
  const active = !!exec || queued > 0;
  const { probeBackend } = store;
  useEffect(() => probeBackend(spec.backend), [spec.backend, probeBackend]);
  const backend = exec?.backend ?? (active ? null : store.probed);
  const fallbacks = backend?.fallbacks ?? [];
  const seeds = useViewStore((s) => s.seeds);
  const seedsValid = isSeedCount(seeds);
  return (
    <section className="control-bar" aria-label="Training controls">
      <div className="buttons">
        <button
          type="button"
          className="primary"
          disabled={!valid || !seedsValid || exec?.phase === 'preparing'}
          onClick={() => store.start(structuredClone(spec), { seeds })}
          title={
            valid
              ? seeds > 1
                ? `Train ${seeds} runs, seeds ${spec.seed} to ${spec.seed + seeds - 1}, one after another`
                : 'Start a new run from the current settings'
              : 'Fix the highlighted fields first'
          }
        >
          {active ? 'Restart' : 'Train'}
          {seeds > 1 && isSeedCount(seeds) ? ` × ${seeds} seeds` : ''}
        </button>
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
        {shown && <span className="run-name">{shown.name}</span>}
        {queued > 0 && <span>{queued} more queued</span>}
        {shown?.lastBatch && shown.phase === 'paused' && (
          <span data-testid="batch-report">
            step {shown.lastBatch.step}: batch loss {shown.lastBatch.loss.toFixed(4)}
          </span>
        )}
        {!valid && (
          <span className="invalid-count">
            {errorCount} field{errorCount === 1 ? '' : 's'} to fix
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
        <div className="active-backend">
          Active: <strong data-testid="active-backend">{backend?.active ?? '—'}</strong>
          {backend?.threads !== undefined && <WasmThreads threads={backend.threads} />}
          {backend?.measured ? (
            <AutoMeasurement measured={backend.measured} earlier={backend.measuredEarlier === true} />
          ) : (
            spec.backend === 'auto' && (
              <div className="muted small">
                Auto times a few training steps of your model on each backend, and trains on the fastest.
              </div>
            )
          )}
          {fallbacks.length > 0 && (
            <div className="fallbacks" data-testid="backend-fallbacks">
              Fell back: {fallbacks.join('; ')}
            </div>
          )}
          {store.probeError && <div className="fallbacks">{store.probeError}</div>}
        </div>
      </div>
    </section>
  );
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
function AutoMeasurement({ measured, earlier }: { measured: BackendMeasurement[]; earlier: boolean }) {
  const ranked = [...measured].sort((a, b) => (a.msPerStep ?? Infinity) - (b.msPerStep ?? Infinity));
  return (
    <div className="muted small" data-testid="auto-measured">
      Auto measured per step{earlier ? ' (for an earlier run of this model here)' : ''}:{' '}
      {ranked
        .map((m) =>
          m.msPerStep === null
            ? `${m.backend} could not train (${m.note ?? 'no reason given'})`
            : `${m.backend} ${msText(m.msPerStep)}${m.firstStepMs !== undefined && m.firstStepMs > 2 * m.msPerStep ? ` (first step ${msText(m.firstStepMs)})` : ''}`,
        )
        .join(' · ')}
    </div>
  );
}
