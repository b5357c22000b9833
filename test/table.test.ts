// The person's own CSV: parsed, checked cell by cell, encoded, and learned from by the one Trainer.
import { describe, expect, test } from 'vitest';
import Papa from 'papaparse';
import { activateBackend } from '../src/engine/backend';
import { Trainer } from '../src/engine/trainer';
import type { EpochMetrics } from '../src/engine/types';
import {
  parseTable,
  planTable,
  tableData,
  tableProblem,
  TableBuilder,
  TABLE_LIMITS,
  Rng,
  type Table,
} from '../src/data';
import { defaultSpec, validateSpec, type ExperimentSpec } from '../src/experiment';

/** Points in two blobs, a colour column that also tells the class, and a noisy numeric target. */
function csv(rows: number, delimiter = ','): string {
  const rng = new Rng(3);
  const lines = [['x', 'y', 'colour', 'size', 'label'].join(delimiter)];
  for (let i = 0; i < rows; i++) {
    const cls = i % 3;
    const x = cls * 3 + rng.normal() * 0.5;
    const y = -cls * 2 + rng.normal() * 0.5;
    lines.push(
      [
        x.toFixed(3),
        y.toFixed(3),
        ['red', 'green', 'blue'][cls],
        (x * 2 + y + rng.normal() * 0.1).toFixed(3),
        ['a', 'b', 'c'][cls],
      ].join(delimiter),
    );
  }
  return lines.join('\n');
}

const parsed = (text: string): Table => {
  const r = parseTable(text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

describe('parsing', () => {
  test.each([',', ';', '\t'])('reads a header and rows separated by %j, with quoted cells', (delimiter) => {
    const t = parsed(
      `${csv(30, delimiter)}\n"1.5"${delimiter}2${delimiter}"dark ${delimiter}red"${delimiter}3${delimiter}a`,
    );
    expect(t.columns).toEqual(['x', 'y', 'colour', 'size', 'label']);
    expect(t.rowCount).toBe(31);
    const colour = t.cells[2];
    expect(colour.values[colour.codes![30]]).toBe(`dark ${delimiter}red`);
    expect(t.cells[0].numbers[30]).toBe(1.5);
  });

  test('a table given in parts (as the worker reads a big file) is the table read whole; its problems are the same', () => {
    const text = `${csv(250)}\n1,2,"dark red",3,b`;
    const rows = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy' }).data;
    const inParts = new TableBuilder();
    for (let from = 0; from < rows.length; from += 37) inParts.add(rows.slice(from, from + 37));
    expect(inParts.finish()).toEqual(parseTable(text));
    // The first problem ends it, wherever it falls.
    rows[120] = ['1', '2'];
    const broken = new TableBuilder();
    for (let from = 0; from < rows.length; from += 37) broken.add(rows.slice(from, from + 37));
    expect(broken.finish()).toEqual({ ok: false, error: 'row 121 has 2 cells, but the header has 5' });
    // Past the row limit it stops at once.
    const long = new TableBuilder();
    long.add([['a', 'b']]);
    const row = ['1', '2'];
    expect(long.add(Array.from({ length: TABLE_LIMITS.rows }, () => row))).toBe(true);
    expect(long.add([row])).toBe(false);
    expect(long.finish()).toEqual({ ok: false, error: 'it has more than 100,000 rows; at most 100,000 are allowed' });
  });

  test('a table that came through a worker message is checked like any input', () => {
    const t = parsed(csv(30));
    expect(tableProblem(t)).toBeNull();
    expect(tableProblem(structuredClone(t))).toBeNull();
    expect(tableProblem(null)).toBe('must be { columns, rowCount, cells }');
    expect(tableProblem({ ...t, rowCount: 31 })).toBe('cells[0].numbers must hold 31 numbers');
    expect(tableProblem({ ...t, rowCount: 5 })).toBe('rowCount must be a whole number from 20 to 100000');
    const codes = t.cells[2].codes!.slice();
    codes[3] = 9;
    expect(tableProblem({ ...t, cells: t.cells.map((c, i) => (i === 2 ? { ...c, codes } : c)) })).toBe(
      'cells[2].codes must be null or one place in values per row',
    );
    expect(tableProblem({ ...t, cells: t.cells.map((c) => ({ ...c, numbers: Array.from(c.numbers) })) })).toBe(
      'cells[0].numbers must hold 30 numbers',
    );
  });

  test('ragged rows, duplicate or blank headers and size limits are named', () => {
    const lines = csv(30).split('\n');
    lines[5] += ',extra';
    expect(parseTable(lines.join('\n'))).toEqual({ ok: false, error: 'row 6 has 6 cells, but the header has 5' });
    expect(parseTable(csv(30).replace('size', 'x'))).toEqual({
      ok: false,
      error: 'the header names the column "x" twice',
    });
    expect(parseTable(csv(30).replace('size', ''))).toEqual({
      ok: false,
      error: 'column 4 has no name in the header row',
    });
    expect(parseTable(csv(5))).toEqual({ ok: false, error: 'it has 5 data rows; at least 20 are needed' });
    expect(parseTable('just one column\n1\n2')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/at least two columns/),
    });
  });

  test('an empty cell or a stray word in a numeric column names the row and column', () => {
    const lines = csv(30).split('\n');
    const table = (edit: (cells: string[]) => void) => {
      const copy = [...lines];
      const cells = copy[7].split(',');
      edit(cells);
      copy[7] = cells.join(',');
      return parsed(copy.join('\n'));
    };
    const spec = { target: 'label', task: 'auto' as const };
    expect(
      planTable(
        table((c) => {
          c[1] = 'oops';
        }),
        spec,
      ),
    ).toEqual({ ok: false, error: 'row 8, column "y": "oops" is not a number' });
    expect(
      planTable(
        table((c) => {
          c[0] = '';
        }),
        spec,
      ),
    ).toEqual({ ok: false, error: 'row 8, column "x" is empty' });
  });
});

