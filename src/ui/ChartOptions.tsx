// How every chart draws: the x-axis, smoothing, log scale and the band of seed groups.
import { useViewStore, type XAxisKind } from '../state/viewStore';
import type { SeedBand } from '../state/seedGroups';
import { X_AXIS_LABELS } from './Charts';

/** How every chart draws: x-axis, smoothing, log scale. */
export function ChartOptions() {
  const view = useViewStore();
  return (
    <div className="chart-options">
      <label>
        x-axis{' '}
        <select name="x-axis" value={view.xAxis} onChange={(e) => view.set({ xAxis: e.target.value as XAxisKind })}>
          {(Object.keys(X_AXIS_LABELS) as XAxisKind[]).map((k) => (
            <option key={k} value={k}>
              {X_AXIS_LABELS[k]}
            </option>
          ))}
        </select>
      </label>
      <label>
        smoothing{' '}
        <input
          type="range"
          name="smoothing"
          min={0}
          max={0.95}
          step={0.05}
          value={view.smoothing}
          onChange={(e) => view.set({ smoothing: Number(e.target.value) })}
        />
        <span className="mono">{view.smoothing.toFixed(2)}</span>
      </label>
      <label>
        seeds{' '}
        <select
          name="seed-band"
          value={view.seedBand}
          onChange={(e) => view.set({ seedBand: e.target.value as SeedBand })}
        >
          <option value="minmax">mean, band min–max</option>
          <option value="std">mean, band ±1 sd</option>
          <option value="off">every run</option>
        </select>
      </label>
      <label>
        <input
          type="checkbox"
          name="log-scale"
          checked={view.logScale}
          onChange={(e) => view.set({ logScale: e.target.checked })}
        />
        log scale
      </label>
    </div>
  );
}
