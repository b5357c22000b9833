// The person's own CSV table in the Data panel: pasted or uploaded (read in the file-reading worker with progress),
// the column to predict and the task chosen, and how it will be encoded; kept in this browser, never in links.
import { useEffect, useState } from 'react';
import { useSpecStore } from '../state/specStore';
import { useTableStore } from '../state/tableStore';
import { MAX_TABLE_BYTES, TABLE_LIMITS } from '../data/table';
import { TABLE_TASKS, TABLE_TASK_LABELS, type ExperimentSpec } from '../experiment';
import { useTablePlan } from './useTablePlan';

/** The person's CSV: paste or upload, pick the target column and the task, see how it will be encoded. */
export function UserTable({ spec, errors }: { spec: ExperimentSpec; errors: Record<string, string> }) {
  const { preview, whole, given, source, table, problem, reading, storageNote, set } = useTableStore();
  const update = useSpecStore((s) => s.update);
  const plan = useTablePlan(spec);
  const [readError, setReadError] = useState<string | null>(null);
  const upload = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > MAX_TABLE_BYTES) {
      setReadError(
        `Your table: ${file.name} is ${(file.size / 1e6).toFixed(1)} MB, over the ${MAX_TABLE_BYTES / 1e6} MB limit.`,
      );
      return;
    }
    setReadError(null);
    // Read in the file-reading worker, with progress; the page stays free meanwhile.
    await set(file, file.name);
    // A fresh file: all its rows.
    const parsed = useTableStore.getState().table;
    if (parsed) {
      update((d) => {
        d.dataset.samples = parsed.rowCount;
      });
    }
  };
  // Any table, uploaded, pasted or a link's: at most the rows it has, and its last column predicted
  // unless the current target is one of its columns (the obvious default; Train is ready at once).
  const target = spec.dataset.table.target;
  useEffect(() => {
    if (!table) return;
    const tooMany = spec.dataset.samples > table.rowCount;
    const noTarget = !table.columns.includes(target);
    if (tooMany || noTarget)
      update((d) => {
        if (tooMany) d.dataset.samples = table.rowCount;
        if (noTarget) d.dataset.table.target = table.columns.at(-1)!;
      });
  }, [table, spec.dataset.samples, target, update]);
  // Nothing given yet is asked for, not flagged (the control bar asks too).
  const empty = !given;
  // While it is read, the progress below says so; problems come after.
  const message =
    reading !== null
      ? null
      : (readError ??
        (empty
          ? null
          : (problem ?? (plan && !plan.ok ? `Your table: ${plan.error}.` : null) ?? errors['dataset.csv'])) ??
        null);
  const p = plan?.ok ? plan.value : null;
  return (
    <div className={`field user-table${message ? ' field-invalid' : ''}`} data-field="dataset.csv">
      <label htmlFor="user-csv">Your table (CSV with a header row)</label>
      <textarea
        id="user-csv"
        name="dataset.csv"
        rows={4}
        spellCheck={false}
        value={preview}
        readOnly={!whole} // a big table shows only its start, which cannot be edited
        placeholder={'x1,x2,label\n0.5,1.2,yes\n…'}
        onChange={(e) => void set(e.target.value, 'pasted')}
      />
      <div className="row">
        <label className="upload">
          Upload a .csv or .tsv file{' '}
          <input type="file" accept=".csv,.tsv,.txt,text/csv" onChange={(e) => void upload(e.target.files?.[0])} />
        </label>
      </div>
      {table && (
        <div className="row">
          <div
            className={`field${errors['dataset.table.target'] ? ' field-invalid' : ''}`}
            data-field="dataset.table.target"
          >
            <label htmlFor="table-target">Predict the column</label>
            <select
              id="table-target"
              name="dataset.table.target"
              value={spec.dataset.table.target}
              onChange={(e) =>
                update((d) => {
                  d.dataset.table.target = e.target.value;
                })
              }
            >
              {!table.columns.includes(spec.dataset.table.target) && (
                <option value={spec.dataset.table.target}>choose…</option>
              )}
              {table.columns.map((c) => (
                <option key={c} value={c}>
                  {c}
                </option>
              ))}
            </select>
          </div>
          <div className="field" data-field="dataset.table.task">
            <label htmlFor="table-task">Task</label>
            <select
              id="table-task"
              name="dataset.table.task"
              value={spec.dataset.table.task}
              onChange={(e) =>
                update((d) => {
                  d.dataset.table.task = e.target.value as typeof d.dataset.table.task;
                })
              }
            >
              {TABLE_TASKS.map((t) => (
                <option key={t} value={t}>
                  {TABLE_TASK_LABELS[t]}
                </option>
              ))}
            </select>
          </div>
        </div>
      )}
      {reading !== null && (
        <div className="field-hint" role="status">
          <progress className="table-reading" max={1} value={reading} aria-label="Reading your table" /> Reading your
          table ({source}): {Math.round(reading * 100)}%
        </div>
      )}
      {message ? (
        <div className="field-error" role="alert">
          {message}
        </div>
      ) : empty ? (
        <div className="field-hint">
          Paste a table with a header row, or upload a .csv or .tsv file, to train on your own data; it is kept in this
          browser, not in shared links.
        </div>
      ) : (
        table &&
        p && (
          <div className="field-hint" data-testid="table-summary">
            {table.rowCount.toLocaleString('en-US')} rows × {table.columns.length} columns ({source}). Predicting “
            {table.columns[p.target]}”{' '}
            {p.classes
              ? `as ${p.classes.length} classes (${p.classes.slice(0, 6).join(', ')}${p.classes.length > 6 ? '…' : ''})`
              : 'as a number (regression)'}{' '}
            from {p.inputNames.length} inputs
            {p.features.some((f) => f.coding.kind === 'oneHot') ? ' (text columns one-hot encoded)' : ''}, standardised
            with training statistics. Kept in this browser, not in shared links.
          </div>
        )
      )}
      {storageNote && <div className="field-hint">{storageNote}</div>}
      <div className="field-hint">
        Up to {TABLE_LIMITS.rows.toLocaleString('en-US')} rows and {TABLE_LIMITS.columns} columns; commas, semicolons or
        tabs. Automatic: classes when the target is text or has at most {TABLE_LIMITS.classes} distinct values, else
        regression.
      </div>
    </div>
  );
}
