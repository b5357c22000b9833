import { useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import { buildDataset, deriveSeed, DOMAIN, generate2d, nearestPoint } from '../data';
import {
  isClassification,
  isPlane,
  LIMITS,
  validateSpec,
  type ExperimentSpec,
  type PlaneDatasetKind,
  isImage,
} from '../experiment';
import { useSpecStore } from '../state/specStore';
import { useTableStore } from '../state/tableStore';
import { useViewStore } from '../state/viewStore';
import type { BoundarySnapshot } from '../engine/types';
import { downloadCanvas } from './imageExport';
import { divergingColor, NEGATIVE, POSITIVE } from './colors';

const SIZE = 360;
/** The canvas holds twice its CSS pixels: sharp on high-density screens, and its PNG at 2× like the charts'. */
const SCALE = 2;
/** The 2-D datasets' window; a table's comes from its rows. */
const PLANE_DOMAIN = { x: [-DOMAIN, DOMAIN], y: [-DOMAIN, DOMAIN] };

/** Maps a regression target in about [−1, 1] (or a probability in [0, 1]) to [0, 1]. */
function toUnit(value: number, classification: boolean): number {
  return classification ? value : (value + 1) / 2;
}

/**
 * The input plane: what the model predicts everywhere as a heatmap, with the training points
 * (filled) and validation points (ringed) on top. Before training it shows the data alone.
 */
export function DecisionBoundary({
  spec,
  boundary,
  epoch = 0,
  editable = false,
}: {
  spec: ExperimentSpec;
  boundary: BoundarySnapshot | null;
  /** The epoch whose boundary this is (0: none), kept on the canvas once drawn, for the tests that count frames. */
  epoch?: number;
  editable?: boolean;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const table = useTableStore((s) => (spec.dataset.kind === 'userTable' ? s.table : null));
  const invalid = useMemo(() => !validateSpec(spec).ok, [spec]);
  const built = useMemo(() => {
    if (invalid || !(isPlane(spec.dataset.kind) || table)) return null;
    try {
      return buildDataset(spec.dataset, spec.seed, table ? { table } : {});
    } catch {
      return null; // a table that cannot train says why in the Data panel
    }
  }, [spec, table, invalid]);
  // While a field is being fixed the plane keeps the last data it could draw, and says so.
  const [lastBuilt, setLastBuilt] = useState(built);
  if (built && built !== lastBuilt) setLastBuilt(built);
  const stale = invalid && lastBuilt !== null && isPlane(spec.dataset.kind);
  const dataset = built ?? (stale ? lastBuilt : null);
  const plane = isPlane(spec.dataset.kind) || !!dataset?.plane;
  const classification = isClassification(spec.dataset.kind) || dataset?.task === 'binary';
  const domain = dataset?.plane?.domain ?? PLANE_DOMAIN;
  const showValidation = useViewStore((s) => s.showValidation);

  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(SCALE, 0, 0, SCALE, 0, 0);
    ctx.clearRect(0, 0, SIZE, SIZE);
    if (boundary) {
      const { resolution, values } = boundary;
      const image = ctx.createImageData(resolution, resolution);
      for (let i = 0; i < values.length; i++) {
        const [r, g, b] = divergingColor(toUnit(values[i], classification));
        image.data.set([r, g, b, 200], i * 4);
      }
      // Draw the small grid image, then scale it up smoothly to the canvas.
      const tmp = document.createElement('canvas');
      tmp.width = tmp.height = resolution;
      tmp.getContext('2d')!.putImageData(image, 0, 0);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(tmp, 0, 0, SIZE, SIZE);
    } else {
      ctx.fillStyle = '#fafafa';
      ctx.fillRect(0, 0, SIZE, SIZE);
    }
    if (!dataset) return;
    const toPx = (v: number, [lo, hi]: number[]) => ((v - lo) / (hi - lo)) * SIZE;
    const draw = (points: Float32Array, y: Float32Array, validation: boolean) => {
      for (let i = 0; i < y.length; i++) {
        const [r, g, b] = classification ? (y[i] ? POSITIVE : NEGATIVE) : divergingColor(toUnit(y[i], false));
        ctx.beginPath();
        ctx.arc(
          toPx(points[2 * i], domain.x),
          SIZE - toPx(points[2 * i + 1], domain.y),
          validation ? 3.2 : 2.6,
          0,
          2 * Math.PI,
        );
        if (validation) {
          ctx.strokeStyle = `rgb(${r},${g},${b})`;
          ctx.lineWidth = 1.6;
          ctx.stroke();
        } else {
          ctx.fillStyle = `rgb(${r},${g},${b})`;
          ctx.fill();
          ctx.strokeStyle = 'white';
          ctx.lineWidth = 0.8;
          ctx.stroke();
        }
      }
    };
    draw(dataset.train.points, dataset.train.y, false);
    if (showValidation) draw(dataset.validation.points, dataset.validation.y, true);
    if (canvas.current) canvas.current.dataset.epoch = String(boundary ? epoch : 0);
  }, [dataset, boundary, epoch, classification, showValidation, domain]);

  if (!plane) {
    return (
      <p className="muted" data-testid="boundary-not-plane">
        Decision boundaries are drawn over the plane, for the 2-D datasets. This dataset has{' '}
        {isImage(spec.dataset.kind) ? 'pixel inputs' : 'more inputs'}: follow its loss and accuracy curves.
      </p>
    );
  }
  const drawing = editable && classification;
  // The controls stay (disabled) while a run trains, so nothing below them moves when it starts or ends.
  const drawControls = classification && isPlane(spec.dataset.kind);
  return (
    <figure className="boundary">
      <canvas
        ref={canvas}
        width={SIZE * SCALE}
        height={SIZE * SCALE}
        data-testid="boundary-canvas"
        aria-label="Decision boundary with training and validation points"
        {...(drawing ? drawHandlers(spec) : {})}
        className={drawing ? 'drawable' : undefined}
      />
      {drawControls && <DrawControls spec={spec} disabled={!drawing} />}
      <div className="row boundary-key">
        <ColourScale classification={classification} />
        <label className="small">
          <input
            type="checkbox"
            name="show-validation"
            checked={showValidation}
            onChange={(e) => useViewStore.getState().set({ showValidation: e.target.checked })}
          />{' '}
          validation points
        </label>
      </div>
      {stale && (
        <p className="note" data-testid="boundary-stale">
          A setting needs fixing (its field is marked): this is the data as it was before that edit.
        </p>
      )}
      <figcaption>
        <span className="caption-text">
          {classification
            ? `Predicted probability of the blue class${dataset?.table?.classes ? ` (${dataset.table.classes[1]})` : ''}`
            : 'Predicted value'}
          {dataset?.table
            ? ` over ${dataset.table.inputNames[0]} (across) and ${dataset.table.inputNames[1]} (up). `
            : ' over x₁, x₂ ∈ [−6, 6]. '}
          Filled dots: training{showValidation ? ', rings: validation' : ''}.
        </span>
        {!boundary && ' Train to draw the model’s prediction.'}{' '}
        <button
          type="button"
          className="link-button"
          onClick={() => canvas.current && downloadCanvas(canvas.current, 'decision-boundary')}
        >
          Download PNG
        </button>
      </figcaption>
    </figure>
  );
}

