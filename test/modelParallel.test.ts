// Model parallelism in the exported train.py: tensor (Megatron-style), pipeline (GPipe) and data × tensor, each
// with 2 and 4 CPU processes started as torchrun starts them, reproduce one process's per-epoch losses (1e-4
// relative over 3 epochs) and its final weights, for an MLP, an LSTM (pipeline) and a transformer; and each process
// holds the parameters and sends the bytes per step that the app's Scale out figures say (engine/scaleOut.ts).
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MLP_OPTION_DEFAULTS, TRANSFORMER_OPTION_DEFAULTS } from '../src/experiment';
import type { ExperimentSpec } from '../src/experiment';
import { decodeSafetensors } from '../src/export/safetensors';
import { problemShape } from '../src/data/shapes';
import { scaleOut, type Strategy } from '../src/engine/scaleOut';
import { cli, specFile, tempDir } from './cliHarness';
import { freePort, TorchRunner, type PythonResult } from './helpers/torchRunner';
import {
  epochLines as epochs,
  hasTorch,
  jsonLines as lines,
  onNames,
  PYTHON,
  pythonEnv,
  relative,
  spec,
} from './helpers/pytorchSpecs';

type Line = Record<string, number>;
const torch = new TorchRunner(PYTHON, pythonEnv);
afterAll(() => torch.close());

const names = (s: ExperimentSpec) => {
  onNames(s, 200);
  s.training = { ...s.training, batchSize: 16 };
};

/** Each model split every way it can be; each with what its splitting exercises. */
const MODELS: Record<'mlp' | 'lstm' | 'transformer', ExperimentSpec> = {
  // Five layers: two column/row pairs with LayerNorm split over features and residual connections around split
  // layers both ways, and a whole output layer; L2 and clipping (norms summed over processes).
  mlp: spec((s) => {
    s.dataset.kind = 'spiral';
    s.model = {
      ...MLP_OPTION_DEFAULTS,
      kind: 'mlp',
      hidden: [0, 1, 2, 3].map(() => ({ units: 8, activation: 'tanh' as const, dropout: 0 })),
      norm: 'layerNorm',
      residual: true,
    };
    s.training = { ...s.training, batchSize: 16, l2: 0.001, clipNorm: 0.5 };
  }),
  // Three layers and the head: four units to stage.
  lstm: spec((s) => {
    names(s);
    s.model = { kind: 'lstm', cell: 'lstm', embedding: 8, layers: [0, 1, 2].map(() => ({ units: 8, dropout: 0 })) };
  }),
  // Heads split with ALiBi's slopes, SwiGLU's gate and value split apart, and a tied head the pipeline's first and
  // last stages both hold.
  transformer: spec((s) => {
    names(s);
    s.model = {
      ...TRANSFORMER_OPTION_DEFAULTS,
      kind: 'transformer',
      layers: 4,
      dModel: 24,
      heads: 4,
      dropout: 0,
      position: 'alibi',
      mlpActivation: 'swiglu',
      tiedEmbeddings: true,
    };
    s.training = { ...s.training, batchSize: 32, clipNorm: 1 };
  }),
};

type Split = [model: keyof typeof MODELS, parallel: Strategy, ranks: number, extra: string[]];
const SPLITS: Split[] = [
  ['mlp', 'data', 2, []],
  ...(['mlp', 'transformer'] as const).flatMap((m): Split[] => [
    [m, 'tensor', 2, []],
    [m, 'tensor', 4, []],
    [m, 'tensor', 4, ['--tensor-size', '2']],
    [m, 'pipeline', 2, []],
    [m, 'pipeline', 4, []],
  ]),
  ['lstm', 'pipeline', 2, []],
  ['lstm', 'pipeline', 4, []],
  ['transformer', 'data', 4, []],
  ['lstm', 'data', 2, []],
];

async function exportProgram(s: ExperimentSpec): Promise<string> {
  const dir = tempDir('parallel');
  const program = join(dir, 'export');
  const exported = await cli(['export-pytorch', specFile(dir, s), '--out', program]);
  expect(exported.status, exported.stderr).toBe(0);
  return program;
}

async function ranks(program: string, n: number, args: string[]): Promise<PythonResult[]> {
  const env = { MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(await freePort()) };
  return torch.runRanks(program, ['train.py', '--device', 'cpu', ...args], n, env);
}

/** What a process said it held and sent in its first step (--report-communication). */
const communication = (out: string) =>
  lines(out).find((l) => 'communication' in l)!.communication as {
    rank: number;
    parameters: number;
    bytesSent: number;
  };

