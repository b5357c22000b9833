import { useShallow } from 'zustand/react/shallow';
import { useDeferredValue, useEffect, useMemo, useState } from 'react';
import { useSpecStore } from '../state/specStore';
import { shareLink } from '../state/addressBar';
import { useLabStore } from '../state/labStore';
import { executingRun, isActive, selectedRun, useRunStore } from '../state/runStore';
import {
  describeFieldError,
  errorsByField,
  heldOutShare,
  validateSpec,
  type ExperimentSpec,
  type SpecResult,
} from '../experiment';
import { textProblemFor, useTextStore } from '../state/textStore';
import { useTableStore } from '../state/tableStore';
import { useViewStore } from '../state/viewStore';
import { useTablePlan } from './useTablePlan';
import { useModelCost } from './useModelCost';
import { useLivePacing } from './useLivePacing';
import { DatasetChoice, DatasetPanel } from './DatasetPanel';
import { ModelPanel } from './ModelPanel';
import { TrainingEssentials, TrainingPanel } from './TrainingPanel';
import { BackendDetails, ControlBar } from './ControlBar';
import { RunViews } from './views/RunViews';
import { CostCharts, TrainingCharts } from './Charts';
import { ChartWarmUp } from './MetricChart';
import { RunsPanel } from './RunsPanel';
import { ChartOptions } from './ChartOptions';
import { openFiles } from './RunFiles';
import { ComparePanel } from './ComparePanel';
import { Panel } from './fields';
import { LossSurfaceLab } from './LossSurfaceLab';
import { drawsNetwork, InsidePanel, NetworkPanel, useInspectionRequests } from './inside/InsidePanel';
import { Workbench } from './Workbench';
import { HiddenRuns, splitComparable } from './comparable';
import { LessonBanner, LessonsList, LessonsMenu } from './Lessons';
import { SweepPanel } from './SweepPanel';
import { ScaleOutView } from './ScaleOut';
import { useOwnImagesAwaited, useOwnImagesProblem } from './useOwnImages';

/** The person's own text or table is not in the spec, but a run on it needs it: a problem with it blocks training like a bad field. */
function withUserData(result: SpecResult, field: string, problem: string | null): SpecResult {
  if (!problem) return result;
  const error = { field, message: problem };
  return { ok: false, errors: result.ok ? [error] : [...result.errors, error] };
}

/** What stops a run on the person's table: no table, a bad cell, or a batch larger than its training rows. */
function useTableProblem(spec: ExperimentSpec): string | null {
  const parseProblem = useTableStore((s) => s.problem);
  const table = useTableStore((s) => s.table);
  const reading = useTableStore((s) => s.reading);
  const plan = useTablePlan(spec);
  const isTable = spec.dataset.kind === 'userTable';
  // The kept table is read only when its experiment is open.
  useEffect(() => {
    if (isTable) void useTableStore.getState().open();
  }, [isTable]);
  if (!isTable) return null;
  if (reading !== null) return `Your table is being read (${Math.round(reading * 100)}%); wait a moment.`;
  if (parseProblem || !table) return parseProblem ?? 'Your table: load a CSV file.';
  if (plan && !plan.ok && spec.dataset.table.target) return `Your table: ${plan.error}.`;
  const rows = Math.min(spec.dataset.samples, table.rowCount);
  const train = rows - Math.round(rows * heldOutShare(spec.dataset));
  if (spec.training.batchSize > train)
    return `Batch size: must be at most the number of training rows (${train}); lower it.`;
  return null;
}

/** Copies the link to what is on screen: the experiment, or the lab as it is. */
function ShareButton() {
  // Re-render when what the link holds changes.
  useSpecStore((s) => s.spec);
  useLabStore((s) => s.settings);
  const tab = useViewStore((s) => s.tab);
  const [note, setNote] = useState<string | null>(null);
  const link = shareLink();
  const share = async () => {
    if (!link) return;
    try {
      await navigator.clipboard.writeText(link);
      setNote(
        tab === 'lab' ? 'Link copied: it opens the lab as it is.' : 'Link copied: it opens this exact experiment.',
      );
    } catch {
      setNote(`Copy this link: ${link}`);
    }
  };
  return (
    <span className="share">
      <button type="button" onClick={() => void share()} disabled={!link}>
        Share link
      </button>
      {note && <span className="share-note">{note}</span>}
    </span>
  );
}

/** What the app has to tell about runs and storage (skipped records, refused writes, imports). */
function Notices() {
  const notices = useRunStore((s) => s.notices);
  const dismiss = useRunStore((s) => s.dismissNotice);
  return (
    <>
      {notices.map((n) => (
        <div
          key={n.id}
          className={`banner ${n.kind}`}
          role={n.kind === 'warning' ? 'alert' : 'status'}
          data-testid="notice"
        >
          <span>{n.text}</span>
          <button type="button" onClick={() => dismiss(n.id)}>
            Dismiss
          </button>
        </div>
      ))}
    </>
  );
}

