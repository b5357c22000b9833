import { memo, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { isActive, selectedRun, useRunStore, type Run } from '../state/runStore';
import { formatMemory } from '../engine/memoryEstimate';
import { recordBytes } from '../state/runArchive';
import { meanAndBand, seedGroups } from '../state/seedGroups';
import { distinguishingLabels, isText, specSummary, SWEEP_PARAM_LABELS, textUnit } from '../experiment';
import { useSweepStore, type Sweep } from '../state/sweepStore';
import type { TestResult } from '../engine/types';
import { download, fileNameOf } from './download';
import { PHASE_LABELS } from './ControlBar';
import { Panel } from './fields';
import { RunFiles } from './RunFiles';
import { SpecDiff } from './SpecDiff';
import { formatPerplexity } from './format';

/** The last epoch's figures (and the test split's, once measured) on one line. */
function finalFigures(run: Run): string {
  const e = run.epochs.at(-1) ?? (run.asLoaded && { ...run.asLoaded, epoch: 0 });
  if (!e) return '—';
  const language = isText(run.spec.dataset.kind);
  const loss = language
    ? `val ${e.valLoss.toFixed(3)} nats/${textUnit(run.spec.dataset)} · ppl ${formatPerplexity(e.valLoss)}`
    : `val loss ${e.valLoss.toFixed(4)}`;
  const exact =
    e.valExactMatch !== null && e.valExactMatch !== undefined ? ` · exact ${(e.valExactMatch * 100).toFixed(1)}%` : '';
  const when = run.epochs.length ? `${e.epoch} ep` : 'as loaded';
  const test = run.test ? ` · ${testFigures(run.test, language && textUnit(run.spec.dataset))}` : '';
  return `${loss}${e.valAccuracy !== null ? ` · acc ${(e.valAccuracy * 100).toFixed(1)}%` : ''}${exact} · ${when}${test}`;
}

/** The test split's score, measured once at the end of the run. */
function testFigures(t: TestResult, unit: 'char' | 'token' | false): string {
  const loss = unit ? `${t.loss.toFixed(3)} nats/${unit}` : `loss ${t.loss.toFixed(4)}`;
  const acc = t.accuracy !== null ? ` · acc ${(t.accuracy * 100).toFixed(1)}%` : '';
  const exact = t.exactMatch !== null ? ` · exact ${(t.exactMatch * 100).toFixed(1)}%` : '';
  return `test (${t.examples.toLocaleString('en-US')} held out, once): ${loss}${acc}${exact}`;
}

/**
 * About what a run keeps in this browser: its curves, views and samples, and its model. Estimated
 * from one epoch's size, so a long run is not serialised on every redraw while it trains.
 */
function storedBytes(r: Run): number {
  const epochs = r.epochs.length ? recordBytes(r.epochs[0]) * r.epochs.length : 0;
  return epochs + recordBytes({ samples: r.samples, views: r.views, spec: r.spec }) + (r.model?.bytes ?? 0);
}

/** Resume, continue, download or forget one run's model. */
function RunModelActions({ run }: { run: Run }) {
  // Actions only: they never change, so this row re-renders with its run, not with every store update.
  const store = useRunStore(
    useShallow((s) => ({
      weightsFile: s.weightsFile,
      exportPytorch: s.exportPytorch,
      resumeRun: s.resumeRun,
      continueRun: s.continueRun,
      deleteWeights: s.deleteWeights,
    })),
  );
  const [extra, setExtra] = useState('10');
  const [exporting, setExporting] = useState(false);
  if (isActive(run) || run.otherTab) return null;
  const n = Number(extra);
  const extraOk = Number.isInteger(n) && n >= 1;
  const weights = async () => {
    const bytes = await store.weightsFile(run.id);
    if (bytes) {
      download(`${fileNameOf(run.name)}.safetensors`, bytes, 'application/octet-stream');
      download(`${fileNameOf(run.name)}.spec.json`, JSON.stringify(run.spec, null, 2), 'application/json');
    }
  };
  const exportPytorch = async () => {
    setExporting(true);
    const file = await store
      .exportPytorch(run.id, `${fileNameOf(run.name)}-pytorch`)
      .finally(() => setExporting(false));
    if (file) download(file.fileName, file.bytes, 'application/zip');
  };
  return (
    <div className="run-model small">
      {run.phase === 'interrupted' && run.model && (
        <button
          type="button"
          className="primary"
          aria-label={`Resume from epoch ${run.model.epoch}: ${run.name}`}
          onClick={() => void store.resumeRun(run.id)}
        >
          Resume from epoch {run.model.epoch}
        </button>
      )}
      {run.model ? (
        <>
          {run.phase !== 'interrupted' && (
            <span className="continue">
              <button
                type="button"
                disabled={!extraOk}
                aria-label={`Continue ${run.name} for more epochs`}
                onClick={() => void store.continueRun(run.id, n)}
              >
                Continue
              </button>
              {' for '}
              <input
                type="number"
                min={1}
                step={1}
                value={extra}
                aria-label={`More epochs for ${run.name}`}
                aria-invalid={!extraOk}
                onChange={(e) => setExtra(e.target.value)}
              />
              {' more epochs'}
            </span>
          )}
          {/* Each label starts with the words on the button, so speech input can say what it sees. */}
          <button type="button" aria-label={`Download weights of ${run.name}`} onClick={() => void weights()}>
            Download weights
          </button>
          <button
            type="button"
            aria-label={`Delete weights of ${run.name}`}
            title="Keep the curves, free the space the model takes"
            onClick={() => store.deleteWeights(run.id)}
          >
            Delete weights
          </button>
        </>
      ) : (
        <span className="muted">no model kept</span>
      )}
      <button
        type="button"
        aria-label={`Export as PyTorch: ${run.name}`}
        disabled={exporting}
        onClick={() => void exportPytorch()}
        title="A zip with train.py, the exact data and initial weights of this run: it trains the same curve in PyTorch, also under torchrun"
      >
        {exporting ? 'Exporting…' : 'Export as PyTorch'}
      </button>
    </div>
  );
}

/** The runs list's groups, newest first: each sweep's runs, then runs that differ only in their seed, then single runs. */
function runGroups(newestFirst: Run[], sweeps: Sweep[]): { key: string; runs: Run[]; sweep?: Sweep }[] {
  const sweepOf = new Map(sweeps.flatMap((sw) => sw.cells.map((c) => [c.runId, sw] as const)));
  const groups: { key: string; runs: Run[]; sweep?: Sweep }[] = [];
  const bySweep = new Map<number, Run[]>();
  const rest: Run[] = [];
  for (const r of newestFirst) {
    const sweep = sweepOf.get(r.id);
    if (!sweep) {
      rest.push(r);
      continue;
    }
    let members = bySweep.get(sweep.id);
    if (!members) {
      bySweep.set(sweep.id, (members = []));
      groups.push({ key: `sweep ${sweep.id}`, runs: members, sweep });
    }
    members.push(r);
  }
  return [...groups, ...seedGroups(rest).map((g) => ({ key: `seeds ${g[0].id}`, runs: g }))];
}

/** A sweep's runs as one row: its axes, how many finished, and the best final validation loss. */
function SweepGroupRow({
  runs,
  sweep,
  open,
  onToggle,
}: {
  runs: Run[];
  sweep: Sweep;
  open: boolean;
  onToggle: () => void;
}) {
  const setVisible = useRunStore((s) => s.setVisible);
  const finished = runs.filter((r) => r.phase === 'completed').length;
  const losses = runs.flatMap((r) => (r.epochs.length ? [r.epochs[r.epochs.length - 1].valLoss] : []));
  const best = losses.length ? Math.min(...losses) : null;
  return (
    <tr className="seed-group" data-testid="sweep-group">
      <td>
        <input
          type="checkbox"
          aria-label={`Show the ${runs.length} runs of the sweep on the charts`}
          checked={runs.every((r) => r.visible)}
          onChange={(e) => runs.forEach((r) => setVisible(r.id, e.target.checked))}
        />
      </td>
      <td colSpan={4} className="small">
        <button type="button" className="link" aria-expanded={open} onClick={onToggle}>
          {open ? '▾' : '▸'} <strong>Sweep of {sweep.axes.map((a) => SWEEP_PARAM_LABELS[a.param]).join(' × ')}</strong>
        </button>{' '}
        · {runs.length} runs, {finished} finished
        {best !== null && ` · best final val loss ${best.toFixed(4)}`}
      </td>
    </tr>
  );
}

/** A group of runs that differ only in their seed: the spread of their final figures, and showing them together. */
function SeedGroupRow({ group, open, onToggle }: { group: Run[]; open: boolean; onToggle: () => void }) {
  const setVisible = useRunStore((s) => s.setVisible);
  const finals = group.flatMap((r) => (r.epochs.length ? [r.epochs[r.epochs.length - 1]] : []));
  const spread = (values: number[], format: (v: number) => string) => {
    const { y, low, high } = meanAndBand(values, 'std');
    return `${format(y)} ± ${format((high - low) / 2)} (${format(Math.min(...values))}–${format(Math.max(...values))})`;
  };
  const accuracies = finals.flatMap((e) => (e.valAccuracy === null ? [] : [e.valAccuracy]));
  const seeds = group.map((r) => r.spec.seed).sort((a, b) => a - b);
  return (
    <tr className="seed-group" data-testid="seed-group">
      <td>
        <input
          type="checkbox"
          aria-label={`Show the ${group.length} seeds on the charts`}
          checked={group.every((r) => r.visible)}
          onChange={(e) => group.forEach((r) => setVisible(r.id, e.target.checked))}
        />
      </td>
      <td colSpan={4} className="small">
        <button type="button" className="link" aria-expanded={open} onClick={onToggle}>
          {open ? '▾' : '▸'} <strong>{group.length} seeds</strong>
        </button>{' '}
        ({seeds.join(', ')}) of one experiment
        {finals.length > 1 &&
          ` · final val loss ${spread(
            finals.map((e) => e.valLoss),
            (v) => v.toFixed(4),
          )}`}
        {accuracies.length > 1 && ` · val acc ${spread(accuracies, (v) => `${(100 * v).toFixed(1)}%`)}`}
      </td>
    </tr>
  );
}

/**
 * One run on one line: shown or not, its name (whole on hover), its final figures, its status and
 * the view and remove buttons. The run the views follow opens up: what sets it apart, its size,
 * and what can be done with its model.
 */
const RunRow = memo(function RunRow({
  run: r,
  hidden,
  selected,
  differs,
  bytes,
}: {
  run: Run;
  hidden: boolean;
  selected: boolean;
  differs: string;
  bytes: number;
}) {
  // The store's actions never change: no subscription (a thousand rows would each compare on every change).
  const store = useRunStore.getState();
  return (
    <tr className={selected ? 'selected' : undefined} data-run-id={r.id} hidden={hidden}>
      <td>
        <input
          type="checkbox"
          aria-label={`Show ${r.name} on the charts`}
          checked={r.visible}
          onChange={(e) => store.setVisible(r.id, e.target.checked)}
        />
      </td>
      <td className="run-cell">
        <span className="swatch" style={{ background: r.color }} />
        <input
          className="run-name-input"
          aria-label={`Name of ${r.name}`}
          value={r.name}
          title={differs ? `${r.name} — differs from the other runs in: ${differs}` : r.name}
          onChange={(e) => store.rename(r.id, e.target.value)}
          onFocus={() => store.select(r.id)}
        />
        {selected && (
          <>
            {differs && (
              <div className="run-differs small" data-testid="run-differs">
                {differs}
              </div>
            )}
            <div className="muted small">
              {specSummary(r.spec)} · {formatMemory(bytes)} kept
            </div>
            <RunModelActions run={r} />
          </>
        )}
      </td>
      <td className="small" data-testid="run-result">
        {finalFigures(r)}
      </td>
      <td className="small" title={r.message ?? undefined} data-testid="run-phase">
        {r.otherTab ? 'In another tab' : PHASE_LABELS[r.phase]}
        {r.phase === 'interrupted' && <div className="muted">{r.message}</div>}
      </td>
      <td className="run-actions">
        <button type="button" title="Show its views and what can be done with it" onClick={() => store.select(r.id)}>
          view
        </button>
        {isActive(r) ? (
          <button type="button" aria-label={`Stop ${r.name}`} onClick={() => store.stop(r.id)}>
            stop
          </button>
        ) : (
          <button type="button" aria-label={`Remove ${r.name}`} onClick={() => store.remove(r.id)}>
            ✕
          </button>
        )}
      </td>
    </tr>
  );
});

/** What the runs take in this browser, and whether all of it is saved (its own component: writes come often). */
function StoredTotal({ bytes }: { bytes: number }) {
  const pending = useRunStore((s) => s.pendingWrites);
  const unsaved = useRunStore((s) => s.unsavedRuns);
  return (
    <p className="small muted" data-testid="stored-total">
      Kept in this browser: {formatMemory(bytes)} in all ·{' '}
      {unsaved > 0
        ? `${unsaved} run${unsaved === 1 ? '' : 's'} not saved (the browser refused: storage full)`
        : pending > 1
          ? `saving ${pending} runs…`
          : pending > 0
            ? 'saving…'
            : 'all saved'}
    </p>
  );
}

/** Every run: show or hide it on the charts, rename, stop, resume, continue, export, remove, diff two. */
export function RunsPanel() {
  const store = useRunStore(useShallow((s) => ({ runs: s.runs, selectedId: s.selectedId })));
  const { runs } = store;
  const shownId = selectedRun(store)?.id;
  const sizes = useMemo(() => new Map(runs.map((r) => [r.id, storedBytes(r)])), [runs]);
  const total = [...sizes.values()].reduce((a, b) => a + b, 0);
  // What sets each run apart from the others (e.g. "L2 1e-3"), beside its name.
  const specs = useMemo(() => runs.map((r) => r.spec), [runs]);
  const differs = useMemo(() => distinguishingLabels(specs), [specs]);
  const differsOf = new Map(runs.map((r, i) => [r.id, differs[i]]));
  const sweeps = useSweepStore((s) => s.sweeps);
  const groups = useMemo(() => runGroups([...runs].reverse(), sweeps), [runs, sweeps]);
  const [openGroups, setOpenGroups] = useState<ReadonlySet<string>>(new Set());
  const toggleGroup = (id: string) =>
    setOpenGroups((open) => {
      const next = new Set(open);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  return (
    <Panel title={`Runs (${runs.length})`}>
      {runs.length === 0 ? (
        <p className="muted">Each run you train is kept here, to overlay and compare.</p>
      ) : (
        <table className="runs" data-testid="runs-table">
          <thead>
            <tr>
              <th aria-label="shown on charts">show</th>
              <th>run</th>
              <th>result</th>
              <th>status</th>
              <th>
                <span className="visually-hidden">actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {groups.map((group) => {
              // A sweep or a group of seeds is one row until opened; its runs' rows stay in the table, hidden.
              const grouped = group.runs.length > 1;
              const open = !grouped || openGroups.has(group.key);
              const toggle = () => toggleGroup(group.key);
              return [
                ...(grouped
                  ? [
                      group.sweep ? (
                        <SweepGroupRow
                          key={group.key}
                          runs={group.runs}
                          sweep={group.sweep}
                          open={open}
                          onToggle={toggle}
                        />
                      ) : (
                        <SeedGroupRow key={group.key} group={group.runs} open={open} onToggle={toggle} />
                      ),
                    ]
                  : []),
                ...group.runs.map((r) => (
                  <RunRow
                    key={r.id}
                    run={r}
                    hidden={!open}
                    selected={r.id === shownId}
                    differs={differsOf.get(r.id) ?? ''}
                    bytes={sizes.get(r.id) ?? 0}
                  />
                )),
              ];
            })}
          </tbody>
        </table>
      )}
      {runs.length > 0 && <StoredTotal bytes={total} />}
      <RunFiles runs={runs} />
      <SpecDiff runs={runs} />
    </Panel>
  );
}
