// Runs in and out of the browser as files: export, import (picker or drop), metrics CSV, weights.
import { useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useRunStore, type Run } from '../state/runStore';
import { useSpecStore } from '../state/specStore';
import { looksLikeSafetensors } from '../export/safetensors';
import type { ExperimentSpec } from '../experiment';
import { download } from './download';

/** Export, import and tables: run files, weights and CSV, by button or by dropping a file on the page. */
export function RunFiles({ runs }: { runs: Run[] }) {
  const store = useRunStore(useShallow((s) => ({ exportRuns: s.exportRuns, metricsCsv: s.metricsCsv })));
  const spec = useSpecStore((s) => s.spec);
  const [withWeights, setWithWeights] = useState(true);
  const runInput = useRef<HTMLInputElement>(null);
  const weightsInput = useRef<HTMLInputElement>(null);
  const shown = runs.filter((r) => r.visible).map((r) => r.id);
  const stamp = () => new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
  const exportRuns = async () =>
    download(`runs-${stamp()}.json`, await store.exportRuns(shown, withWeights), 'application/json');
  return (
    <div className="run-files">
      <div className="row">
        <button
          type="button"
          disabled={shown.length === 0}
          onClick={() => void exportRuns()}
          title="The runs shown on the charts, as one run file"
        >
          Export shown runs
        </button>
        <label className="small">
          <input type="checkbox" checked={withWeights} onChange={(e) => setWithWeights(e.target.checked)} /> with their
          models
        </label>
        <button
          type="button"
          disabled={shown.length === 0}
          onClick={() => download(`metrics-${stamp()}.csv`, store.metricsCsv(shown), 'text/csv')}
        >
          Metrics CSV
        </button>
      </div>
      <div className="row">
        <button type="button" onClick={() => runInput.current?.click()}>
          Import run file…
        </button>
        <button
          type="button"
          onClick={() => weightsInput.current?.click()}
          title="A .safetensors file downloaded from a run here: sample, inspect or train it further"
        >
          Load weights…
        </button>
        <span className="small muted">or drop a file on the page</span>
      </div>
      <input
        ref={runInput}
        type="file"
        accept=".json,application/json"
        hidden
        aria-label="Run file to import"
        onChange={(e) => {
          void openFiles(e.target.files, spec);
          e.target.value = '';
        }}
      />
      <input
        ref={weightsInput}
        type="file"
        accept=".safetensors"
        hidden
        aria-label="Weights file to load"
        onChange={(e) => {
          void openFiles(e.target.files, spec);
          e.target.value = '';
        }}
      />
    </div>
  );
}

/** Run files and weight files, however they arrive (picker or drop): by their content, not only their name. */
export async function openFiles(files: FileList | null, spec: ExperimentSpec): Promise<void> {
  const store = useRunStore.getState();
  for (const file of Array.from(files ?? [])) {
    const head = new Uint8Array(await file.slice(0, 16).arrayBuffer());
    if (file.name.endsWith('.safetensors') || looksLikeSafetensors(head, file.size))
      store.uploadWeights(new Uint8Array(await file.arrayBuffer()), file.name, spec);
    else await store.importRuns(file);
  }
}