/** "N fields to fix": take the person to the first of them. */
function focusFirstError(): void {
  focusField('[aria-invalid="true"]');
}

function focusField(selector: string): void {
  const field = document.querySelector<HTMLElement>(selector);
  field?.scrollIntoView({ block: 'center' });
  field?.focus();
}

/**
 * The person's own text or table, when the chosen dataset needs it and none has been given yet:
 * what to ask for, the fields whose errors only say it is missing, and where to give it.
 */
function useAwaitedData(kind: ExperimentSpec['dataset']['kind']): {
  what: string;
  fields: string[];
  input: string;
  /** How much of it has been read (0–1), while it is read; absent when it is not given. */
  reading?: number;
} | null {
  const noText = useTextStore((s) => !s.given);
  const textReading = useTextStore((s) => s.reading);
  const noTable = useTableStore((s) => !s.given);
  const reading = useTableStore((s) => s.reading);
  const images = useOwnImagesAwaited(kind === 'userImages');
  if (images) return { what: 'your images', fields: ['dataset.images'], input: '#user-images-folder', ...images };
  if (kind === 'userText' && (noText || textReading !== null))
    return {
      what: 'your text',
      fields: ['dataset.text'],
      input: '#user-text',
      ...(textReading !== null && !noText ? { reading: textReading } : {}),
    };
  if (kind === 'userTable' && (noTable || reading !== null))
    return {
      what: 'your table',
      fields: ['dataset.csv', 'dataset.table.target'],
      input: '#user-csv',
      ...(reading !== null && !noTable ? { reading } : {}),
    };
  return null;
}

