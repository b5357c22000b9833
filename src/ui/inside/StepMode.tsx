import { memo } from 'react';
import type { Inspection } from '../../engine/types';
import { chainRule, type Backprop, type BackpropTask } from '../../engine/backprop';
import type { WeightRef } from './NetworkGraph';

const fmt = (v: number) => (Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(2));
const MAX_UNITS = 8;
const argMax = (xs: number[]) => xs.indexOf(Math.max(...xs));
const list = (xs: number[]) => xs.slice(0, MAX_UNITS).map(fmt).join(', ') + (xs.length > MAX_UNITS ? ', …' : '');

/**
 * One example through the network: the forward pass layer by layer, then the backward pass,
 * and the chain rule for the chosen weight, checked against tf's autodiff of the same loss.
 */
export const StepMode = memo(function StepMode({
  inspection,
  bp,
  weight,
  task,
}: {
  inspection: Inspection;
  bp: Backprop;
  weight: WeightRef;
  task: BackpropTask;
}) {
  const { layers, example } = inspection;
  const out = bp.a[bp.a.length - 1][0];
  const term = chainRule(bp, layers, weight.l, weight.i, weight.j);
  const layer = layers[weight.l];
  const autodiff = example.weightGrads[weight.l][weight.i * layer.outputs + weight.j];
  const agree = Math.abs(autodiff - term.product) <= 1e-5 + 1e-4 * Math.abs(autodiff);
  const inputName = weight.l === 0 ? `x${weight.i}` : `a${weight.l}[${weight.i}]`;
  return (
    <div className="step-mode" data-testid="step-mode">
      <p className="small">
        Example #{example.index}
        {example.point && `: point (${example.point[0].toFixed(2)}, ${example.point[1].toFixed(2)})`}, target{' '}
        {task === 'multiclass' ? example.target : example.target.toFixed(3)}; model says{' '}
        {task === 'binary'
          ? `p = σ(${fmt(out)}) = ${fmt(1 / (1 + Math.exp(-out)))}`
          : task === 'multiclass'
            ? `class ${argMax(bp.a[bp.a.length - 1])}`
            : fmt(out)}
        ; loss {fmt(bp.loss)}. Weights after step {inspection.step}.
      </p>
      <table className="bp-table">
        <thead>
          <tr>
            <th>layer</th>
            <th>forward: z = a·W + b</th>
            <th>a = f(z)</th>
            <th>backward: dL/da</th>
            <th>dL/dz = dL/da · f′(z)</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>input</td>
            <td colSpan={2} className="mono">
              {list(bp.inputs[0])}
            </td>
            <td colSpan={2} />
          </tr>
          {layers.map((l, i) => (
            <tr key={i}>
              <td>
                {l.name} <span className="muted">({l.activation})</span>
              </td>
              <td className="mono">{list(bp.z[i])}</td>
              <td className="mono">{list(bp.a[i])}</td>
              <td className="mono">{list(bp.dA[i])}</td>
              <td className="mono">{list(bp.dZ[i])}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="chain-rule" data-testid="chain-rule">
        <div>
          <strong>
            {layer.name}: w[{weight.i}→{weight.j}]
          </strong>{' '}
          — dL/dw = dL/da{weight.l + 1}[{weight.j}] × f′(z{weight.l + 1}[{weight.j}]) × {inputName}
        </div>
        <div className="mono">
          = {fmt(term.upstream)} × {fmt(term.local)} × {fmt(term.input)} = <strong>{fmt(term.product)}</strong>
        </div>
        <div className={agree ? 'agree' : 'disagree'} data-testid="autodiff-check">
          tf autodiff: {fmt(autodiff)} {agree ? '✓ agrees' : '✗ differs'}
        </div>
      </div>
    </div>
  );
});