describe('encoding', () => {
  test('auto: a text target is classes; a many-valued numeric one is regression; both can be overridden', () => {
    const t = parsed(csv(60));
    const byLabel = planTable(t, { target: 'label', task: 'auto' });
    expect(byLabel).toMatchObject({
      ok: true,
      value: {
        task: 'multiclass',
        classes: ['a', 'b', 'c'],
        inputNames: ['x', 'y', 'colour=blue', 'colour=green', 'colour=red', 'size'],
      },
    });
    expect(planTable(t, { target: 'size', task: 'auto' })).toMatchObject({
      ok: true,
      value: { task: 'regression', classes: null },
    });
    expect(planTable(t, { target: 'size', task: 'classification' })).toEqual({
      ok: false,
      error: 'column "size" has 60 different values; classification allows at most 20 classes (choose regression)',
    });
    expect(planTable(t, { target: 'label', task: 'regression' })).toEqual({
      ok: false,
      error: 'row 2, column "label": "a" is not a number, so it cannot be a regression target',
    });
    expect(planTable(t, { target: 'nope', task: 'auto' })).toEqual({
      ok: false,
      error: 'the table has no column "nope"',
    });
  });

  test('inputs are standardised with training statistics only, rows split by the seed', () => {
    const spec = defaultSpec().dataset;
    const data = tableData(
      parsed(csv(100)),
      { ...spec, kind: 'userTable', samples: 100000, validationSplit: 0.2, table: { target: 'size', task: 'auto' } },
      42,
    );
    expect([data.train.n, data.validation.n]).toEqual([80, 20]);
    const d = data.inputDim;
    for (let j = 0; j < d; j++) {
      const col = Array.from({ length: data.train.n }, (_, i) => data.train.x[i * d + j]);
      expect(col.reduce((a, b) => a + b, 0) / col.length).toBeCloseTo(0, 5);
    }
    expect(data.train.y.reduce((a, b) => a + b, 0) / data.train.n).toBeCloseTo(0, 5);
    expect(data.scale!.std).toBeGreaterThan(1);
    const again = tableData(
      parsed(csv(100)),
      { ...spec, kind: 'userTable', samples: 100000, validationSplit: 0.2, table: { target: 'size', task: 'auto' } },
      7,
    );
    expect(Array.from(again.validation.y)).not.toEqual(Array.from(data.validation.y));
  });
});

test('an MLP learns the classes of a table and reports a confusion matrix with its class names', async () => {
  await activateBackend('cpu');
  const spec: ExperimentSpec = defaultSpec();
  spec.dataset = { ...spec.dataset, kind: 'userTable', samples: 100000, table: { target: 'label', task: 'auto' } };
  spec.training.epochs = 15;
  expect(validateSpec(spec).ok).toBe(true);
  const epochs: EpochMetrics[] = [];
  let classes: { confusion: number[]; labels?: string[] } | undefined;
  const status = await new Trainer(
    spec,
    {
      onEpoch: (m, v) => {
        epochs.push(m);
        classes = v.classes ?? classes;
      },
    },
    { files: { table: parsed(csv(300)) } },
  ).run();
  expect(status).toBe('completed');
  expect(epochs.at(-1)!.valAccuracy).toBeGreaterThanOrEqual(0.95);
  expect(classes!.labels).toEqual(['a', 'b', 'c']);
  expect(classes!.confusion.reduce((a, b) => a + b, 0)).toBe(60);
});

test('a table of two numeric inputs and two classes is drawn on a plane: the run sends its decision boundary', async () => {
  await activateBackend('cpu');
  const rng = new Rng(5);
  const lines = ['height;weight;kind'];
  for (let i = 0; i < 200; i++) {
    const big = i % 2;
    lines.push(
      `${(150 + big * 30 + rng.normal() * 5).toFixed(1)};${(50 + big * 30 + rng.normal() * 5).toFixed(1)};${big ? 'big' : 'small'}`,
    );
  }
  const spec: ExperimentSpec = defaultSpec();
  spec.dataset = { ...spec.dataset, kind: 'userTable', samples: 200, table: { target: 'kind', task: 'auto' } };
  spec.training.epochs = 10;
  let boundary: { resolution: number; values: Float32Array } | undefined;
  let last: EpochMetrics | undefined;
  await new Trainer(
    spec,
    {
      onEpoch: (m, v) => {
        last = m;
        boundary = v.boundary ?? boundary;
      },
    },
    { files: { table: parsed(lines.join('\n')) }, boundaryResolution: 16 },
  ).run();
  expect(last!.valAccuracy).toBeGreaterThanOrEqual(0.95);
  expect(boundary!.resolution).toBe(16);
  // Class 1 is "small" (sorted), found at the bottom left of the window, "big" at the top right.
  const at = (row: number, col: number) => boundary!.values[row * 16 + col];
  expect(at(15, 0)).toBeGreaterThan(0.9);
  expect(at(0, 15)).toBeLessThan(0.1);
});