export function App() {
  useLivePacing();
  useInspectionRequests();
  const spec = useSpecStore((s) => s.spec);
  const linkErrors = useSpecStore((s) => s.linkErrors);
  const dismissLinkErrors = useSpecStore((s) => s.dismissLinkErrors);
  const store = useRunStore(
    useShallow((s) => ({
      runs: s.runs,
      selectedId: s.selectedId,
      resumeRun: s.resumeRun,
      continueElsewhere: s.continueElsewhere,
    })),
  );
  const textProblem = useTextStore((s) => textProblemFor(s, spec.dataset.tokenizer.kind));
  const tableProblem = useTableProblem(spec);
  const imagesProblem = useOwnImagesProblem(spec);
  const fields = useMemo(
    () =>
      spec.dataset.kind === 'userTable'
        ? withUserData(validateSpec(spec), 'dataset.csv', tableProblem)
        : spec.dataset.kind === 'userImages'
          ? withUserData(validateSpec(spec), 'dataset.images', imagesProblem)
          : withUserData(validateSpec(spec), 'dataset.text', spec.dataset.kind === 'userText' ? textProblem : null),
    [spec, textProblem, tableProblem, imagesProblem],
  );
  // A spec whose fields are all valid may still not fit the backend's memory: that blocks training too.
  const costs = useModelCost(spec, fields.ok);
  const validation = useMemo(
    () => withUserData(fields, 'memory', costs.memoryProblem && `This run ${costs.memoryProblem}.`),
    [fields, costs.memoryProblem],
  );
  const awaiting = useAwaitedData(spec.dataset.kind);
  // Data not given yet is asked for, not flagged: its fields are not marked invalid before they are touched.
  const shownErrors = useMemo(
    () => (validation.ok ? [] : validation.errors.filter((e) => !awaiting?.fields.includes(e.field))),
    [validation, awaiting],
  );
  const errors = useMemo(() => errorsByField(shownErrors), [shownErrors]);
  const whyNot = shownErrors.length
    ? 'Fix the highlighted fields first.'
    : awaiting?.reading !== undefined
      ? `Wait: ${awaiting.what} is being read.`
      : `Add ${awaiting?.what ?? 'your data'} first.`;
  const earlierRuns = useViewStore((s) => s.earlierRuns);
  const run = selectedRun(store, earlierRuns);
  const runs = useDeferredValue(store.runs);
  // Charts draw from a deferred copy: React renders them in interruptible, low-priority passes.
  const visible = useMemo(() => runs.filter((r) => r.visible), [runs]);
  // The charts draw the runs comparable with the one shown (same data, so the same loss and metric).
  const reference = run ?? visible.at(-1) ?? null;
  const showAllRuns = useViewStore((s) => s.showAllRuns);
  const { comparable, hidden } = useMemo(
    () => splitComparable(visible, reference?.spec ?? spec, new Set(earlierRuns), showAllRuns),
    [visible, reference, spec, earlierRuns, showAllRuns],
  );
  const chartKind = (reference ?? visible.at(-1))?.spec.dataset.kind ?? spec.dataset.kind;
  const network = drawsNetwork((run && isActive(run) ? run.spec : spec).model);
  const notice =
    run?.message && (['diverged', 'exploded', 'failed', 'completed'] as const).some((p) => p === run.phase)
      ? run
      : null;
  const exec = executingRun(store);
  const tab = useViewStore((s) => s.tab);
  const lesson = useViewStore((s) => s.lesson);
  const setView = useViewStore((s) => s.set);
  return (
    // A run file or weights file dropped anywhere on the page is imported.
    <div
      className="app"
      onDragOver={(e) => e.preventDefault()}
      onDrop={(e) => {
        e.preventDefault();
        void openFiles(e.dataTransfer.files, spec);
      }}
    >
      <header>
        <h1>Neural-network playground</h1>
        <span className="tagline">Build, train and watch networks in your browser on WebGPU.</span>
        <nav className="tabs" role="tablist">
          <button
            type="button"
            role="tab"
            aria-selected={tab === 'playground'}
            onClick={() => setView({ tab: 'playground' })}
          >
            Playground
          </button>
          <button type="button" role="tab" aria-selected={tab === 'lab'} onClick={() => setView({ tab: 'lab' })}>
            Loss-surface lab
          </button>
        </nav>
        <LessonsMenu />
        <ShareButton />
      </header>
      <LessonsList />
      <Notices />
      {tab === 'lab' ? (
        <>
          <LessonBanner where="lab" />
          <LossSurfaceLab key={lesson ?? ''} />
        </>
      ) : (
        <>
          <LessonBanner where="playground" />
          <ControlBar
            valid={validation.ok}
            errorCount={shownErrors.length}
            epochsValid={!errors['training.epochs']}
            onShowErrors={focusFirstError}
            awaiting={
              awaiting && { what: awaiting.what, reading: awaiting.reading, onGive: () => focusField(awaiting.input) }
            }
            whyNot={whyNot}
          />
          {linkErrors && (
            <div className="banner warning" role="alert">
              The shared link could not be opened, so the default experiment is shown:{' '}
              {linkErrors.map(describeFieldError).join('; ')}.
              <button type="button" onClick={dismissLinkErrors}>
                Dismiss
              </button>
            </div>
          )}
          {notice && (
            <div
              className={`banner ${notice.phase === 'completed' ? 'info' : 'error'}`}
              role="alert"
              data-testid="run-error"
            >
              {notice.phase === 'diverged' || notice.phase === 'exploded'
                ? 'Training stopped. '
                : notice.phase === 'failed'
                  ? 'Training failed. '
                  : ''}
              {notice.name}: {notice.message}
              {notice.phase === 'failed' && notice.lostBackend && (
                <button type="button" onClick={() => void store.continueElsewhere(notice.id)}>
                  {notice.model
                    ? `Continue on WebAssembly from epoch ${notice.model.epoch}`
                    : 'Train it on WebAssembly instead'}
                </button>
              )}
              {notice.phase === 'exploded' && notice.model && (
                <button type="button" onClick={() => void store.resumeRun(notice.id, { pastExplosion: true })}>
                  Continue anyway
                </button>
              )}
            </div>
          )}
          <main className={`stage${network ? ' with-network' : ''}`}>
            <section className="essentials" aria-label="Experiment essentials">
              <DatasetChoice errors={errors} />
              <TrainingEssentials errors={errors} />
            </section>
            <div className="column builder">
              <ModelPanel errors={errors} costs={costs} />
              <DatasetPanel errors={errors} />
              <TrainingPanel errors={errors} />
            </div>
            {network && (
              <div className="column network">
                <NetworkPanel />
              </div>
            )}
            <div className="column view">
              <RunViews run={run} spec={spec} pinned={store.selectedId !== null && run?.id === store.selectedId} />
              {exec && JSON.stringify(exec.spec) !== JSON.stringify(spec) && (
                <p className="note">Your edits apply to the next run; the charts show the run in progress.</p>
              )}
            </div>
            <div className="column curves">
              <Panel title="Learning curves">
                <HiddenRuns hidden={hidden} />
                <TrainingCharts runs={comparable} kind={chartKind} />
                <details className="chart-options-toggle">
                  <summary>Chart options</summary>
                  <ChartOptions />
                </details>
              </Panel>
            </div>
          </main>
          <Workbench
            counts={{ runs: String(store.runs.length) }}
            panels={{
              runs: <RunsPanel />,
              compare: <ComparePanel valid={validation.ok} whyNot={whyNot} />,
              sweep: <SweepPanel valid={validation.ok} whyNot={whyNot} />,
              cost: (
                <Panel title="Compute cost">
                  <BackendDetails />
                  <CostCharts runs={comparable} />
                </Panel>
              ),
              scale: (
                <Panel title="Scale out: this model across devices">
                  {costs.shape && costs.cost ? (
                    <ScaleOutView spec={spec} shape={costs.shape} />
                  ) : (
                    <p className="muted">Fix the highlighted fields (or add your data) to see how this model splits.</p>
                  )}
                </Panel>
              ),
              inside: <InsidePanel />,
            }}
          />
          <ChartWarmUp />
        </>
      )}
    </div>
  );
}
