import { useEffect, useRef } from 'react';
import type { ForecastSnapshot } from '../../engine/types';
import { downloadCanvas } from '../imageExport';

const SIZE = 320;
const PAD = 34;

/** Regression on a table: each validation row's prediction against its true value (the diagonal is perfect). */
export function ScatterView({ values }: { values: ForecastSnapshot | undefined }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx || !values) return;
    const all = [...values.truth, ...values.predicted];
    const lo = Math.min(...all);
    const hi = Math.max(...all);
    const span = hi - lo || 1;
    const px = (v: number) => PAD + ((v - lo) / span) * (SIZE - PAD - 8);
    const py = (v: number) => SIZE - PAD - ((v - lo) / span) * (SIZE - PAD - 8);
    ctx.fillStyle = 'white';
    ctx.fillRect(0, 0, SIZE, SIZE);
    ctx.strokeStyle = '#bbb';
    ctx.beginPath();
    ctx.moveTo(px(lo), py(lo));
    ctx.lineTo(px(hi), py(hi));
    ctx.stroke();
    ctx.fillStyle = 'rgba(8,119,189,0.6)';
    values.truth.forEach((t, i) => {
      ctx.beginPath();
      ctx.arc(px(t), py(values.predicted[i]), 2.5, 0, 2 * Math.PI);
      ctx.fill();
    });
    ctx.fillStyle = '#333';
    ctx.font = '11px sans-serif';
    ctx.textAlign = 'center';
    ctx.fillText('true value', SIZE / 2, SIZE - 6);
    ctx.fillText(lo.toPrecision(3), px(lo), SIZE - PAD + 14);
    ctx.fillText(hi.toPrecision(3), px(hi) - 10, SIZE - PAD + 14);
    ctx.save();
    ctx.translate(10, SIZE / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText('predicted', 0, 0);
    ctx.restore();
  }, [values]);
  if (!values) return <p className="muted">Train to see each validation row’s prediction against its true value.</p>;
  return (
    <figure className="scatter">
      <canvas
        ref={canvas}
        width={SIZE}
        height={SIZE}
        data-testid="scatter-canvas"
        aria-label={`Predicted against true value for ${values.truth.length} validation rows`}
      />
      <figcaption>
        {values.truth.length} validation rows, in the target’s units; on the grey diagonal the prediction is exact.{' '}
        <button
          type="button"
          className="link-button"
          onClick={() => canvas.current && downloadCanvas(canvas.current, 'predicted-vs-true')}
        >
          Download PNG
        </button>
      </figcaption>
    </figure>
  );
}
