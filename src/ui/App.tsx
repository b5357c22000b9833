import { useMemo, useState } from 'react';
import { useSpecStore, specLink } from '../state/specStore';
import { useRunStore } from '../state/runStore';
import { errorsByField, isClassification, validateSpec } from '../spec';
import { DatasetPanel } from './DatasetPanel';
import { ModelPanel } from './ModelPanel';
import { TrainingPanel } from './TrainingPanel';
import { ControlBar } from './ControlBar';
import { DecisionBoundary } from './DecisionBoundary';
import { CostCharts, TrainingCharts } from './Charts';
import { Panel } from './fields';

function ShareButton() {
  const spec = useSpecStore((s) => s.spec);
  const [note, setNote] = useState<string | null>(null);
  const share = async () => {
    const link = specLink(spec);
    try {
      await navigator.clipboard.writeText(link);
      setNote('Link copied: it opens this exact experiment.');
    } catch {
      setNote(`Copy this link: ${link}`);
    }
  };
  return (
    <span className="share">
      <button type="button" onClick={share} disabled={!validateSpec(spec).ok}>Share link</button>
      {note && <span className="share-note">{note}</span>}
    </span>
  );
}

export function App() {
  const spec = useSpecStore((s) => s.spec);
  const linkErrors = useSpecStore((s) => s.linkErrors);
  const dismissLinkErrors = useSpecStore((s) => s.dismissLinkErrors);
  const run = useRunStore();
  const validation = useMemo(() => validateSpec(spec), [spec]);
  const errors = validation.ok ? {} : errorsByField(validation.errors);
  const shownSpec = run.spec ?? spec;
  const trouble = run.phase === 'diverged' || run.phase === 'failed';
  return (
    <div className="app">
      <header>
        <h1>Neural-network playground</h1>
        <span className="tagline">Build, train and watch networks in your browser on WebGPU.</span>
        <ShareButton />
      </header>
      <ControlBar valid={validation.ok} errorCount={validation.ok ? 0 : validation.errors.length} />
      {linkErrors && (
        <div className="banner warning" role="alert">
          The shared link could not be opened, so the default experiment is shown:{' '}
          {linkErrors.map((e) => `${e.field} ${e.message}`).join('; ')}.
          <button type="button" onClick={dismissLinkErrors}>Dismiss</button>
        </div>
      )}
      {trouble && run.message && (
        <div className="banner error" role="alert" data-testid="run-error">
          {run.phase === 'diverged' ? 'Training stopped. ' : 'Training failed. '}{run.message}
        </div>
      )}
      <main>
        <div className="column builder">
          <DatasetPanel errors={errors} />
          <ModelPanel errors={errors} valid={validation.ok} />
          <TrainingPanel errors={errors} />
        </div>
        <div className="column view">
          <Panel title="Decision boundary">
            <DecisionBoundary spec={shownSpec} boundary={run.boundary} />
          </Panel>
          {run.spec && JSON.stringify(run.spec) !== JSON.stringify(spec) && (
            <p className="note">Your edits apply to the next run; the charts show the run in progress.</p>
          )}
        </div>
        <div className="column results">
          <Panel title="Learning curves">
            <TrainingCharts epochs={run.epochs} classification={isClassification(shownSpec.dataset.kind)} />
          </Panel>
          <Panel title="Compute cost">
            <CostCharts epochs={run.epochs} backend={run.backend?.active ?? null} />
          </Panel>
        </div>
      </main>
    </div>
  );
}