describe.skipIf(!hasTorch)('model parallelism in train.py', () => {
  const programs = new Map<string, { program: string; one: Line[] }>();
  beforeAll(async () => {
    for (const [name, s] of Object.entries(MODELS)) {
      const program = await exportProgram(s);
      const result = await torch.run(program, ['train.py', '--device', 'cpu']);
      expect(result.status, result.stderr).toBe(0);
      copyFileSync(join(program, 'final.safetensors'), join(program, 'one.safetensors'));
      programs.set(name, { program, one: epochs(result.stdout) });
    }
  });

  test.each(SPLITS)(
    '%s, --parallel %s over %i processes %j: one process’s losses and weights, the app’s figures',
    async (model, parallel, n, extra) => {
      const { program, one } = programs.get(model)!;
      const results = await ranks(program, n, ['--parallel', parallel, ...extra, '--report-communication']);
      results.forEach((r, rank) => expect(r.status, `rank ${rank}: ${r.stderr}`).toBe(0));
      // Each process holds the parameters and sends the bytes in a step that Scale out says it does.
      const s = MODELS[model];
      const tensorSize = extra.length ? Number(extra[1]) : undefined;
      const figures = scaleOut(s, problemShape(s, null)!, n, { tensorSize })[parallel];
      expect(figures.problem).toBeNull();
      results.forEach((r, rank) => {
        const said = communication(r.stdout);
        expect(said.rank).toBe(rank);
        expect(said.parameters, `rank ${rank}'s parameters`).toBe(figures.loads[rank].parameters);
        expect(said.bytesSent, `rank ${rank}'s bytes`).toBeGreaterThan(0);
        expect(
          relative(said.bytesSent, figures.loads[rank].bytesSent),
          `rank ${rank} sent ${said.bytesSent}`,
        ).toBeLessThan(1e-9);
      });
      const got = epochs(results[0].stdout);
      expect(got.map((l) => l.epoch)).toEqual([1, 2, 3]);
      got.forEach((l, i) => {
        expect(relative(l.trainLoss, one[i].trainLoss), `epoch ${l.epoch} training loss`).toBeLessThan(1e-4);
        expect(relative(l.valLoss, one[i].valLoss), `epoch ${l.epoch} validation loss`).toBeLessThan(1e-4);
      });
      // Rank 0 put the whole model back together: the same tensors, names and shapes as one process saved, and the
      // same values. (To 1e-3: the attention's key bias has a true gradient of 0, since softmax ignores what it adds to
      // a row of scores, so Adam turns float noise, summed in another order here, into steps of its own.)
      const read = (f: string) => decodeSafetensors(new Uint8Array(readFileSync(join(program, f))));
      const whole = read('final.safetensors');
      const reference = new Map(read('one.safetensors').tensors.map((t) => [t.name, t]));
      expect(whole.tensors.map((t) => t.name).sort()).toEqual([...reference.keys()].sort());
      for (const t of whole.tensors) {
        expect(t.shape, t.name).toEqual(reference.get(t.name)!.shape);
        const r = reference.get(t.name)!.values;
        const worst = Math.max(...Array.from(t.values, (v, i) => Math.abs(v - r[i])));
        expect(worst, t.name).toBeLessThan(1e-3);
      }
    },
  );

  test('a split that cannot be made stops every process with what the app says; options for another split are refused', async () => {
    const { program } = programs.get('mlp')!;
    const s = MODELS.mlp;
    const results = await ranks(program, 3, ['--parallel', 'tensor']);
    const problem = scaleOut(s, problemShape(s, null)!, 3).tensor.problem!;
    expect(problem).toBe('the width of hidden layer 1 is 8, which 3 does not divide');
    for (const r of results) {
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`--parallel tensor over 3 processes: ${problem}`);
    }
    const lstm = programs.get('lstm')!.program;
    const staged = await ranks(lstm, 5, ['--parallel', 'pipeline']);
    const why = scaleOut(MODELS.lstm, problemShape(MODELS.lstm, null)!, 5).pipeline.problem!;
    for (const r of staged) {
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('the model has only 4 layers (or blocks) to share out');
    }
    expect(why).toContain('the model has only 4 layers (or blocks) to share out');
    // Options that go with another split are refused; one process trains the whole model and says so.
    const alone = await torch.run(lstm, [
      'train.py',
      '--device',
      'cpu',
      '--parallel',
      'pipeline',
      '--tensor-size',
      '2',
    ]);
    expect(alone.status).toBe(1);
    expect(alone.stderr).toContain('--tensor-size goes with --parallel tensor');
    const one = await torch.run(lstm, ['train.py', '--device', 'cpu', '--epochs', '1', '--parallel', 'pipeline']);
    expect(one.status, one.stderr).toBe(0);
    expect(one.stderr).toContain('--parallel pipeline: one process holds the whole model');
  });
});
