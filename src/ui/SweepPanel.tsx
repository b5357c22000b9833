// "Sweep": a grid over one or two hyper-parameters, one run per cell, queued one after another;
// then a table and a heatmap of the final validation loss (or accuracy) with the best cell marked.
// Clicking a cell shows that run.
import { memo, useState } from 'react';
import {
  parseSweepValues,
  planSweep,
  SWEEP_PARAM_LABELS,
  SWEEP_PARAM_SHORT,
  SWEEP_PARAMS,
  type SweepAxis,
  type SweepParam,
} from '../experiment';
import { useSpecStore } from '../state/specStore';
import { ACTIVE_PHASES, useRunStore, type Run } from '../state/runStore';
import { useSweepStore, type Sweep } from '../state/sweepStore';
import { PHASE_LABELS } from './ControlBar';
import { Panel } from './fields';
import { heatCell, hslToRgb } from './colors';

type Metric = 'valLoss' | 'valAccuracy';

interface AxisInput {
  param: SweepParam | '';
  text: string;
}

function axesOf(inputs: AxisInput[]): SweepAxis[] | string {
  const axes: SweepAxis[] = [];
  for (const [k, a] of inputs.entries()) {
    if (!a.param) continue;
    const values = parseSweepValues(a.text);
    if (!values)
      return `Sweep · axis ${k + 1} (${SWEEP_PARAM_LABELS[a.param]}): values must be numbers separated by commas.`;
    axes.push({ param: a.param, values });
  }
  return axes;
}

