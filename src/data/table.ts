// The person's own CSV table for the MLP: parsing (papaparse: quotes, delimiters), checking every
// cell the model will read, encoding columns (numbers standardised, few-valued text one-hot),
// and the seeded train/validation split.
import Papa from 'papaparse';
import type { DatasetSpec, TableSpec } from '../experiment/types';
import { deriveSeed, Rng } from './rng';
import { fitStandardizer, standardize, type Standardizer } from './normalize';

export const TABLE_LIMITS = { rows: 100_000, columns: 200, oneHotValues: 20, classes: 20, minRows: 20 } as const;
/** CSV bytes accepted, in the app and the CLI alike (100,000 rows × 200 columns of short numbers fit well under it). */
export const MAX_TABLE_BYTES = 100e6;

/**
 * A table kept by column, as typed arrays: a 100,000 × 200 table is a few arrays to hand to a
 * worker (moved, not copied), not twenty million strings.
 */
export interface Table {
  columns: string[];
  rowCount: number;
  cells: TableColumn[];
}

/** One column: its cells as numbers, and what codeColumn and planTable need to know of its text. */
export interface TableColumn {
  /** Each row's cell as a number; NaN where it is empty or not a finite number. */
  numbers: Float32Array;
  /** How many cells are finite numbers. */
  numeric: number;
  /** The first row (0: the first data row) whose cell is empty; −1 when none is. */
  firstEmpty: number;
  /** The first cell that is not a finite number (its text cut to 40 characters); null when every one is. */
  firstText: { row: number; text: string } | null;
  /** The distinct cells (trimmed) in order of first appearance, at most MAX_COUNTED of them. */
  values: string[];
  /** More than MAX_COUNTED distinct cells (values holds the first ones). */
  countedPast: boolean;
  /** Each row's index into `values`; null once a column has more distinct cells than a byte counts. */
  codes: Uint8Array | null;
}

/** Distinct cells are counted up to this many (messages say "more than" past it). */
const MAX_COUNTED = 1000;

/** How a column enters the model. */
export type ColumnCoding = { kind: 'number' } | { kind: 'oneHot'; values: string[] };

export type TableResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** A column's cells as they come, row by row. */
class ColumnBuilder {
  numbers = new Float32Array(1024);
  numeric = 0;
  firstEmpty = -1;
  firstText: { row: number; text: string } | null = null;
  readonly index = new Map<string, number>();
  countedPast = false;
  codes: Uint8Array | null = new Uint8Array(1024);

  add(row: number, cell: string): void {
    if (row >= this.numbers.length) {
      const grown = new Float32Array(this.numbers.length * 2);
      grown.set(this.numbers);
      this.numbers = grown;
      if (this.codes) {
        const codes = new Uint8Array(grown.length);
        codes.set(this.codes);
        this.codes = codes;
      }
    }
    const trimmed = cell.trim();
    const value = trimmed === '' ? NaN : Number(cell);
    if (Number.isFinite(value)) this.numeric++;
    else this.firstText ??= { row, text: cell.slice(0, 40) };
    if (trimmed === '' && this.firstEmpty < 0) this.firstEmpty = row;
    this.numbers[row] = Number.isFinite(value) ? value : NaN;
    let code = this.index.get(trimmed);
    if (code === undefined) {
      if (this.index.size < MAX_COUNTED) this.index.set(trimmed, (code = this.index.size));
      else this.countedPast = true;
    }
    if (this.codes && (code === undefined || code > 255)) this.codes = null;
    if (this.codes) this.codes[row] = code!;
  }

  finish(rows: number): TableColumn {
    return {
      numbers: this.numbers.slice(0, rows),
      numeric: this.numeric,
      firstEmpty: this.firstEmpty,
      firstText: this.firstText,
      values: [...this.index.keys()],
      countedPast: this.countedPast,
      codes: this.codes && this.codes.slice(0, rows),
    };
  }
}

/**
 * A table from parsed rows, given a part at a time (a worker reads a big file in chunks); the first
 * row is the header. The first problem ends it: `problem` names the row (1 = the header) and column.
 */
export class TableBuilder {
  problem: string | null = null;
  private columns: string[] | null = null;
  private built: ColumnBuilder[] = [];
  private rows = 0;

