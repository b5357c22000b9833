import { useEffect } from 'react';
import { ACTIVE_PHASES, useRunStore } from '../state/runStore';
import { useSpecStore } from '../state/specStore';
import { BACKEND_CHOICES, type BackendChoice } from '../spec';
import { SelectField } from './fields';

const BACKEND_LABELS: Record<BackendChoice, string> = {
  auto: 'Auto (WebGPU first)', webgpu: 'WebGPU', webgl: 'WebGL', wasm: 'WASM', cpu: 'CPU',
};

const PHASE_LABELS: Record<string, string> = {
  idle: 'Ready', preparing: 'Preparing…', running: 'Training', paused: 'Paused', stopped: 'Stopped',
  completed: 'Finished', diverged: 'Diverged', failed: 'Failed',
};

/** Train / pause / resume / step / stop, the backend choice, and what is running where. */
export function ControlBar({ valid, errorCount }: { valid: boolean; errorCount: number }) {
  const spec = useSpecStore((s) => s.spec);
  const update = useSpecStore((s) => s.update);
  const run = useRunStore();
  const active = ACTIVE_PHASES.includes(run.phase);
  const { probeBackend } = run;
  useEffect(() => probeBackend(spec.backend), [spec.backend, probeBackend]);
  const epochsDone = run.epochs.length;
  const totalEpochs = run.spec?.training.epochs ?? spec.training.epochs;
  return (
    <div className="control-bar">
      <div className="buttons">
        <button type="button" className="primary" disabled={!valid || run.phase === 'preparing'}
          onClick={() => run.start(structuredClone(spec))}
          title={valid ? 'Start a new run from the current settings' : 'Fix the highlighted fields first'}>
          {active ? 'Restart' : 'Train'}
        </button>
        {run.phase === 'paused'
          ? <button type="button" onClick={run.resume}>Resume</button>
          : <button type="button" disabled={run.phase !== 'running'} onClick={run.pause}>Pause</button>}
        <button type="button" disabled={active ? run.phase === 'preparing' : !valid}
          title="Train one batch, then pause"
          onClick={() => (active ? run.step() : run.start(structuredClone(spec), { stepFirst: true }))}>
          Step
        </button>
        <button type="button" disabled={!active} onClick={run.stop}>Stop</button>
      </div>
      <div className="run-status" aria-live="polite">
        <span data-testid="phase" className={`phase phase-${run.phase}`}>{PHASE_LABELS[run.phase]}</span>
        <span data-testid="epoch-count">Epoch {epochsDone} / {totalEpochs}</span>
        {run.lastBatch && run.phase === 'paused' && (
          <span data-testid="batch-report">step {run.lastBatch.step}: batch loss {run.lastBatch.loss.toFixed(4)}</span>
        )}
        {!valid && <span className="invalid-count">{errorCount} field{errorCount === 1 ? '' : 's'} to fix</span>}
      </div>
      <div className="backend">
        <SelectField label="Backend" path="backend" value={spec.backend}
          options={BACKEND_CHOICES.map((b) => ({ value: b, label: BACKEND_LABELS[b] }))}
          onChange={(v) => update((d) => { d.backend = v; })} />
        <div className="active-backend">
          Active: <strong data-testid="active-backend">{run.backend?.active ?? '—'}</strong>
          {run.backend && run.backend.fallbacks.length > 0 && (
            <div className="fallbacks" data-testid="backend-fallbacks">
              Fell back: {run.backend.fallbacks.join('; ')}
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
