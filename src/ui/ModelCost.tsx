// What a model costs, as the builder shows it: parameters and FLOPs per layer, and the memory a run needs.
import { layerEpochFlops, type ModelCost } from '../engine/cost';
import { evaluatedExamples, type EpochPlan } from '../engine/epochPlan';
import { formatMemory, MEMORY_BUDGET } from '../engine/memoryEstimate';
import type { ModelCosts } from './useModelCost';
import { formatCount } from './fields';

/** Parameters and FLOPs per layer: per example forward and backward, and per epoch as this experiment trains. */
export function CostTable({ cost, plan, unit }: { cost: ModelCost; plan: EpochPlan; unit: string }) {
  const perEpoch = cost.layers.map((l) => layerEpochFlops(l, plan.trained, evaluatedExamples(plan)));
  const epochTotal = perEpoch.reduce((a, b) => a + b, 0);
  return (
    <>
      {/* Focusable, so a keyboard can scroll it where a long layer name still makes it too wide. */}
      <div className="cost-table-wrap" role="region" aria-label="Parameters and FLOPs per layer" tabIndex={0}>
        <table className="cost-table" data-testid="cost-table">
          <caption>
            FLOPs per {unit}: forward, backward (≈ 2× forward, 1× where the input is data); and per epoch
          </caption>
          <thead>
            <tr>
              <th scope="col">Layer</th>
              <th scope="col">Params</th>
              <th scope="col" title={`forward FLOPs per ${unit}`}>
                Fwd
              </th>
              <th scope="col" title="weight gradients, and input gradients where the input is not data">
                Bwd
              </th>
              <th scope="col">Epoch</th>
            </tr>
          </thead>
          <tbody>
            {cost.layers.map((l, i) => (
              <tr key={l.name}>
                <td>{l.name}</td>
                <td>{formatCount(l.params)}</td>
                <td>{formatCount(l.forwardFlops)}</td>
                <td>{formatCount(l.backwardFlops)}</td>
                <td>{formatCount(perEpoch[i])}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <td>Total</td>
              <td>{formatCount(cost.params)}</td>
              <td>{formatCount(cost.forwardFlops)}</td>
              <td>{formatCount(cost.backwardFlops)}</td>
              <td>{formatCount(epochTotal)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      <div className="totals" data-testid="param-total">
        Total <strong>{cost.params.toLocaleString('en-US')}</strong> parameters · {formatCount(cost.forwardFlops)} FLOPs
        forward per {unit} · {formatCount(epochTotal)} FLOPs per epoch ({plan.trained.toLocaleString('en-US')} trained,{' '}
        {evaluatedExamples(plan).toLocaleString('en-US')} evaluated)
      </div>
    </>
  );
}

/** The memory a run needs, part by part, against what its backend can be given. */
export function MemoryLine({ costs, error }: { costs: ModelCosts; error?: string }) {
  const m = costs.memory!;
  return (
    <div className={`totals memory${error ? ' field-invalid' : ''}`} data-field="memory" data-testid="memory-estimate">
      Memory ≈ <strong>{formatMemory(m.total)}</strong> on {costs.backend} (at most{' '}
      {formatMemory(MEMORY_BUDGET[costs.backend])}): parameters {formatMemory(m.parameters)}, gradients{' '}
      {formatMemory(m.gradients)}, optimizer state {formatMemory(m.optimizer)}, one batch&apos;s activations{' '}
      {formatMemory(m.activations)}, data {formatMemory(m.data)}.
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