/** What the heatmap's colours mean: a probability of the blue class, or a (standardised) predicted value. */
function ColourScale({ classification }: { classification: boolean }) {
  const rgb = (t: number) => `rgb(${divergingColor(t).join(',')})`;
  const ends = classification ? ['0', '0.5', '1'] : ['−1', '0', '+1'];
  return (
    <div
      className="colour-scale small"
      data-testid="colour-scale"
      role="img"
      aria-label={
        classification
          ? 'Colour scale: probability 0 orange, 0.5 grey, 1 blue'
          : 'Colour scale: prediction −1 orange, 0 grey, +1 blue'
      }
    >
      <span
        className="colour-scale-bar"
        style={{ background: `linear-gradient(to right, ${rgb(0)}, ${rgb(0.5)}, ${rgb(1)})` }}
      />
      <span className="colour-scale-labels" aria-hidden="true">
        {ends.map((e) => (
          <span key={e}>{e}</span>
        ))}
      </span>
      <span className="colour-scale-unit" aria-hidden="true">
        {classification ? 'probability of blue' : 'predicted value (standardised)'}
      </span>
    </div>
  );
}

/** Where a click falls on the plane, in data units. */
function planeAt(e: MouseEvent<HTMLCanvasElement>): [number, number] {
  const r = e.currentTarget.getBoundingClientRect();
  const round = (v: number) => Math.round(Math.max(-DOMAIN, Math.min(DOMAIN, v)) * 1000) / 1000;
  return [
    round(((e.clientX - r.left) / r.width) * 2 * DOMAIN - DOMAIN),
    round(DOMAIN - ((e.clientY - r.top) / r.height) * 2 * DOMAIN),
  ];
}

