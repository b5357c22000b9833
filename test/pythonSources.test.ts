// The exported program's Python lives in real files (src/export/pytorch/py/): each compiles, and
// every program an export can assemble from them passes pyflakes (no undefined or unused names).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parallelPy, trainPy } from '../src/export/pytorch/trainPy';
import { defaultModel, OPTIMIZER_KINDS, type ModelSpec } from '../src/experiment';

const PYTHON = '/usr/bin/python3';
const SOURCES = 'src/export/pytorch/py';
const hasPyflakes = spawnSync(PYTHON, ['-m', 'pyflakes', '--version'], { stdio: 'ignore' }).status === 0;
if (!hasPyflakes) {
  const why = `pyflakes is missing for ${PYTHON} (apt-get install python3-pyflakes)`;
  if (process.env.CI === 'true') throw new Error(`${why}: CI must check the exported Python`);
  console.warn(`${why}: the Python checks are skipped`);
}

/** Every model the export writes: the MLP, each recurrent cell, the transformer. */
function models(): ModelSpec[] {
  const recurrent = (['lstm', 'gru', 'rnn'] as const).map((cell) => ({ ...defaultModel('lstm'), cell }) as ModelSpec);
  return [defaultModel('mlp'), ...recurrent, defaultModel('transformer')];
}

describe.skipIf(!hasPyflakes)('the exported Python', () => {
  test('each source file compiles', () => {
    const files = readdirSync(SOURCES).filter((f) => f.endsWith('.py'));
    expect(files.length).toBeGreaterThanOrEqual(10);
    const out = mkdtempSync(join(tmpdir(), 'py-compile-'));
    const script =
      'import sys, os, py_compile\nfor f in sys.argv[2:]:\n    py_compile.compile(f, cfile=os.path.join(sys.argv[1], os.path.basename(f) + "c"), doraise=True)';
    const compiled = spawnSync(PYTHON, ['-c', script, out, ...files.map((f) => join(SOURCES, f))], {
      encoding: 'utf8',
    });
    expect(compiled.stderr).toBe('');
    expect(compiled.status).toBe(0);
  });

  test('every program an export assembles passes pyflakes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'train-py-'));
    const written: string[] = [];
    for (const model of models())
      for (const optimizer of OPTIMIZER_KINDS) {
        const path = join(dir, `${model.kind}-${model.kind === 'lstm' ? model.cell : ''}-${optimizer}.py`);
        writeFileSync(path, trainPy(model, optimizer));
        written.push(path);
      }
    writeFileSync(join(dir, 'parallel.py'), parallelPy());
    written.push(join(dir, 'parallel.py'));
    const flakes = spawnSync(PYTHON, ['-m', 'pyflakes', ...written], { encoding: 'utf8' });
    expect(flakes.stdout + flakes.stderr).toBe('');
    expect(flakes.status).toBe(0);
  });
});
