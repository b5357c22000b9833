import { useEffect } from 'react';
import { isClassification, isImage, isPlane, isSeries, isText, isToy, type ExperimentSpec } from '../../experiment';
import { isActive, useRunStore, type Run } from '../../state/runStore';
import { useViewStore } from '../../state/viewStore';
import { DecisionBoundary } from '../DecisionBoundary';
import { Panel } from '../fields';
import { ClassesView } from './ClassesView';
import { ForecastView } from './ForecastView';
import { ScatterView } from './ScatterView';
import { ToyView } from './ToyView';
import { TextView } from './TextView';
import { AttentionView } from './AttentionView';
import { TokensView } from './TokensView';

/** The worker reads the sampling settings after each epoch; keep it told. */
function useSamplingSync(): void {
  const draw = useViewStore((s) => s.draw);
  const attentionText = useViewStore((s) => s.attentionText);
  const setSampling = useRunStore((s) => s.setSampling);
  useEffect(() => setSampling(draw, attentionText), [draw, attentionText, setSampling]);
}

/** A classifier draws a decision boundary; a regression model a predicted surface. */
function planeTitle(spec: ExperimentSpec): string {
  return isClassification(spec.dataset.kind) ? 'Decision boundary' : 'Prediction over the plane';
}

/** The validation split's confusion matrix and per-class scores, under the boundary. */
function ClassesPanel({ classes }: { classes: NonNullable<Run['views']['classes']> }) {
  return (
    <Panel title="Validation classes">
      <ClassesView classes={classes} />
    </Panel>
  );
}

/** What a run shows besides its curves, chosen by its data: boundary, digits, forecast, answers, text, attention. */
export function RunViews({ run, spec, pinned }: { run: Run | null; spec: ExperimentSpec; pinned: boolean }) {
  useSamplingSync();
  const shown = run?.spec ?? spec;
  const kind = shown.dataset.kind;
  const suffix = run ? ` · ${run.name}` : '';
  if (isPlane(spec.dataset.kind) && !(run && (pinned || isActive(run)))) {
    // Not following a chosen or live run: the data being edited, at once, with the latest run's
    // boundary only when that run trained on exactly this data.
    const same =
      run && run.spec.seed === spec.seed && JSON.stringify(run.spec.dataset) === JSON.stringify(spec.dataset);
    return (
      <>
        <Panel title={`${planeTitle(spec)}${same ? suffix : ''}`}>
          <DecisionBoundary
            spec={spec}
            boundary={same ? (run.views.boundary ?? null) : null}
            epoch={same ? run.epochs.length : 0}
            editable
          />
        </Panel>
        {same && run.views.classes && <ClassesPanel classes={run.views.classes} />}
      </>
    );
  }
  if (isPlane(kind)) {
    return (
      <>
        <Panel title={`${planeTitle(shown)}${suffix}`}>
          <DecisionBoundary spec={shown} boundary={run?.views.boundary ?? null} epoch={run?.epochs.length ?? 0} />
        </Panel>
        {run?.views.classes && <ClassesPanel classes={run.views.classes} />}
      </>
    );
  }
  if (isImage(kind))
    return (
      <Panel title={`Validation ${kind === 'mnist' || kind === 'mnistFull' ? 'digits' : 'images'}${suffix}`}>
        <ClassesView classes={run?.views.classes} />
      </Panel>
    );
  if (kind === 'userTable') {
    // Two numeric inputs and two classes: the boundary; other classes a confusion matrix; a number, predicted against true.
    if (run?.views.boundary) {
      return (
        <Panel title={`Decision boundary${suffix}`}>
          <DecisionBoundary spec={run.spec} boundary={run.views.boundary} />
          {run.views.classes && <ClassesView classes={run.views.classes} />}
        </Panel>
      );
    }
    return run?.views.forecast ? (
      <Panel title={`Predicted vs true${suffix}`}>
        <ScatterView values={run.views.forecast} />
      </Panel>
    ) : (
      <Panel title={`Validation rows${suffix}`}>
        <ClassesView classes={run?.views.classes} />
      </Panel>
    );
  }
  if (isSeries(kind))
    return (
      <Panel title={`Forecast${suffix}`}>
        <ForecastView forecast={run?.views.forecast} />
      </Panel>
    );
  if (isToy(kind))
    return (
      <Panel title={`Answers${suffix}`}>
        <ToyView toy={run?.views.toy} />
      </Panel>
    );
  if (isText(kind)) {
    if (!run)
      return (
        <Panel title="Samples">
          <p className="muted">Train to sample text from the model after each epoch.</p>
        </Panel>
      );
    return (
      <>
        <Panel title={`Samples${suffix}`}>
          <TextView run={run} />
        </Panel>
        {run.views.tokens && (
          <Panel title={`Tokens${suffix}`}>
            <TokensView view={run.views.tokens} />
          </Panel>
        )}
        {run.spec.model.kind === 'transformer' && (
          <Panel title={`Attention${suffix}`}>
            <AttentionView run={run} />
          </Panel>
        )}
      </>
    );
  }
  return null;
}
