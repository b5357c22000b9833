// The person's own CSV table for the MLP: parsing (papaparse: quotes, delimiters), checking every
// cell the model will read, encoding columns (numbers standardised, few-valued text one-hot),
// and the seeded train/validation split.
import Papa from 'papaparse';
import type { DatasetSpec, TableSpec } from '../spec/types';
import { deriveSeed, Rng } from './rng';
import { fitStandardizer, standardize, type Standardizer } from './normalize';

export const TABLE_LIMITS = { rows: 100_000, columns: 200, oneHotValues: 20, classes: 20, minRows: 20 } as const;
/** CSV bytes accepted, in the app and the CLI alike (100,000 rows × 200 columns of short numbers fit well under it). */
export const MAX_TABLE_BYTES = 100e6;

export interface Table {
  columns: string[];
  /** Cells as text, one array per data row (the header excluded). */
  rows: string[][];
}

/** How a column enters the model. */
export type ColumnCoding = { kind: 'number' } | { kind: 'oneHot'; values: string[] };

export type TableResult<T> = { ok: true; value: T } | { ok: false; error: string };

const asNumber = (cell: string) => (cell.trim() === '' ? NaN : Number(cell));

/** Parse CSV text (comma, semicolon or tab, header row); problems name the row (1 = the header) and column. */
export function parseTable(text: string): TableResult<Table> {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), {
    delimitersToGuess: [',', ';', '\t'],
    skipEmptyLines: 'greedy',
  });
  const quoteError = parsed.errors.find((e) => e.type === 'Quotes');
  if (quoteError) return { ok: false, error: `row ${(quoteError.row ?? 0) + 1}: ${quoteError.message.toLowerCase()}` };
  const [header, ...rows] = parsed.data;
  if (!header || header.length < 2)
    return {
      ok: false,
      error:
        'the first row must name at least two columns (features and a target), separated by commas, semicolons or tabs',
    };
  if (header.length > TABLE_LIMITS.columns)
    return { ok: false, error: `it has ${header.length} columns; at most ${TABLE_LIMITS.columns} are allowed` };
  const columns = header.map((h) => h.trim());
  const blank = columns.findIndex((c) => c === '');
  if (blank >= 0) return { ok: false, error: `column ${blank + 1} has no name in the header row` };
  const twice = columns.find((c, i) => columns.indexOf(c) !== i);
  if (twice) return { ok: false, error: `the header names the column "${twice}" twice` };
  if (rows.length > TABLE_LIMITS.rows)
    return {
      ok: false,
      error: `it has ${rows.length.toLocaleString('en-US')} rows; at most ${TABLE_LIMITS.rows.toLocaleString('en-US')} are allowed`,
    };
  if (rows.length < TABLE_LIMITS.minRows)
    return { ok: false, error: `it has ${rows.length} data rows; at least ${TABLE_LIMITS.minRows} are needed` };
  const ragged = rows.findIndex((r) => r.length !== columns.length);
  if (ragged >= 0)
    return {
      ok: false,
      error: `row ${ragged + 2} has ${rows[ragged].length} cells, but the header has ${columns.length}`,
    };
  return { ok: true, value: { columns, rows } };
}

/**
 * A column of numbers, or of a few text values (one-hot); a mostly-numeric column with a stray
 * text cell, an empty cell or too many text values is refused, naming the row and column.
 */
export function codeColumn(table: Table, column: number): TableResult<ColumnCoding> {
  const name = table.columns[column];
  let numbers = 0;
  for (const [i, row] of table.rows.entries()) {
    const cell = row[column];
    if (cell.trim() === '') return { ok: false, error: `row ${i + 2}, column "${name}" is empty` };
    if (Number.isFinite(asNumber(cell))) numbers++;
  }
  if (numbers === table.rows.length) return { ok: true, value: { kind: 'number' } };
  const values = [...new Set(table.rows.map((r) => r[column].trim()))].sort();
  // Mostly numbers: the text cells are mistakes, not categories.
  if (numbers >= 0.9 * table.rows.length || values.length > TABLE_LIMITS.oneHotValues) {
    const bad = table.rows.findIndex((r) => !Number.isFinite(asNumber(r[column])));
    return {
      ok: false,
      error:
        numbers >= 0.9 * table.rows.length
          ? `row ${bad + 2}, column "${name}": ${JSON.stringify(table.rows[bad][column].slice(0, 40))} is not a number`
          : `column "${name}" holds text with ${values.length} different values; at most ${TABLE_LIMITS.oneHotValues} can be one-hot encoded (remove the column, or make it numeric)`,
    };
  }
  return { ok: true, value: { kind: 'oneHot', values } };
}

export interface TablePlan {
  task: 'binary' | 'multiclass' | 'regression';
  target: number;
  /** Class names in label order (classification). */
  classes: string[] | null;
  features: { column: number; coding: ColumnCoding }[];
  /** Names of the model's inputs, after one-hot encoding ("colour=red"). */
  inputNames: string[];
}

