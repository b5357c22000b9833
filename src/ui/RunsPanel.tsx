import { useState } from 'react';
import { isActive, selectedRun, useRunStore, type Run } from '../state/runStore';
import { useViewStore, type XAxisKind } from '../state/viewStore';
import { diffSpecs, isText, DATASET_LABELS, OPTIMIZER_LABELS, type ExperimentSpec } from '../spec';
import { PHASE_LABELS } from './ControlBar';
import { X_AXIS_LABELS } from './Charts';
import { Panel } from './fields';

/** A model in a few characters: [8t-8t] for an MLP, LSTM[64] or GPT 2×64/4h. */
function modelSummary(spec: ExperimentSpec): string {
  const m = spec.model;
  if (m.kind === 'mlp') return `[${m.hidden.map((l) => `${l.units}${l.activation[0]}`).join('-') || 'linear'}]`;
  if (m.kind === 'lstm') return `LSTM[${m.layers.map((l) => l.units).join('-')}]`;
  return `GPT ${m.layers}×${m.dModel}/${m.heads}h`;
}

export function specSummary(spec: ExperimentSpec): string {
  const o = spec.training.optimizer;
  return `${DATASET_LABELS[spec.dataset.kind].split(' (')[0]} · ${modelSummary(spec)} · ${OPTIMIZER_LABELS[o.kind]} lr ${o.learningRate} · bs ${spec.training.batchSize} · seed ${spec.seed}`;
}

function finalFigures(run: Run): string {
  const e = run.epochs.at(-1);
  if (!e) return '—';
  const language = isText(run.spec.dataset.kind);
  const loss = language ? `val ${e.valLoss.toFixed(3)} nats/char · ppl ${Math.exp(e.valLoss).toFixed(2)}` : `val loss ${e.valLoss.toFixed(4)}`;
  const exact = e.valExactMatch !== null && e.valExactMatch !== undefined ? ` · exact ${(e.valExactMatch * 100).toFixed(1)}%` : '';
  return `${loss}${e.valAccuracy !== null ? ` · acc ${(e.valAccuracy * 100).toFixed(1)}%` : ''}${exact} · ${e.epoch} ep`;
}

/** How every chart draws: x-axis, smoothing, log scale. */
export function ChartOptions() {
  const view = useViewStore();
  return (
    <div className="chart-options">
      <label>
        x-axis{' '}
        <select name="x-axis" value={view.xAxis} onChange={(e) => view.set({ xAxis: e.target.value as XAxisKind })}>
          {(Object.keys(X_AXIS_LABELS) as XAxisKind[]).map((k) => <option key={k} value={k}>{X_AXIS_LABELS[k]}</option>)}
        </select>
      </label>
      <label>
        smoothing{' '}
        <input type="range" name="smoothing" min={0} max={0.95} step={0.05} value={view.smoothing}
          onChange={(e) => view.set({ smoothing: Number(e.target.value) })} />
        <span className="mono">{view.smoothing.toFixed(2)}</span>
      </label>
      <label>
        <input type="checkbox" name="log-scale" checked={view.logScale} onChange={(e) => view.set({ logScale: e.target.checked })} />
        log scale
      </label>
    </div>
  );
}

function SpecDiff({ runs }: { runs: Run[] }) {
  const [ids, setIds] = useState<[number | null, number | null]>([null, null]);
  const a = runs.find((r) => r.id === ids[0]) ?? runs.at(-2);
  const b = runs.find((r) => r.id === ids[1]) ?? runs.at(-1);
  if (runs.length < 2 || !a || !b) return null;
  const diffs = diffSpecs(a.spec, b.spec);
  const pick = (which: 0 | 1, run: Run) => (
    <select aria-label={`Run ${which === 0 ? 'A' : 'B'} for the diff`} value={run.id}
      onChange={(e) => setIds((prev) => (which === 0 ? [Number(e.target.value), prev[1]] : [prev[0], Number(e.target.value)]))}>
      {runs.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
    </select>
  );
  return (
    <details className="spec-diff" data-testid="spec-diff">
      <summary>What differs between two runs</summary>
      <div className="row">{pick(0, a)}{pick(1, b)}</div>
      {diffs.length === 0 ? <p>The two runs have identical settings.</p> : (
        <table>
          <thead><tr><th>setting</th><th>A</th><th>B</th></tr></thead>
          <tbody>
            {diffs.map((d) => (
              <tr key={d.path}><td className="mono">{d.path}</td><td>{String(d.a ?? '—')}</td><td>{String(d.b ?? '—')}</td></tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}

/** Every run of this session: show or hide it on the charts, rename, stop, remove, diff two. */
export function RunsPanel() {
  const store = useRunStore();
  const { runs } = store;
  const shownId = selectedRun(store)?.id;
  return (
    <Panel title={`Runs (${runs.length})`}>
      {runs.length === 0 ? <p className="muted">Each run you train is kept here, to overlay and compare.</p> : (
        <table className="runs" data-testid="runs-table">
          <thead><tr><th aria-label="shown on charts">show</th><th>run</th><th>result</th><th>status</th><th /></tr></thead>
          <tbody>
            {[...runs].reverse().map((r) => (
              <tr key={r.id} className={r.id === shownId ? 'selected' : undefined}>
                <td>
                  <input type="checkbox" aria-label={`Show ${r.name} on the charts`} checked={r.visible}
                    onChange={(e) => store.setVisible(r.id, e.target.checked)} />
                </td>
                <td>
                  <span className="swatch" style={{ background: r.color }} />
                  <input className="run-name-input" aria-label={`Name of run ${r.id}`} value={r.name}
                    onChange={(e) => store.rename(r.id, e.target.value)} onFocus={() => store.select(r.id)} />
                  <div className="muted small">{specSummary(r.spec)}</div>
                </td>
                <td className="small">{finalFigures(r)}</td>
                <td className="small" title={r.message ?? undefined}>{PHASE_LABELS[r.phase]}</td>
                <td className="run-actions">
                  <button type="button" title="Show its decision boundary" onClick={() => store.select(r.id)}>view</button>
                  {isActive(r)
                    ? <button type="button" aria-label={`Stop ${r.name}`} onClick={() => store.stop(r.id)}>stop</button>
                    : <button type="button" aria-label={`Remove ${r.name}`} onClick={() => store.remove(r.id)}>✕</button>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <SpecDiff runs={runs} />
    </Panel>
  );
}