  /** Add rows; false once the table is refused (the reader may stop). */
  add(rows: string[][]): boolean {
    for (const row of rows) {
      if (this.problem) return false;
      if (!this.columns) this.problem = this.header(row);
      else if (this.rows >= TABLE_LIMITS.rows)
        this.problem = `it has more than ${TABLE_LIMITS.rows.toLocaleString('en-US')} rows; at most ${TABLE_LIMITS.rows.toLocaleString('en-US')} are allowed`;
      else if (row.length !== this.columns.length)
        this.problem = `row ${this.rows + 2} has ${row.length} cells, but the header has ${this.columns.length}`;
      else {
        for (let c = 0; c < row.length; c++) this.built[c].add(this.rows, row[c]);
        this.rows++;
      }
    }
    return !this.problem;
  }

  /** Refuse the table (e.g. a quote never closed), unless it already was. */
  refuse(problem: string): void {
    this.problem ??= problem;
  }

  /** Rows read so far, the header included. */
  get rowsSeen(): number {
    return this.rows + (this.columns ? 1 : 0);
  }

  finish(): TableResult<Table> {
    if (this.problem) return { ok: false, error: this.problem };
    if (!this.columns)
      return {
        ok: false,
        error:
          'the first row must name at least two columns (features and a target), separated by commas, semicolons or tabs',
      };
    if (this.rows < TABLE_LIMITS.minRows)
      return { ok: false, error: `it has ${this.rows} data rows; at least ${TABLE_LIMITS.minRows} are needed` };
    return {
      ok: true,
      value: { columns: this.columns, rowCount: this.rows, cells: this.built.map((b) => b.finish(this.rows)) },
    };
  }

  private header(header: string[]): string | null {
    if (header.length < 2)
      return 'the first row must name at least two columns (features and a target), separated by commas, semicolons or tabs';
    if (header.length > TABLE_LIMITS.columns)
      return `it has ${header.length} columns; at most ${TABLE_LIMITS.columns} are allowed`;
    const columns = header.map((h) => h.trim()); // trim() drops a byte-order mark too
    const blank = columns.findIndex((c) => c === '');
    if (blank >= 0) return `column ${blank + 1} has no name in the header row`;
    const twice = columns.find((c, i) => columns.indexOf(c) !== i);
    if (twice) return `the header names the column "${twice}" twice`;
    this.columns = columns;
    this.built = columns.map(() => new ColumnBuilder());
    return null;
  }
}

/** How papaparse reads a table (the worker reads the same way, a chunk at a time). */
export const CSV_OPTIONS = { delimitersToGuess: [',', ';', '\t'], skipEmptyLines: 'greedy' } as const;

/** A papaparse quote error as the person reads it (rows counted from 1, the header included). */
export function quoteProblem(errors: readonly Papa.ParseError[], rowsBefore: number): string | null {
  const e = errors.find((x) => x.type === 'Quotes');
  return e ? `row ${rowsBefore + (e.row ?? 0) + 1}: ${e.message.toLowerCase()}` : null;
}

/** Parse CSV text (comma, semicolon or tab, header row); problems name the row (1 = the header) and column. */
export function parseTable(text: string): TableResult<Table> {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), {
    ...CSV_OPTIONS,
    delimitersToGuess: [...CSV_OPTIONS.delimitersToGuess],
  });
  const builder = new TableBuilder();
  const quotes = quoteProblem(parsed.errors, 0);
  if (quotes) builder.refuse(quotes);
  builder.add(parsed.data);
  return builder.finish();
}

/** Why a value is not a table as TableBuilder makes them (one that came through a worker message); null when it is. */
export function tableProblem(v: unknown): string | null {
  const t = v as Partial<Table> | null;
  if (typeof t !== 'object' || t === null || !Array.isArray(t.columns) || !Array.isArray(t.cells))
    return 'must be { columns, rowCount, cells }';
  const n = t.rowCount;
  if (!Number.isInteger(n) || n! < TABLE_LIMITS.minRows || n! > TABLE_LIMITS.rows)
    return `rowCount must be a whole number from ${TABLE_LIMITS.minRows} to ${TABLE_LIMITS.rows}`;
  if (t.columns.length < 2 || t.columns.length > TABLE_LIMITS.columns || t.cells.length !== t.columns.length)
    return `must have 2 to ${TABLE_LIMITS.columns} named columns, each with its cells`;
  for (const [i, c] of t.cells.entries()) {
    const bad = (what: string) => `cells[${i}].${what}`;
    if (typeof t.columns[i] !== 'string') return `columns[${i}] must be text`;
    if (!(c?.numbers instanceof Float32Array) || c.numbers.length !== n) return bad(`numbers must hold ${n} numbers`);
    if (!Number.isInteger(c.numeric) || c.numeric < 0 || c.numeric > n) return bad('numeric must count cells');
    if (!Number.isInteger(c.firstEmpty) || c.firstEmpty < -1 || c.firstEmpty >= n)
      return bad('firstEmpty must be a row or −1');
    if (c.firstText !== null && !(Number.isInteger(c.firstText?.row) && typeof c.firstText?.text === 'string'))
      return bad('firstText must be null or { row, text }');
    if (!Array.isArray(c.values) || c.values.length > MAX_COUNTED || !c.values.every((x) => typeof x === 'string'))
      return bad(`values must be at most ${MAX_COUNTED} texts`);
    if (typeof c.countedPast !== 'boolean') return bad('countedPast must be true or false');
    if (
      c.codes !== null &&
      (!(c.codes instanceof Uint8Array) || c.codes.length !== n || c.codes.some((k) => k >= c.values.length))
    )
      return bad('codes must be null or one place in values per row');
  }
  return null;
}