/** Which column is predicted how, and how every other column is encoded; or the first problem. */
export function planTable(table: Table, spec: TableSpec): TableResult<TablePlan> {
  const target = table.columns.indexOf(spec.target);
  if (target < 0)
    return {
      ok: false,
      error: spec.target ? `the table has no column "${spec.target}"` : 'choose the column to predict',
    };
  const features: TablePlan['features'] = [];
  const inputNames: string[] = [];
  for (let c = 0; c < table.columns.length; c++) {
    if (c === target) continue;
    const coding = codeColumn(table, c);
    if (!coding.ok) return coding;
    features.push({ column: c, coding: coding.value });
    if (coding.value.kind === 'number') inputNames.push(table.columns[c]);
    else inputNames.push(...coding.value.values.map((v) => `${table.columns[c]}=${v}`));
  }
  const cells = table.rows.map((r) => r[target].trim());
  if (cells.some((v) => v === ''))
    return { ok: false, error: `row ${cells.indexOf('') + 2}, column "${spec.target}" (the target) is empty` };
  const numeric = cells.every((v) => Number.isFinite(Number(v)));
  const distinct = [...new Set(cells)];
  const classification =
    spec.task === 'classification' || (spec.task === 'auto' && (!numeric || distinct.length <= TABLE_LIMITS.classes));
  if (!classification) {
    if (!numeric) {
      const bad = cells.findIndex((v) => !Number.isFinite(Number(v)));
      return {
        ok: false,
        error: `row ${bad + 2}, column "${spec.target}": ${JSON.stringify(cells[bad].slice(0, 40))} is not a number, so it cannot be a regression target`,
      };
    }
    return { ok: true, value: { task: 'regression', target, classes: null, features, inputNames } };
  }
  if (distinct.length > TABLE_LIMITS.classes) {
    return {
      ok: false,
      error: `column "${spec.target}" has ${distinct.length} different values; classification allows at most ${TABLE_LIMITS.classes} classes (choose regression)`,
    };
  }
  if (distinct.length < 2)
    return { ok: false, error: `column "${spec.target}" has a single value; there is nothing to classify` };
  const classes = numeric ? distinct.sort((a, b) => Number(a) - Number(b)) : distinct.sort();
  return {
    ok: true,
    value: { task: classes.length === 2 ? 'binary' : 'multiclass', target, classes, features, inputNames },
  };
}

export interface TableData {
  plan: TablePlan;
  inputDim: number;
  /** How the raw inputs were standardised (training statistics). */
  standardizer: Standardizer;
  /** The inputs before standardising, in split order (for drawing the rows on a plane). */
  raw: { train: Float32Array; validation: Float32Array };
  /** Regression: the training targets' mean and spread (targets are standardised with them). */
  scale: { mean: number; std: number } | null;
  train: { x: Float32Array; y: Float32Array; n: number };
  validation: { x: Float32Array; y: Float32Array; n: number };
}

/** Encode, shuffle by the seed, split, and standardise with training statistics only. */
export function tableData(table: Table, spec: DatasetSpec, seed: number): TableData {
  const planned = planTable(table, spec.table);
  if (!planned.ok) throw new Error(`Your table: ${planned.error}.`);
  const plan = planned.value;
  const order = new Rng(deriveSeed(seed, 'split'))
    .permutation(table.rows.length)
    .subarray(0, Math.min(spec.samples, table.rows.length));
  const n = order.length;
  const d = plan.inputNames.length;
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  order.forEach((r, i) => {
    const row = table.rows[r];
    let k = i * d;
    for (const f of plan.features) {
      if (f.coding.kind === 'number') x[k++] = Number(row[f.column]);
      else {
        for (const v of f.coding.values) x[k++] = row[f.column].trim() === v ? 1 : 0;
      }
    }
    const t = row[plan.target].trim();
    y[i] = plan.classes ? plan.classes.indexOf(t) : Number(t);
  });
  const nVal = Math.round(n * spec.validationSplit);
  const standardizer = fitStandardizer(x.subarray(nVal * d), d);
  const trainY = y.subarray(nVal);
  const mean = trainY.reduce((a, b) => a + b, 0) / trainY.length;
  const std = Math.sqrt(trainY.reduce((a, b) => a + (b - mean) ** 2, 0) / trainY.length) || 1;
  // Regression targets are standardised too, so one learning rate suits any units.
  const scale = plan.classes ? null : { mean, std };
  const part = (from: number, to: number) => ({
    x: standardize(x.subarray(from * d, to * d), standardizer),
    y: scale ? y.slice(from, to).map((v) => (v - scale.mean) / scale.std) : y.slice(from, to),
    n: to - from,
  });
  return {
    plan,
    inputDim: d,
    standardizer,
    scale,
    train: part(nVal, n),
    validation: part(0, nVal),
    raw: { train: x.slice(nVal * d), validation: x.slice(0, nVal * d) },
  };
}

/** A table whose decision boundary can be drawn: two numeric inputs and two classes. */
export function tableHasPlane(plan: TablePlan): boolean {
  return plan.task === 'binary' && plan.features.length === 2 && plan.features.every((f) => f.coding.kind === 'number');
}

/** The square-ish window the rows are drawn in: each input's range, padded by a tenth. */
export function tableDomain(points: Float32Array): { x: [number, number]; y: [number, number] } {
  const range = (offset: number): [number, number] => {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = offset; i < points.length; i += 2) {
      lo = Math.min(lo, points[i]);
      hi = Math.max(hi, points[i]);
    }
    const pad = (hi - lo) * 0.1 || 1;
    return [lo - pad, hi + pad];
  };
  return { x: range(0), y: range(1) };
}
