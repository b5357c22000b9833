// What the tests that run the exported PyTorch program share: the Python they need (and CI's insistence on it),
// the environment they run it in, and how they write their small experiments.
import { spawnSync } from 'node:child_process';
import { datasetDefaults, defaultSpec, type ExperimentSpec } from '../../src/experiment';

export const PYTHON = '/usr/bin/python3';
export const hasTorch = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
if (!hasTorch) {
  const why = `PyTorch is missing for ${PYTHON} (apt-get install python3-torch)`;
  if (process.env.CI === 'true') throw new Error(`${why}: CI must run the PyTorch export tests`);
  console.warn(`Skipping the PyTorch export tests: ${why}.`);
}

/** One process per core for the multi-process tests, and no thread fights on CI's two cores. */
export const pythonEnv = { ...process.env, OMP_NUM_THREADS: '1' };

/** The JSON lines a run of train.py printed. */
export const jsonLines = (out: string): Record<string, unknown>[] =>
  out
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** Its per-epoch lines: the epoch and its figures. */
export const epochLines = (out: string) => jsonLines(out).filter((l) => 'epoch' in l) as Record<string, number>[];

export const relative = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-12, Math.abs(b));

/** The default experiment for 3 epochs, edited. */
export function spec(edit: (s: ExperimentSpec) => void): ExperimentSpec {
  const s = defaultSpec();
  s.training.epochs = 3;
  edit(s);
  return s;
}

/** The names, `samples` of them, in contexts of 8 characters. */
export function onNames(s: ExperimentSpec, samples: number): void {
  s.dataset = { ...s.dataset, kind: 'names', ...datasetDefaults('names'), samples, contextLength: 8 };
}