/**
 * A column of numbers, or of a few text values (one-hot); a mostly-numeric column with a stray
 * text cell, an empty cell or too many text values is refused, naming the row and column.
 */
export function codeColumn(table: Table, column: number): TableResult<ColumnCoding> {
  const name = table.columns[column];
  const cells = table.cells[column];
  if (cells.firstEmpty >= 0) return { ok: false, error: `row ${cells.firstEmpty + 2}, column "${name}" is empty` };
  if (cells.numeric === table.rowCount) return { ok: true, value: { kind: 'number' } };
  // Mostly numbers: the text cells are mistakes, not categories.
  const mostlyNumbers = cells.numeric >= 0.9 * table.rowCount;
  if (mostlyNumbers || cells.values.length > TABLE_LIMITS.oneHotValues) {
    return {
      ok: false,
      error: mostlyNumbers
        ? `row ${cells.firstText!.row + 2}, column "${name}": ${JSON.stringify(cells.firstText!.text)} is not a number`
        : `column "${name}" holds text with ${distinctCount(cells)} different values; at most ${TABLE_LIMITS.oneHotValues} can be one-hot encoded (remove the column, or make it numeric)`,
    };
  }
  return { ok: true, value: { kind: 'oneHot', values: [...cells.values].sort() } };
}

const distinctCount = (cells: TableColumn) =>
  cells.countedPast ? `more than ${MAX_COUNTED.toLocaleString('en-US')}` : String(cells.values.length);

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
  const cells = table.cells[target];
  if (cells.firstEmpty >= 0)
    return { ok: false, error: `row ${cells.firstEmpty + 2}, column "${spec.target}" (the target) is empty` };
  const numeric = cells.numeric === table.rowCount;
  const distinct = cells.values.length;
  const classification =
    spec.task === 'classification' || (spec.task === 'auto' && (!numeric || distinct <= TABLE_LIMITS.classes));
  if (!classification) {
    if (!numeric) {
      return {
        ok: false,
        error: `row ${cells.firstText!.row + 2}, column "${spec.target}": ${JSON.stringify(cells.firstText!.text.trim())} is not a number, so it cannot be a regression target`,
      };
    }
    return { ok: true, value: { task: 'regression', target, classes: null, features, inputNames } };
  }
  if (distinct > TABLE_LIMITS.classes) {
    return {
      ok: false,
      error: `column "${spec.target}" has ${distinctCount(cells)} different values; classification allows at most ${TABLE_LIMITS.classes} classes (choose regression)`,
    };
  }
  if (distinct < 2)
    return { ok: false, error: `column "${spec.target}" has a single value; there is nothing to classify` };
  const classes = numeric ? [...cells.values].sort((a, b) => Number(a) - Number(b)) : [...cells.values].sort();
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
    .permutation(table.rowCount)
    .subarray(0, Math.min(spec.samples, table.rowCount));
  const n = order.length;
  const d = plan.inputNames.length;
  const x = new Float32Array(n * d);
  const y = new Float32Array(n);
  // One-hot columns and classes by each cell's code: its place among the column's values.
  const places = (column: number, sorted: string[]) =>
    Int32Array.from(table.cells[column].values, (v) => sorted.indexOf(v));
  const inputs = plan.features.map((f) => ({
    cells: table.cells[f.column],
    oneHot:
      f.coding.kind === 'oneHot' ? { width: f.coding.values.length, place: places(f.column, f.coding.values) } : null,
  }));
  const target = table.cells[plan.target];
  const classOf = plan.classes && places(plan.target, plan.classes);
  order.forEach((r, i) => {
    let k = i * d;
    for (const { cells, oneHot } of inputs) {
      if (!oneHot) x[k++] = cells.numbers[r];
      else {
        x[k + oneHot.place[cells.codes![r]]] = 1;
        k += oneHot.width;
      }
    }
    y[i] = classOf ? classOf[target.codes![r]] : target.numbers[r];
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
