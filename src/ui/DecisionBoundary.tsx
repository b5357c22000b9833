import { useEffect, useMemo, useRef } from 'react';
import { buildDataset, DOMAIN } from '../data';
import { isClassification, isPlane, validateSpec, type ExperimentSpec } from '../spec';
import type { BoundarySnapshot } from '../engine/types';
import { downloadCanvas } from './imageExport';
import { divergingColor, NEGATIVE, POSITIVE } from './colors';

const SIZE = 360;

/** Maps a regression target in about [−1, 1] (or a probability in [0, 1]) to [0, 1]. */
function toUnit(value: number, classification: boolean): number {
  return classification ? value : (value + 1) / 2;
}

/**
 * The input plane: what the model predicts everywhere as a heatmap, with the training points
 * (filled) and validation points (ringed) on top. Before training it shows the data alone.
 */
export function DecisionBoundary({ spec, boundary }: { spec: ExperimentSpec; boundary: BoundarySnapshot | null }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const plane = isPlane(spec.dataset.kind);
  const dataset = useMemo(() => (plane && validateSpec(spec).ok ? buildDataset(spec.dataset, spec.seed) : null), [spec, plane]);
  const classification = isClassification(spec.dataset.kind);

  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
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
    const toPx = (v: number) => ((v + DOMAIN) / (2 * DOMAIN)) * SIZE;
    const draw = (points: Float32Array, y: Float32Array, validation: boolean) => {
      for (let i = 0; i < y.length; i++) {
        const [r, g, b] = classification ? (y[i] ? POSITIVE : NEGATIVE) : divergingColor(toUnit(y[i], false));
        ctx.beginPath();
        ctx.arc(toPx(points[2 * i]), SIZE - toPx(points[2 * i + 1]), validation ? 3.2 : 2.6, 0, 2 * Math.PI);
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
    draw(dataset.validation.points, dataset.validation.y, true);
  }, [dataset, boundary, classification]);

  if (!plane) {
    return (
      <p className="muted" data-testid="boundary-not-plane">
        Decision boundaries are drawn over the plane, for the 2-D datasets. This dataset has {spec.dataset.kind === 'mnist' ? '784 pixel inputs' : 'more inputs'}:
        follow its loss and accuracy curves.
      </p>
    );
  }
  return (
    <figure className="boundary">
      <canvas ref={canvas} width={SIZE} height={SIZE} data-testid="boundary-canvas"
        aria-label="Decision boundary with training and validation points" />
      <figcaption>
        {classification ? 'Predicted probability of the blue class' : 'Predicted value'} over x₁, x₂ ∈ [−6, 6].
        Filled dots: training, rings: validation.
        {!boundary && ' Train to draw the model’s prediction.'}
        {' '}<button type="button" className="link-button" onClick={() => canvas.current && downloadCanvas(canvas.current, 'decision-boundary')}>Download PNG</button>
      </figcaption>
    </figure>
  );
}
