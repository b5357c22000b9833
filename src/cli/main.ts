// The command line: `npm run cli -- train SPEC.json …`, `npm run cli -- export-pytorch SPEC.json --out DIR` and
// `npm run cli -- scale-out SPEC.json --devices N`.
// Exit status: 0 done, 1 a run failed or diverged, 2 a bad command line or spec.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { activateBackend } from '../engine/backend';
import { writeRunFile } from '../export/runFile';
import { pytorchExport } from '../export/pytorch/exportFiles';
import { prepareData } from '../engine/prepareLearner';
import type { ExperimentSpec } from '../experiment/types';
import type { DatasetFiles } from '../data/dataset';
import { parseCommand, USAGE, UsageError } from './args';
import { datasetFiles } from './datasetFiles';
import { linkSpec, readSpecFile, withOverrides } from './specFile';
import { clearInterruption, interrupted, trainOne, type TrainedRun } from './trainCommand';
import { scaleOutReport } from './scaleOutCommand';
import type { Output } from './progress';

interface Io {
  stdout: Output;
  stderr: Output;
}

/** A spec or data file the CLI cannot use (exit status 2, like a bad command line). */
class BadInput extends Error {
  constructor(lines: string[]) {
    super(lines.join('\n'));
  }
}

/** The dataset's files; a missing or broken --data file is the command line's mistake (status 2). */
function filesFor(spec: ExperimentSpec, data: string | null): DatasetFiles {
  try {
    return datasetFiles(spec.dataset, data);
  } catch (e) {
    throw new BadInput([e instanceof Error ? e.message : String(e)]);
  }
}

/** Where `--out` of train writes its run file: refused before any training when it cannot be written there. */
function checkOutFile(out: string): void {
  const kind = (path: string) => {
    try {
      return statSync(path).isDirectory() ? 'folder' : 'file';
    } catch {
      return null;
    }
  };
  if (kind(out) === 'folder')
    throw new BadInput([`--out ${out} is a folder; give the run file's name, e.g. ${join(out, 'runs.json')}`]);
  const folder = dirname(resolve(out));
  if (kind(folder) !== 'folder')
    throw new BadInput([`--out ${out}: the folder ${folder} does not exist; make it first`]);
}

function specsOf(path: string): ReturnType<typeof readSpecFile> & { ok: true } {
  let text: string;
  try {
    text = linkSpec(path) !== null ? path : readFileSync(path, 'utf8'); // a shared link given in place of a file
  } catch (e) {
    throw new BadInput([`${path}: cannot be read (${e instanceof Error ? e.message : String(e)})`]);
  }
  const result = readSpecFile(text);
  if (!result.ok)
    throw new BadInput([
      `${linkSpec(path) !== null ? 'The link' : path} is not a valid spec:`,
      ...result.messages.map((m) => `  ${m}`),
    ]);
  return result;
}

export async function main(
  argv: string[],
  io: Io = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  try {
    const cmd = parseCommand(argv);
    if (cmd.command === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const { specs } = specsOf(cmd.specPath);
    if (cmd.command === 'train' && cmd.out) checkOutFile(cmd.out);
    if (cmd.command === 'scale-out') {
      if (specs.length > 1) throw new BadInput([`${cmd.specPath} holds ${specs.length} runs; give one spec at a time`]);
      const spec = specs[0].spec;
      const { shape } = prepareData(spec, filesFor(spec, cmd.data)); // the data's shape: inputs, classes, vocabulary
      io.stdout.write(scaleOutReport(spec, shape, cmd));
      return 0;
    }
    if (cmd.command === 'export-pytorch') {
      if (specs.length > 1)
        throw new BadInput([`${cmd.specPath} holds ${specs.length} runs; export one spec at a time`]);
      const spec = specs[0].spec;
      await activateBackend('cpu'); // the initial weights are drawn in JavaScript: any backend gives the same
      const files = await pytorchExport(spec, filesFor(spec, cmd.data));
      mkdirSync(cmd.out, { recursive: true });
      for (const f of files) writeFileSync(join(cmd.out, f.name), f.bytes);
      io.stdout.write(
        `Wrote ${files.map((f) => f.name).join(', ')} to ${cmd.out}. Run it: cd ${cmd.out} && python3 train.py\n`,
      );
      return 0;
    }
    // Every run's spec is checked before the first trains, so a mistake shows at once; each
    // dataset's files are read once, however many seeds or runs share them.
    const filesByKind = new Map<string, DatasetFiles>();
    const jobs = specs.flatMap(({ spec, name }) =>
      (cmd.seeds ?? [spec.seed]).map((seed) => {
        const checked = withOverrides(spec, { seed, epochs: cmd.epochs });
        if (!checked.ok)
          throw new BadInput([
            `${cmd.specPath} with the command line's overrides is not valid:`,
            ...checked.messages.map((m) => `  ${m}`),
          ]);
        const runSpec = checked.specs[0].spec;
        const kind = runSpec.dataset.kind;
        if (!filesByKind.has(kind)) filesByKind.set(kind, filesFor(runSpec, cmd.data));
        return { spec: runSpec, name, files: filesByKind.get(kind)! };
      }),
    );
    const runs: TrainedRun[] = [];
    clearInterruption();
    try {
      for (const job of jobs)
        if (!interrupted())
          runs.push(
            await trainOne(job.spec, {
              id: runs.length + 1,
              name: job.name,
              backend: cmd.backend,
              files: job.files,
              out: io.stdout,
            }),
          );
    } finally {
      // Runs already trained are written even when a later one cannot start.
      if (cmd.out && runs.length) {
        writeFileSync(cmd.out, writeRunFile(runs));
        io.stdout.write(
          `Wrote ${runs.length} run${runs.length === 1 ? '' : 's'} to ${cmd.out}: import it in the app (Runs → Import run file…) to see the curves.\n`,
        );
      }
    }
    return runs.length === jobs.length && runs.every((r) => r.status === 'completed') ? 0 : 1;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof BadInput) {
      io.stderr.write(`${e.message}\n`);
      return 2;
    }
    io.stderr.write(`Error: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
}
