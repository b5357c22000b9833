// Two runs side by side: every field of their specs that differs.
import { useState } from 'react';
import type { Run } from '../state/runStore';
import { diffSpecs, fieldLabel } from '../experiment';

/** Pick two runs and see what differs between their experiments, field by field. */
export function SpecDiff({ runs }: { runs: Run[] }) {
  const [ids, setIds] = useState<[number | null, number | null]>([null, null]);
  const a = runs.find((r) => r.id === ids[0]) ?? runs.at(-2);
  const b = runs.find((r) => r.id === ids[1]) ?? runs.at(-1);
  if (runs.length < 2 || !a || !b) return null;
  const diffs = diffSpecs(a.spec, b.spec);
  const pick = (which: 0 | 1, run: Run) => (
    <select
      aria-label={`Run ${which === 0 ? 'A' : 'B'} for the diff`}
      value={run.id}
      onChange={(e) =>
        setIds((prev) => (which === 0 ? [Number(e.target.value), prev[1]] : [prev[0], Number(e.target.value)]))
      }
    >
      {runs.map((r) => (
        <option key={r.id} value={r.id}>
          {r.name}
        </option>
      ))}
    </select>
  );
  return (
    <details className="spec-diff" data-testid="spec-diff">
      <summary>What differs between two runs</summary>
      <div className="row">
        {pick(0, a)}
        {pick(1, b)}
      </div>
      {diffs.length === 0 ? (
        <p>The two runs have identical settings.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th>setting</th>
              <th>A</th>
              <th>B</th>
            </tr>
          </thead>
          <tbody>
            {diffs.map((d) => (
              <tr key={d.path}>
                <td title={d.path}>{fieldLabel(d.path, b.spec.model)}</td>
                <td>{String(d.a ?? '—')}</td>
                <td>{String(d.b ?? '—')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </details>
  );
}
