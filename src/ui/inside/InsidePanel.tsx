import { useShallow } from 'zustand/react/shallow';
import { memo, useDeferredValue, useEffect, useMemo, useRef } from 'react';
import { hasModel, isActive, selectedRun, useRunStore } from '../../state/runStore';
import { backprop, type BackpropTask } from '../../engine/backprop';
import type { EpochMetrics, Inspection } from '../../engine/types';
import {
  exampleCounts,
  isClassification,
  MLP_NORM_LABELS,
  modelName,
  type ClassificationLoss,
  type ExperimentSpec,
  isImage,
} from '../../experiment';
import { useViewStore } from '../../state/viewStore';
import { Panel } from '../fields';
import { allFinite } from '../format';
import { graphFits, NetworkGraph, type WeightRef } from './NetworkGraph';
import { NeuronMaps } from './NeuronMaps';
import { ImageInside } from './ImageInside';
import { LayerHistograms, NormCharts } from './LayerStats';
import { StepMode } from './StepMode';

/**
 * Inside the network: graph, per-neuron maps, norms, histograms and step-by-step backprop for
 * the run the views follow. It asks the worker for a fresh look after every epoch and step.
 */
const INSPECT_MS = 500;
const FIRST_WEIGHT: WeightRef = { l: 0, i: 0, j: 0 };
const NO_EPOCHS: EpochMetrics[] = [];

/** Ask the worker for a fresh look inside the run the views follow; mounted once, in App. */
export function useInspectionRequests(): void {
  const store = useRunStore(useShallow((s) => ({ runs: s.runs, selectedId: s.selectedId, inspect: s.inspect })));
  const earlierRuns = useViewStore((s) => s.earlierRuns);
  const run = selectedRun(store, earlierRuns);
  const example = useViewStore((s) => s.insideExample);
  // Live mode draws every epoch's graph: a look per epoch; Fast at most every INSPECT_MS.
  const every = useViewStore((s) => (s.speed === 'live' ? 0 : INSPECT_MS));
  const { inspect } = store;
  const runId = run?.id;
  const active = run ? isActive(run) : false;
  const epochCount = run?.epochs.length;
  const step = run?.lastBatch?.step;
  // Ask for a fresh look at most every INSPECT_MS while training; at once on a step or a new example.
  const lastAsked = useRef(0);
  // A finished run is looked at once (from its kept model) when it has no look yet, or the example changes.
  const kept = run ? !active && hasModel(run) && run.spec.model.kind === 'mlp' : false;
  const shownExample = run?.inspection?.example.index;
  useEffect(() => {
    if (runId === undefined || (!active && !(kept && shownExample !== example))) return;
    const wait = Math.max(0, lastAsked.current + every - performance.now());
    const timer = setTimeout(
      () => {
        lastAsked.current = performance.now();
        inspect(runId, example);
      },
      step !== undefined && run?.phase === 'paused' ? 0 : wait,
    );
    return () => clearTimeout(timer);
  }, [runId, active, kept, shownExample, epochCount, step, example, inspect, run?.phase, every]);
}

/** One example's forward and backward pass by hand, from the latest look inside. */
function useBackprop(inspection: Inspection | null, task: BackpropTask, loss: ClassificationLoss) {
  return useMemo(
    () =>
      inspection ? backprop(inspection.layers, inspection.example.input, inspection.example.target, task, loss) : null,
    [inspection, task, loss],
  );
}

/** What the graph, maps and step mode draw: the followed run's latest look, its backprop, the chosen weight. */
function useInsideView() {
  const store = useRunStore(useShallow((s) => ({ runs: s.runs, selectedId: s.selectedId })));
  const earlierRuns = useViewStore((s) => s.earlierRuns);
  const run = selectedRun(store, earlierRuns);
  const example = useViewStore((s) => s.insideExample);
  const weight = useViewStore((s) => s.insideWeight);
  const kind = run?.spec.dataset.kind;
  const task: BackpropTask =
    kind && isImage(kind) ? 'multiclass' : kind && isClassification(kind) ? 'binary' : 'regression';
  const loss = run?.spec.model.kind === 'mlp' ? run.spec.model.classificationLoss : 'crossEntropy';
  const active = run ? isActive(run) : false;
  const kept = run ? !active && hasModel(run) && run.spec.model.kind === 'mlp' : false;
  const inspection = useDeferredValue(run?.inspection ?? null);
  const bp = useBackprop(inspection, task, loss);
  // Keep the chosen weight inside the network after a layer change.
  const safeWeight = useMemo(
    () =>
      inspection &&
      weight.l < inspection.layers.length &&
      weight.i < inspection.layers[weight.l].inputs &&
      weight.j < inspection.layers[weight.l].outputs
        ? weight
        : FIRST_WEIGHT,
    [inspection, weight],
  );
  const epochs = useDeferredValue(run?.epochs ?? NO_EPOCHS);
  // After a divergence the last look holds NaN or ±Infinity: nothing in it can be drawn truthfully.
  const finite = useMemo(
    () => !inspection || allFinite(inspection.layers.flatMap((l) => [l.weights, l.bias, l.weightGrad, l.biasGrad])),
    [inspection],
  );
  const nTrain = run ? exampleCounts(run.spec.dataset).train : 0;
  return { run, active, kept, inspection, task, bp, safeWeight, epochs, finite, nTrain, example };
}

