import { useEffect, useRef, useState } from 'react';
import { hasModel, useRunStore, type Run } from '../../state/runStore';
import { useViewStore } from '../../state/viewStore';
import { downloadCanvas } from '../imageExport';
import type { AttentionSnapshot } from '../../engine/types';

const CELL_MAX = 18;
const SIZE = 340;

function Heatmap({ a, layer, head }: { a: AttentionSnapshot; layer: number; head: number }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const t = a.tokens.length;
  const cell = Math.max(2, Math.min(CELL_MAX, Math.floor(SIZE / t)));
  const margin = cell >= 8 ? 14 : 0;
  const side = margin + cell * t;
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    // Twice the CSS pixels: sharp, and its PNG at 2× like the charts'.
    ctx.setTransform(2, 0, 0, 2, 0, 0);
    ctx.clearRect(0, 0, side, side);
    const base = (layer * a.heads + head) * t * t;
    for (let q = 0; q < t; q++) {
      for (let k = 0; k < t; k++) {
        const w = a.weights[base + q * t + k];
        ctx.fillStyle = k > q ? '#f4f4f4' : `rgba(8,119,189,${Math.sqrt(w)})`;
        ctx.fillRect(margin + k * cell, margin + q * cell, cell - (cell > 4 ? 1 : 0), cell - (cell > 4 ? 1 : 0));
      }
    }
    if (margin) {
      ctx.fillStyle = '#333';
      ctx.font = `${Math.min(11, cell)}px monospace`;
      ctx.textAlign = 'center';
      const label = (c: string) => (c === ' ' ? '␣' : c === '\n' ? '↵' : c);
      a.tokens.forEach((c, i) => {
        ctx.fillText(label(c), margin + i * cell + cell / 2, 10);
        ctx.fillText(label(c), 7, margin + i * cell + cell * 0.75);
      });
    }
  }, [a, layer, head, t, cell, margin, side]);
  return (
    <>
      <canvas
        ref={canvas}
        width={2 * side}
        height={2 * side}
        style={{ width: side }}
        data-testid="attention-heatmap"
        aria-label={`Attention of layer ${layer + 1}, head ${head + 1}: rows are queries, columns the tokens they attend to`}
      />
      <button
        type="button"
        className="link-button"
        onClick={() =>
          canvas.current && downloadCanvas(canvas.current, `attention-layer-${layer + 1}-head-${head + 1}`)
        }
      >
        Download PNG
      </button>
    </>
  );
}

/** Attention weights per layer and head for a chosen input (rows: each position; columns: what it attends to). */
export function AttentionView({ run }: { run: Run }) {
  const attentionText = useViewStore((s) => s.attentionText);
  const setView = useViewStore((s) => s.set);
  const attentionFor = useRunStore((s) => s.attentionFor);
  const [draft, setDraft] = useState(attentionText ?? '');
  const [layer, setLayer] = useState(0);
  const [head, setHead] = useState(0);
  // The answer to a typed text wins until the next epoch brings the chosen text's attention anew.
  const a = run.asked.attention ?? run.views.attention;
  const live = hasModel(run);
  if (!a) return <p className="muted">Attention maps appear after the first epoch.</p>;
  const l = Math.min(layer, a.layers - 1);
  const h = Math.min(head, a.heads - 1);
  const apply = () => {
    const text = draft.trim() ? draft : null;
    setView({ attentionText: text });
    if (text && live) attentionFor(run.id, text);
  };
  return (
    <div className="attention">
      <div className="row">
        <div className="field">
          <label htmlFor="attention-text">Input text</label>
          <input
            id="attention-text"
            name="attention.text"
            value={draft}
            placeholder="the first validation window"
            onChange={(e) => setDraft(e.target.value)}
          />
        </div>
        <button
          type="button"
          onClick={apply}
          title={live ? undefined : 'This run kept no model: shown from the next run on'}
        >
          Show
        </button>
      </div>
      {run.asked.error && (
        <div className="field-error" role="alert">
          {run.asked.error}
        </div>
      )}
      <div className="row">
        <label className="field">
          Layer
          <select name="attention.layer" value={l} onChange={(e) => setLayer(Number(e.target.value))}>
            {Array.from({ length: a.layers }, (_, i) => (
              <option key={i} value={i}>
                {i + 1}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          Head
          <select name="attention.head" value={h} onChange={(e) => setHead(Number(e.target.value))}>
            {Array.from({ length: a.heads }, (_, i) => (
              <option key={i} value={i}>
                {i + 1}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Heatmap a={a} layer={l} head={h} />
      <p className="small muted">
        Row: the position predicting the next character; column: the earlier characters it reads (darker = more weight;
        the causal mask hides later ones).
      </p>
    </div>
  );
}