/** Click: add a point of the chosen class (shift: the other); right-click: take the nearest point away. */
function drawHandlers(spec: ExperimentSpec) {
  const update = useSpecStore.getState().update;
  return {
    onClick(e: MouseEvent<HTMLCanvasElement>) {
      const [x1, x2] = planeAt(e);
      const chosen = useViewStore.getState().drawClass;
      const label = e.shiftKey ? 1 - chosen : chosen;
      update((d) => {
        if (d.dataset.drawn.added.length < LIMITS.drawnPoints.max) d.dataset.drawn.added.push([x1, x2, label]);
      });
    },
    onContextMenu(e: MouseEvent<HTMLCanvasElement>) {
      e.preventDefault();
      const [x1, x2] = planeAt(e);
      const d = spec.dataset;
      const generated = generate2d(d.kind as PlaneDatasetKind, d.samples, d.noise, deriveSeed(spec.seed, 'data'));
      // Within about 10 pixels of the click.
      const hit = nearestPoint(
        generated,
        d.drawn,
        x1,
        x2,
        (10 / (e.currentTarget.getBoundingClientRect().width || SIZE)) * 2 * DOMAIN,
      );
      if (!hit) return;
      update((draft) => {
        if ('added' in hit) draft.dataset.drawn.added.splice(hit.added, 1);
        else draft.dataset.drawn.removed = [...draft.dataset.drawn.removed, hit.generated].sort((a, b) => a - b);
      });
    },
  };
}

/** The class a click adds, and ways back: clear the hand-made changes, or draw a fresh sample. */
function DrawControls({ spec, disabled }: { spec: ExperimentSpec; disabled: boolean }) {
  const drawClass = useViewStore((s) => s.drawClass);
  const update = useSpecStore((s) => s.update);
  const { added, removed } = spec.dataset.drawn;
  return (
    <div className="draw-controls small">
      <span>
        {disabled
          ? 'Points can be added and removed once the run ends.'
          : 'Click adds a point (shift: the other class), right-click removes one.'}
      </span>
      <div className="row" role="radiogroup" aria-label="Class of a clicked point">
        <span>New points:</span>
        <label>
          <input
            type="radio"
            name="draw-class"
            disabled={disabled}
            checked={drawClass === 1}
            onChange={() => useViewStore.getState().set({ drawClass: 1 })}
          />{' '}
          blue
        </label>
        <label>
          <input
            type="radio"
            name="draw-class"
            disabled={disabled}
            checked={drawClass === 0}
            onChange={() => useViewStore.getState().set({ drawClass: 0 })}
          />{' '}
          orange
        </label>
        <button
          type="button"
          disabled={disabled || added.length + removed.length === 0}
          onClick={() =>
            update((d) => {
              d.dataset.drawn = { added: [], removed: [] };
            })
          }
        >
          Clear my changes
        </button>
        <button
          type="button"
          disabled={disabled}
          title="A fresh sample: the next seed, without your changes"
          onClick={() =>
            update((d) => {
              d.seed = (d.seed + 1) % (LIMITS.seed.max + 1);
              d.dataset.drawn = { added: [], removed: [] };
            })
          }
        >
          Regenerate
        </button>
      </div>
      {(added.length > 0 || removed.length > 0) && (
        <span data-testid="drawn-count">
          {added.length} point{added.length === 1 ? '' : 's'} added, {removed.length} removed by hand.
          {added.length >= LIMITS.drawnPoints.max &&
            ` That is the most a plane takes (${LIMITS.drawnPoints.max.toLocaleString('en-US')}): a click adds no more; right-click removes some to make room.`}
        </span>
      )}
    </div>
  );
}