export const SweepPanel = memo(function SweepPanel({
  valid,
  whyNot = 'Fix the highlighted fields first.',
}: {
  valid: boolean;
  /** What stops a run while the experiment is not valid. */
  whyNot?: string;
}) {
  const spec = useSpecStore((s) => s.spec);
  const sweeps = useSweepStore((s) => s.sweeps);
  const start = useSweepStore((s) => s.start);
  const [inputs, setInputs] = useState<AxisInput[]>([
    { param: 'learningRate', text: '0.003, 0.01, 0.03' },
    { param: '', text: '' },
  ]);
  const [problem, setProblem] = useState<string | null>(null);
  const axes = axesOf(inputs);
  const plan = typeof axes === 'string' ? null : planSweep(spec, axes);
  const error = !valid ? whyNot : typeof axes === 'string' ? axes : plan && !plan.ok ? plan.error : null;
  const set = (k: number, change: Partial<AxisInput>) =>
    setInputs((all) => all.map((a, i) => (i === k ? { ...a, ...change } : a)));
  return (
    <Panel title="Sweep">
      {inputs.map((a, k) => (
        <div className="row sweep-axis" key={k}>
          <label className="field">
            <span>Axis {k + 1}</span>
            <select
              name={`sweep-param-${k}`}
              value={a.param}
              onChange={(e) => set(k, { param: e.target.value as SweepParam | '' })}
            >
              {k > 0 && <option value="">none</option>}
              {SWEEP_PARAMS.map((p) => (
                <option key={p} value={p}>
                  {SWEEP_PARAM_LABELS[p]}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Values</span>
            <input
              name={`sweep-values-${k}`}
              value={a.text}
              disabled={!a.param}
              placeholder="e.g. 16, 32, 64"
              onChange={(e) => set(k, { text: e.target.value })}
            />
          </label>
        </div>
      ))}
      {(error ?? problem) && (
        <div className="field-error" role="alert">
          {error ?? problem}
        </div>
      )}
      <button
        type="button"
        className="primary wide"
        disabled={!!error || !plan?.ok}
        onClick={() => setProblem(typeof axes === 'string' ? axes : start(structuredClone(spec), axes))}
      >
        Run sweep{plan?.ok ? ` (${plan.cells.length} runs)` : ''}
      </button>
      <p className="muted small">
        One run per cell, the rest of the experiment as set (same seed), trained one after another. The grid is kept
        with the runs: after a reload, Resume trains the cells that did not finish.
      </p>
      {sweeps.length > 0 && <SweepResults sweep={sweeps[sweeps.length - 1]} count={sweeps.length} />}
    </Panel>
  );
});

/** A colour from light (worst) to dark blue (best), for a share 0…1 of the way from worst to best. */
/** Light (worst) to dark blue (best), with text that reads on it. */
const shade = (t: number) => heatCell(hslToRgb(210, 70, Math.round(92 - 55 * t)));

function SweepResults({ sweep, count }: { sweep: Sweep; count: number }) {
  const runs = useRunStore((s) => s.runs);
  const select = useRunStore((s) => s.select);
  const setVisible = useRunStore((s) => s.setVisible);
  const { cancel, resume, remove } = useSweepStore();
  const [metric, setMetric] = useState<Metric>('valLoss');
  const runOf = (id: number): Run | undefined => runs.find((r) => r.id === id);
  const valueOf = (run: Run | undefined) => {
    const v = run?.phase === 'completed' ? run.epochs.at(-1)?.[metric] : undefined;
    return v === undefined || v === null || !Number.isFinite(v) ? null : v;
  };
  const values = sweep.cells.map((c) => valueOf(runOf(c.runId)));
  const known = values.filter((v): v is number => v !== null);
  const best = known.length ? (metric === 'valLoss' ? Math.min(...known) : Math.max(...known)) : null;
  const worst = known.length ? (metric === 'valLoss' ? Math.max(...known) : Math.min(...known)) : null;
  const [rows, cols] = [sweep.axes[0], sweep.axes[1]];
  const finished = sweep.cells.filter((c) => runOf(c.runId)?.phase === 'completed').length;
  const active = sweep.cells.some((c) => {
    const r = runOf(c.runId);
    return r && ACTIVE_PHASES.includes(r.phase);
  });
  const format = (v: number) => (metric === 'valLoss' ? v.toFixed(4) : `${(100 * v).toFixed(1)}%`);
  const show = (id: number) => {
    setVisible(id, true);
    select(id);
  };
  return (
    <div className="sweep-results" data-testid="sweep-results">
      <div className="row">
        <strong>
          Sweep {sweep.number}
          {count > 1 ? ` (latest of ${count})` : ''}: {finished} of {sweep.cells.length} finished
        </strong>
        <label className="small">
          show{' '}
          <select name="sweep-metric" value={metric} onChange={(e) => setMetric(e.target.value as Metric)}>
            <option value="valLoss">final validation loss</option>
            <option value="valAccuracy">final validation accuracy</option>
          </select>
        </label>
      </div>
      <table className="sweep-grid" data-testid="sweep-heatmap">
        <caption className="small muted">
          {SWEEP_PARAM_LABELS[rows.param]} down{cols ? `, ${SWEEP_PARAM_LABELS[cols.param]} across` : ''}; darker is
          better, ★ the best. Click a cell to show its run.
        </caption>
        <thead>
          <tr>
            <th scope="col">{SWEEP_PARAM_SHORT[rows.param]}</th>
            {(cols ? cols.values : [null]).map((v, j) => (
              <th key={j} scope="col">
                {cols ? `${SWEEP_PARAM_SHORT[cols.param]} ${v}` : ''}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.values.map((x, i) => (
            <tr key={i}>
              <th scope="row">{x}</th>
              {(cols ? cols.values : [null]).map((_, j) => {
                const k = sweep.cells.findIndex((c) => c.i === i && c.j === j);
                const cell = sweep.cells[k];
                const run = cell && runOf(cell.runId);
                const v = values[k];
                const t =
                  v === null || best === null || worst === null || best === worst ? 1 : (v - worst) / (best - worst);
                const isBest = v !== null && v === best;
                return (
                  <td key={j} style={v === null ? undefined : shade(t)}>
                    <button
                      type="button"
                      className="sweep-cell"
                      disabled={!run}
                      aria-label={`${cell?.label ?? ''}: ${v === null ? (run ? PHASE_LABELS[run.phase] : 'run removed') : format(v)}${isBest ? ', the best' : ''}`}
                      onClick={() => run && show(run.id)}
                    >
                      {v === null ? (run ? PHASE_LABELS[run.phase] : '—') : format(v)}
                      {isBest ? ' ★' : ''}
                    </button>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row">
        <button type="button" disabled={!active} onClick={() => cancel(sweep.id)}>
          Cancel sweep
        </button>
        <button
          type="button"
          disabled={active || finished === sweep.cells.length}
          onClick={() => void resume(sweep.id)}
        >
          Resume unfinished cells
        </button>
        <button type="button" disabled={active} onClick={() => remove(sweep.id)}>
          Forget this grid
        </button>
      </div>
    </div>
  );
}