/** Whether the graph and step mode can draw this model: a plain MLP (no norms, no residuals). */
export function drawsNetwork(model: ExperimentSpec['model']): boolean {
  return model.kind === 'mlp' && !model.residual && model.norm === 'none';
}

const setView = (change: Parameters<ReturnType<typeof useViewStore.getState>['set']>[0]) =>
  useViewStore.getState().set(change);
/** One function for every render, so the memoised graph redraws only when its look changes. */
const selectWeight = (weight: WeightRef) => setView({ insideWeight: weight });

/** The network as TensorFlow Playground draws it: neurons by activation, edges by weight, and what each neuron computes. */
export const NetworkPanel = memo(function NetworkPanel() {
  const { run, active, kept, inspection, bp, safeWeight, finite, nTrain, example } = useInsideView();
  return (
    <Panel title="Network">
      {!run || !inspection || !bp ? (
        <p className="muted">
          Train (or press Step) to see the network: each neuron coloured by its output, each edge by its weight, and
          what every hidden neuron computes over the plane.
        </p>
      ) : !finite ? (
        <p className="banner warning" data-testid="not-finite">
          The weights are no longer finite {run.epochs.length ? `after epoch ${run.epochs.length}` : 'in epoch 1'}: the
          run diverged, so there is no graph or map to draw. The norms under Inside run up to the last finite epoch.
        </p>
      ) : (
        <>
          <div className="row inside-controls">
            <label className="small">
              Example{' '}
              <input
                name="example-index"
                type="number"
                min={0}
                max={nTrain - 1}
                value={example}
                onChange={(e) =>
                  setView({ insideExample: Math.max(0, Math.min(nTrain - 1, Math.floor(Number(e.target.value) || 0))) })
                }
              />
              <span className="muted"> of {nTrain} training points</span>
            </label>
            {!active && (
              <span className="small muted">Run ended: showing its {kept ? 'kept model' : 'last state'}.</span>
            )}
          </div>
          {graphFits(inspection) ? (
            <NetworkGraph inspection={inspection} bp={bp} selected={safeWeight} onSelect={selectWeight} />
          ) : (
            <p className="muted small">
              The graph draws networks of up to 16 units per layer; the rest of the views work at any size.
            </p>
          )}
          {inspection.neuronMaps.layers.length > 0 && (
            <>
              <h3 className="subhead">What each hidden neuron computes</h3>
              <NeuronMaps inspection={inspection} />
            </>
          )}
        </>
      )}
    </Panel>
  );
});

/** Inside the network: step-by-step backprop for any weight, norms and histograms of the run the views follow. */
export const InsidePanel = memo(function InsidePanel() {
  const { run, inspection, task, bp, safeWeight, epochs, finite } = useInsideView();
  // An MLP on images also shows what it predicts for a validation image or a drawn digit, and its saliency.
  const images = run && run.spec.model.kind === 'mlp' && isImage(run.spec.dataset.kind) && <ImageInside run={run} />;
  if (run && run.spec.model.kind === 'mlp' && (run.spec.model.residual || run.spec.model.norm !== 'none')) {
    return (
      <>
        <Panel title="Inside the network · gradients">
          <p className="muted small" data-testid="inside-not-drawn">
            The network graph, neuron maps and step mode’s backpropagation by hand draw plain dense layers; this MLP has{' '}
            {[
              run.spec.model.residual && 'residual connections',
              run.spec.model.norm !== 'none' && MLP_NORM_LABELS[run.spec.model.norm],
            ]
              .filter(Boolean)
              .join(' and ')}
            , which they would draw wrongly, so they are not shown. Its weight and gradient norms, layer by layer:
          </p>
          <NormCharts epochs={epochs} />
        </Panel>
        {images}
      </>
    );
  }

  if (run && run.spec.model.kind === 'cnn') return <ImageInside run={run} />;

  if (run && run.spec.model.kind !== 'mlp') {
    return (
      <Panel title="Inside the network · gradients">
        <p className="muted small">
          The step-by-step backpropagation views are drawn for MLPs. For this {modelName(run.spec.model)}: the weight
          and gradient norms of each layer, epoch by epoch (a vanishing or exploding gradient shows here first).
        </p>
        <NormCharts epochs={epochs} />
      </Panel>
    );
  }

  return (
    <>
      <Panel title="Inside the network · backpropagation">
        {!run || !inspection || !bp ? (
          <p className="muted">
            Train (or press Step) to look inside: weights, gradients and the chain rule for any weight (pick it in the
            network graph or below).
          </p>
        ) : !finite ? (
          <>
            <p className="banner warning">
              The weights are no longer finite: the run diverged. The norms below run up to the last finite epoch.
            </p>
            <NormCharts epochs={epochs} />
          </>
        ) : (
          <>
            <StepMode inspection={inspection} bp={bp} weight={safeWeight} task={task} />
            <h3 className="subhead">Norms and histograms</h3>
            <NormCharts epochs={epochs} />
            <LayerHistograms inspection={inspection} />
          </>
        )}
      </Panel>
      {images}
    </>
  );
});
