// The command line's arguments: parsed, checked, and explained when wrong.
import { parseArgs } from 'node:util';
import type { BackendName } from '../experiment/types';
import { MAX_DEVICES } from '../engine/scaleOut';

export const USAGE = `Usage:
  npm run cli -- train SPEC.json [--epochs N] [--backend cpu|wasm|webgpu] [--out RUN.json] [--seeds 1,2,3] [--data FILE]
  npm run cli -- export-pytorch SPEC.json --out DIR [--data FILE]
  npm run cli -- scale-out SPEC.json [--devices N] [--tensor-size K] [--micro-batches M] [--data FILE]

SPEC.json is an experiment spec (the .spec.json beside downloaded weights), a run file (its runs'
specs are used) or a shared link, in a file or given in quotes in its place.
--data gives the file behind "your own text" (.txt), "your own table" (.csv) or "your own images" (the .imgz file
the app's Data panel downloads for them), which links never carry.
scale-out prints what each of N devices (default 2, at most 64) would hold and send per step when the exported
train.py splits the model's work (data, tensor, pipeline), as the app's Scale out tab does.`;

/** A mistake in the command line itself (exit status 2, like a bad spec). */
export class UsageError extends Error {}

export const CLI_BACKENDS = ['cpu', 'wasm', 'webgpu'] as const satisfies readonly BackendName[];
export type CliBackend = (typeof CLI_BACKENDS)[number];

export type Command =
  | {
      command: 'train';
      specPath: string;
      epochs: number | null;
      backend: CliBackend;
      out: string | null;
      seeds: number[] | null;
      data: string | null;
    }
  | { command: 'export-pytorch'; specPath: string; out: string; data: string | null }
  | {
      command: 'scale-out';
      specPath: string;
      devices: number;
      tensorSize: number | null;
      microBatches: number | null;
      data: string | null;
    }
  | { command: 'help' };

const MAX_SEED = 2 ** 32 - 1;

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < min || n > max)
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max} (got ${JSON.stringify(text)})`);
  return n;
}

export function parseCommand(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        epochs: { type: 'string' },
        backend: { type: 'string' },
        out: { type: 'string' },
        seeds: { type: 'string' },
        data: { type: 'string' },
        devices: { type: 'string' },
        'tensor-size': { type: 'string' },
        'micro-batches': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) return { command: 'help' };
  const [command, specPath, ...extra] = positionals;
  if (command !== 'train' && command !== 'export-pytorch' && command !== 'scale-out')
    throw new UsageError(`unknown command ${JSON.stringify(command)}: use train, export-pytorch or scale-out`);
  if (!specPath) throw new UsageError(`${command} needs a spec or run file: npm run cli -- ${command} SPEC.json`);
  if (extra.length) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  const data = values.data ?? null;
  const scaleOptions = ['devices', 'tensor-size', 'micro-batches'] as const;
  if (command !== 'scale-out')
    for (const flag of scaleOptions)
      if (values[flag] !== undefined) throw new UsageError(`--${flag} is an option of scale-out, not of ${command}`);
  if (command === 'scale-out') {
    for (const flag of ['epochs', 'backend', 'seeds', 'out'] as const)
      if (values[flag] !== undefined) throw new UsageError(`--${flag} is not an option of scale-out`);
    const optional = (flag: (typeof scaleOptions)[number], max: number) => {
      const text = values[flag];
      return text === undefined ? null : wholeNumber(`--${flag}`, text, 1, max);
    };
    return {
      command,
      specPath,
      data,
      devices: optional('devices', MAX_DEVICES) ?? 2,
      tensorSize: optional('tensor-size', MAX_DEVICES),
      microBatches: optional('micro-batches', 100_000),
    };
  }
  if (command === 'export-pytorch') {
    for (const flag of ['epochs', 'backend', 'seeds'] as const)
      if (values[flag] !== undefined) throw new UsageError(`--${flag} is an option of train, not of export-pytorch`);
    if (!values.out) throw new UsageError('export-pytorch needs --out DIR, the folder to write the program into');
    return { command, specPath, out: values.out, data };
  }
  const backend = values.backend ?? 'wasm';
  if (!(CLI_BACKENDS as readonly string[]).includes(backend))
    throw new UsageError(`--backend must be one of ${CLI_BACKENDS.join(', ')} (got ${JSON.stringify(backend)})`);
  const seeds =
    values.seeds === undefined ? null : values.seeds.split(',').map((s) => wholeNumber('--seeds', s, 0, MAX_SEED));
  if (seeds && new Set(seeds).size !== seeds.length) throw new UsageError('--seeds lists a seed twice');
  return {
    command,
    specPath,
    data,
    seeds,
    backend: backend as CliBackend,
    out: values.out ?? null,
    epochs: values.epochs === undefined ? null : wholeNumber('--epochs', values.epochs, 1, 10000),
  };
}
