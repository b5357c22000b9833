import { useEffect, useRef } from 'react';
import { downloadConfusionPng } from '../imageExport';
import { confusionColor } from '../colors';
import type { ClassesSnapshot, MisclassifiedShape } from '../../engine/types';
import { classificationReport } from '../../engine/classMetrics';

/** Runs kept before the snapshot said its images' size had MNIST's digits. */
const DIGITS: MisclassifiedShape = { height: 28, width: 28, channels: 1, ink: true };

function Thumbnail({ pixels, shape, label }: { pixels: Uint8Array; shape: MisclassifiedShape; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const { height, width, channels, ink } = shape;
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    const image = ctx.createImageData(width, height);
    for (let p = 0; p < height * width; p++) {
      const rgb = channels === 3 ? pixels.subarray(3 * p, 3 * p + 3) : [pixels[p], pixels[p], pixels[p]];
      image.data.set([...Array.from(rgb, (v) => (ink ? 255 - v : v)), 255], p * 4);
    }
    ctx.putImageData(image, 0, 0);
  }, [pixels, height, width, channels, ink]);
  return <canvas ref={canvas} width={width} height={height} aria-label={label} title={label} />;
}

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

/** Precision, recall and F1 of each class on the validation examples, and their unweighted (macro) means. */
function ClassScoresTable({ confusion, labels }: { confusion: number[]; labels: string[] }) {
  const report = classificationReport(confusion);
  return (
    <table className="class-scores" data-testid="class-scores">
      <caption className="small">Validation scores per class</caption>
      <thead>
        <tr>
          <th scope="col">class</th>
          <th scope="col">precision</th>
          <th scope="col">recall</th>
          <th scope="col">F1</th>
          <th scope="col">examples</th>
        </tr>
      </thead>
      <tbody>
        {report.perClass.map((c, i) => (
          <tr key={labels[i]}>
            <th scope="row">{labels[i]}</th>
            <td>{c.present ? pct(c.precision) : '—'}</td>
            <td>{c.present ? pct(c.recall) : '—'}</td>
            <td>{c.present ? pct(c.f1) : '—'}</td>
            <td>{c.support}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th
            scope="row"
            title="The unweighted mean over the classes that occur as a label or a prediction (scikit-learn's macro average); a class that does neither (—) is left out."
          >
            macro average
            {report.perClass.some((c) => !c.present) ? ' (classes with — left out)' : ''}
          </th>
          <td>{pct(report.macro.precision)}</td>
          <td>{pct(report.macro.recall)}</td>
          <td>{pct(report.macro.f1)}</td>
          <td>{report.total}</td>
        </tr>
      </tfoot>
    </table>
  );
}

/** The validation confusion matrix (rows: true class, columns: predicted) and, for MNIST, digits it got wrong. */
export function ClassesView({ classes }: { classes: ClassesSnapshot | undefined }) {
  if (!classes) return <p className="muted">Train to see the confusion matrix of the validation examples.</p>;
  const { confusion, misclassified } = classes;
  const k = Math.round(Math.sqrt(confusion.length));
  const labels = classes.labels ?? Array.from({ length: k }, (_, i) => String(i));
  const rowTotals = Array.from({ length: k }, (_, t) => confusion.slice(t * k, t * k + k).reduce((a, b) => a + b, 0));
  const total = rowTotals.reduce((a, b) => a + b, 0);
  const right = Array.from({ length: k }, (_, d) => confusion[d * (k + 1)]).reduce((a, b) => a + b, 0);
  return (
    <div className="classes">
      <table className="confusion" data-testid="confusion-matrix" aria-label="Confusion matrix">
        <thead>
          <tr>
            <th title="true class ↓, predicted →">t\p</th>
            {labels.map((l) => (
              <th key={l}>{l}</th>
            ))}
            <th>recall</th>
          </tr>
        </thead>
        <tbody>
          {labels.map((label, t) => (
            <tr key={label}>
              <th>{label}</th>
              {labels.map((_, p) => {
                const n = confusion[t * k + p];
                const share = rowTotals[t] ? n / rowTotals[t] : 0;
                return (
                  <td
                    key={p}
                    style={n ? confusionColor(share, t === p) : undefined}
                    title={`true ${label}, predicted ${labels[p]}: ${n}`}
                  >
                    {n || ''}
                  </td>
                );
              })}
              <td>{rowTotals[t] ? `${Math.round((100 * confusion[t * (k + 1)]) / rowTotals[t])}%` : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <ClassScoresTable confusion={confusion} labels={labels} />
      <p className="small muted">
        {right} of {total} validation examples right ({((100 * right) / Math.max(1, total)).toFixed(1)}%).{' '}
        <button
          type="button"
          className="link-button"
          onClick={() => downloadConfusionPng(confusion, labels, 'confusion-matrix')}
        >
          Download PNG
        </button>
      </p>
      {misclassified.length > 0 && (
        <>
          <h3 className="subhead">
            Misclassified ({total - right}; first {misclassified.length} shown, true → predicted)
          </h3>
          <div className="digit-grid" data-testid="misclassified">
            {misclassified.map((m) => (
              <figure key={m.index}>
                <Thumbnail
                  pixels={m.pixels}
                  shape={classes.image ?? DIGITS}
                  label={`validation image ${m.index + 1}: ${labels[m.label]} predicted as ${labels[m.predicted]}`}
                />
                <figcaption title={`${labels[m.label]} → ${labels[m.predicted]}`}>
                  {labels[m.label]}→<strong>{labels[m.predicted]}</strong>
                </figcaption>
              </figure>
            ))}
          </div>
        </>
      )}
    </div>
  );
}
