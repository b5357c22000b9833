import { memo, useState } from 'react';
import type { Inspection } from '../../engine/types';
import type { Backprop } from '../../engine/backprop';
import { divergingColor, NEGATIVE, POSITIVE } from '../colors';

export interface WeightRef {
  l: number;
  i: number;
  j: number;
}

/** Networks larger than this are summarised by the charts instead of drawn edge by edge. */
export const GRAPH_LIMITS = { units: 16, inputs: 8 };

export function graphFits(inspection: Inspection): boolean {
  return inspection.layers.every(
    (l) => l.outputs <= GRAPH_LIMITS.units && l.inputs <= Math.max(GRAPH_LIMITS.units, GRAPH_LIMITS.inputs),
  );
}

/** The same choice as clicking an edge, for a keyboard: layer, from-unit and to-unit. */
function WeightPicker({
  layers,
  selected,
  onSelect,
}: {
  layers: Inspection['layers'];
  selected: WeightRef;
  onSelect: (w: WeightRef) => void;
}) {
  const layer = layers[selected.l];
  const options = (n: number) =>
    Array.from({ length: n }, (_, k) => (
      <option key={k} value={k}>
        {k}
      </option>
    ));
  return (
    <div className="weight-picker small" role="group" aria-label="Pick a weight">
      <label>
        Weight in{' '}
        <select
          name="weight-layer"
          value={selected.l}
          onChange={(e) => onSelect({ l: Number(e.target.value), i: 0, j: 0 })}
        >
          {layers.map((l, k) => (
            <option key={k} value={k}>
              {l.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        from unit{' '}
        <select
          name="weight-from"
          value={selected.i}
          onChange={(e) => onSelect({ ...selected, i: Number(e.target.value) })}
        >
          {options(layer.inputs)}
        </select>
      </label>
      <label>
        to unit{' '}
        <select
          name="weight-to"
          value={selected.j}
          onChange={(e) => onSelect({ ...selected, j: Number(e.target.value) })}
        >
          {options(layer.outputs)}
        </select>
      </label>
    </div>
  );
}

const W = 560;
const H = 280;
const rgb = (c: readonly number[]) => `rgb(${c[0]},${c[1]},${c[2]})`;

/**
 * The network, neurons coloured by their activation for the chosen example, edges by the sign
 * (blue +, orange −) and size of their weight. Hover an edge for its weight, last-batch gradient
 * and optimizer state; click it to follow it through the chain rule below.
 */
export const NetworkGraph = memo(function NetworkGraph({
  inspection,
  bp,
  selected,
  onSelect,
}: {
  inspection: Inspection;
  bp: Backprop;
  selected: WeightRef;
  onSelect: (w: WeightRef) => void;
}) {
  const [hover, setHover] = useState<WeightRef | null>(null);
  const { layers } = inspection;
  const widths = [layers[0].inputs, ...layers.map((l) => l.outputs)];
  const colX = (c: number) => 30 + (c * (W - 60)) / (widths.length - 1);
  const nodeY = (c: number, k: number) => (H * (k + 1)) / (widths[c] + 1);
  const values = [bp.inputs[0], ...bp.a];
  const shown = hover ?? selected;
  const info = layers[shown.l];
  const k = shown.i * info.outputs + shown.j;
  return (
    <div className="graph">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label="Network graph" data-testid="network-graph">
        {layers.map((layer, l) => {
          const maxAbs = Math.max(1e-9, ...Array.from(layer.weights, Math.abs));
          return Array.from(layer.weights, (w, idx) => {
            const i = Math.floor(idx / layer.outputs);
            const j = idx % layer.outputs;
            const isSel = selected.l === l && selected.i === i && selected.j === j;
            return (
              <line
                key={`${l}-${idx}`}
                x1={colX(l)}
                y1={nodeY(l, i)}
                x2={colX(l + 1)}
                y2={nodeY(l + 1, j)}
                stroke={isSel ? '#000' : rgb(w >= 0 ? POSITIVE : NEGATIVE)}
                strokeWidth={isSel ? 3 : 0.4 + (3 * Math.abs(w)) / maxAbs}
                strokeOpacity={isSel ? 1 : 0.75}
                onMouseEnter={() => setHover({ l, i, j })}
                onMouseLeave={() => setHover(null)}
                onClick={() => onSelect({ l, i, j })}
                style={{ cursor: 'pointer' }}
              >
                <title>{`${layer.name}: w[${i}→${j}] = ${w.toPrecision(4)}`}</title>
              </line>
            );
          });
        })}
        {widths.map((n, c) =>
          Array.from({ length: n }, (_, j) => {
            const v = values[c][j];
            return (
              <circle
                key={`${c}-${j}`}
                cx={colX(c)}
                cy={nodeY(c, j)}
                r={8}
                stroke="#555"
                strokeWidth={0.8}
                fill={rgb(divergingColor((Math.tanh(v) + 1) / 2))}
              >
                <title>{`${c === 0 ? 'input' : layers[c - 1].name} unit ${j}: ${c === 0 ? 'x' : 'a'} = ${v.toPrecision(4)}`}</title>
              </circle>
            );
          }),
        )}
        {widths.map((_, c) => (
          <text key={c} x={colX(c)} y={12} fontSize={10} textAnchor="middle" fill="#555">
            {c === 0 ? 'input' : layers[c - 1].name}
          </text>
        ))}
      </svg>
      <div className="graph-info" data-testid="weight-info">
        <strong>
          {info.name}: w[{shown.i}→{shown.j}]
        </strong>{' '}
        = {info.weights[k].toPrecision(4)}
        {info.weightGrad && <> · last-batch gradient {info.weightGrad[k].toPrecision(4)}</>}
        {Object.entries(info.slots).map(([name, v]) => (
          <span key={name}>
            {' '}
            · {name} {v[k].toPrecision(4)}
          </span>
        ))}
        {!hover && <span className="muted"> (hover an edge, click to pick it, or choose it below)</span>}
      </div>
      <WeightPicker layers={layers} selected={selected} onSelect={onSelect} />
    </div>
  );
});
