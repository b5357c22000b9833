// The command line: trains with the app's engine, writes run files the app reads, and refuses
// bad specs and arguments with the app's field-naming messages (status 2).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { parseCommand, UsageError } from '../src/cli/args';
import { Progress } from '../src/cli/progress';
import { main } from '../src/cli/main';
import { interrupt } from '../src/cli/trainCommand';
import { readRunFile } from '../src/export/runFile';
import {
  MLP_OPTION_DEFAULTS,
  TRANSFORMER_OPTION_DEFAULTS,
  datasetDefaults,
  defaultSpec,
  encodeSpec,
  type ExperimentSpec,
} from '../src/experiment';
import type { EpochMetrics } from '../src/engine/types';
import { problemShape } from '../src/data/shapes';
import { formatMemory } from '../src/engine/memoryEstimate';
import { scaleOut } from '../src/engine/scaleOut';
import { cli, specFile, tempDir } from './cliHarness';

function tinySpec(edit: (s: ExperimentSpec) => void = () => {}): ExperimentSpec {
  const s = defaultSpec();
  s.dataset.samples = 200;
  s.training.epochs = 3;
  edit(s);
  return s;
}

describe('train', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm'); // the CLI's default, so the tensor count is read on the backend it trains on
  });

  test('writes a run file the app imports, one run per seed, each learning; the same seed gives the same curve', async () => {
    const dir = tempDir('cli');
    const out = join(dir, 'runs.json');
    const before = tf.memory().numTensors;
    const result = await cli(['train', specFile(dir, tinySpec()), '--epochs', '4', '--seeds', '1,2', '--out', out]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(tf.memory().numTensors).toBe(before);
    const file = readRunFile(readFileSync(out, 'utf8'));
    if (!file.ok) throw new Error(JSON.stringify(file.errors));
    expect(file.runs.map((r) => r.run.spec.seed)).toEqual([1, 2]);
    for (const { run, checkpoint } of file.runs) {
      expect(run.phase).toBe('completed');
      expect(run.backend?.active).toBe('wasm');
      expect(run.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
      expect(run.epochs[3].trainLoss).toBeLessThan(run.epochs[0].trainLoss);
      expect(checkpoint?.epoch).toBe(4); // the model travels too: it can be sampled or continued in the app
    }
    expect(file.runs[0].run.epochs[3].valLoss).not.toBe(file.runs[1].run.epochs[3].valLoss);
    // A run file is a spec file too: its runs' specs train again, to the very same figures.
    const again = join(dir, 'again.json');
    expect((await cli(['train', out, '--out', again])).status).toBe(0);
    const rerun = readRunFile(readFileSync(again, 'utf8'));
    if (!rerun.ok) throw new Error('not readable');
    expect(rerun.runs.map((r) => r.run.epochs.map((e) => e.valLoss))).toEqual(
      file.runs.map((r) => r.run.epochs.map((e) => e.valLoss)),
    );
  });

  test('without a terminal it prints one plain line per epoch; on a terminal a bar redrawn in place', async () => {
    const dir = tempDir('cli');
    const plain = await cli(['train', specFile(dir, tinySpec())]);
    const lines = plain.stdout.trim().split('\n');
    expect(lines.filter((l) => / epoch \d+\/3 · loss /.test(l))).toHaveLength(3);
    expect(lines.at(-1)).toMatch(/ completed \(\d+:\d\d\)$/);
    expect(plain.stdout).not.toContain('\r');
    expect(lines[0]).toMatch(
      /^CLI · Adam lr 0\.01 · seed 42 epoch 1\/3 · loss \d\.\d{4} · val loss \d\.\d{4} · val acc \d+\.\d% · [\d,]+ ex\/s · \d+:\d\d left$/,
    );

    const writes: string[] = [];
    const progress = new Progress({ write: (t) => writes.push(t), isTTY: true }, 'run', 2);
    for (let b = 1; b <= 4; b++) progress.batch(1, b, 4);
    expect(writes.at(-1)).toMatch(/^\r\x1b\[2Krun epoch 1\/2 \[█{24}\] · \d+:\d\d left$/);
    progress.epoch({
      epoch: 1,
      trainLoss: 0.5,
      valLoss: 0.6,
      valAccuracy: 0.75,
      valExactMatch: null,
      examplesPerSec: 1234,
    } as EpochMetrics);
    progress.batch(2, 1, 4);
    // Half-way figures come from the last epoch; the bar shows a quarter done.
    expect(writes.at(-1)).toMatch(
      /^\r\x1b\[2Krun epoch 2\/2 \[█{6}░{18}\] loss 0\.5000 · val loss 0\.6000 · val acc 75\.0% · 1,234 ex\/s · /,
    );
  });

  test('a bad spec exits with status 2 and the app’s messages, naming each field', async () => {
    const dir = tempDir('cli');
    const spec = tinySpec((s) => {
      s.model = { ...MLP_OPTION_DEFAULTS, kind: 'mlp', hidden: [{ units: 0, activation: 'tanh', dropout: 0 }] };
      s.training.batchSize = -1;
    });
    const result = await cli(['train', specFile(dir, spec)]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('is not a valid spec');
    expect(result.stderr).toMatch(/Dense 1 · Units: must be .* \(model\.hidden\[0\]\.units\)/);
    expect(result.stderr).toMatch(/Batch size: must be .* \(training\.batchSize\)/);
    expect(result.stdout).toBe('');
    // Not JSON, a damaged run file, a missing file, and a spec that --epochs breaks.
    expect((await cli(['train', specFile(dir, '{oops', 'broken.json')])).stderr).toMatch(/not JSON/);
    const damaged = { format: 'nn-playground-runs', version: 1, runs: [{ name: 'x' }] };
    const bad = await cli(['train', specFile(dir, damaged, 'runs.json')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/runs\[0\]\.epochs/);
    expect((await cli(['train', join(dir, 'missing.json')])).stderr).toMatch(/missing\.json: cannot be read/);
    const userText = await cli([
      'train',
      specFile(
        dir,
        tinySpec((s) => {
          s.dataset = { ...s.dataset, kind: 'userText', ...datasetDefaults('userText') };
          s.model = { kind: 'lstm', cell: 'lstm', embedding: 4, layers: [{ units: 4, dropout: 0 }] };
        }),
        'text.json',
      ),
    ]);
    expect(userText).toMatchObject({ status: 2, stderr: expect.stringMatching(/your own text.*--data FILE/) });
  });

  test('--out that cannot take the run file, and --data over the app’s limits, are refused before any training', async () => {
    const dir = tempDir('cli');
    const spec = specFile(dir, tinySpec());
    const intoFolder = await cli(['train', spec, '--out', dir]);
    expect(intoFolder).toMatchObject({ status: 2, stdout: '' });
    expect(intoFolder.stderr).toBe(
      `--out ${dir} is a folder; give the run file's name, e.g. ${join(dir, 'runs.json')}\n`,
    );
    const nowhere = await cli(['train', spec, '--out', join(dir, 'missing', 'runs.json')]);
    expect(nowhere).toMatchObject({ status: 2, stdout: '' });
    expect(nowhere.stderr).toMatch(/the folder .*missing does not exist; make it first/);
    // Your own text: the app's limits (size, length, alphabet), not 6 minutes of training on a binary.
    const textSpec = specFile(
      dir,
      tinySpec((s) => {
        s.dataset = { ...s.dataset, kind: 'userText', ...datasetDefaults('userText') };
        s.model = { kind: 'lstm', cell: 'lstm', embedding: 4, layers: [{ units: 4, dropout: 0 }] };
      }),
      'text.json',
    );
    const big = join(dir, 'big.bin');
    writeFileSync(big, Buffer.alloc(51_000_000, 1));
    expect(await cli(['train', textSpec, '--data', big])).toMatchObject({
      status: 2,
      stdout: '',
      stderr: expect.stringMatching(
        /--data .*big\.bin cannot be used \(it is 51\.0 MB, over the 50 MB limit for your own text\)/,
      ),
    });
    const short = join(dir, 'short.txt');
    writeFileSync(short, 'too short');
    expect((await cli(['train', textSpec, '--data', short])).stderr).toMatch(
      /short\.txt: Your text: at least 1000 characters are needed to train on \(got 9\)/,
    );
  });

  test('a spec or run file saved with a byte-order mark reads as the app reads it', async () => {
    const dir = tempDir('cli');
    const spec = tinySpec((s) => {
      s.training.epochs = 1;
    });
    const out = join(dir, 'runs.json');
    const result = await cli(['train', specFile(dir, `\uFEFF${JSON.stringify(spec)}`), '--out', out]);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    const again = await cli([
      'train',
      specFile(dir, `\uFEFF${readFileSync(out, 'utf8')}`, 'again.json'),
      '--epochs',
      '1',
    ]);
    expect(again).toMatchObject({ status: 0, stderr: '' });
  });

  test('a shared link, given in place of a file or saved in one, is the experiment it opens in the app', async () => {
    const dir = tempDir('cli');
    const spec = tinySpec((s) => {
      s.seed = 7;
      s.dataset.kind = 'moons';
    });
    const link = `http://127.0.0.1:5173/#spec=${encodeSpec(spec)}`;
    const fromFile = join(dir, 'file.json');
    const fromLink = join(dir, 'link.json');
    expect((await cli(['train', specFile(dir, spec), '--out', fromFile])).status).toBe(0);
    expect((await cli(['train', link, '--out', fromLink])).status).toBe(0);
    const curve = (path: string) => {
      const file = readRunFile(readFileSync(path, 'utf8'));
      return file.ok ? file.runs.map((r) => [r.run.spec, r.run.epochs.map((e) => e.valLoss)]) : null;
    };
    expect(curve(fromLink)).toEqual(curve(fromFile));
    expect((await cli(['export-pytorch', specFile(dir, link, 'link.txt'), '--out', join(dir, 'program')])).status).toBe(
      0,
    );
    const damaged = await cli(['train', `${link.slice(0, -12)}!`]);
    expect(damaged).toMatchObject({ status: 2, stderr: expect.stringContaining('cannot be read') });
    const cut = await cli(['train', link.slice(0, -12)]);
    expect(cut).toMatchObject({
      status: 2,
      stderr: expect.stringMatching(/^The link is not a valid spec:\n {2}the shared link is damaged/),
    });
  });

  test('bad arguments exit with status 2 and say what is allowed', async () => {
    expect(() => parseCommand(['fly', 'x.json'])).toThrow(UsageError);
    expect(() => parseCommand(['train', 'x.json', '--epochs', '0'])).toThrow(
      /--epochs must be a whole number from 1 to 10000 \(got "0"\)/,
    );
    expect(() => parseCommand(['train', 'x.json', '--backend', 'tpu'])).toThrow(
      /--backend must be one of cpu, wasm, webgpu/,
    );
    expect(() => parseCommand(['train', 'x.json', '--seeds', '1,x'])).toThrow(/--seeds must be a whole number/);
    expect(() => parseCommand(['train', 'x.json', '--seeds', '3,3'])).toThrow(/twice/);
    expect(() => parseCommand(['export-pytorch', 'x.json'])).toThrow(/--out DIR/);
    expect(() => parseCommand(['train', 'x.json', '--frobnicate'])).toThrow(UsageError);
    expect(parseCommand(['train', 'x.json', '--seeds', '1,2,3', '--backend', 'cpu'])).toMatchObject({
      seeds: [1, 2, 3],
      backend: 'cpu',
      epochs: null,
    });
    const result = await cli(['train', 'x.json', '--epochs', 'many']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/--epochs must be a whole number .*\n\nUsage:/);
    expect((await cli([])).stdout).toMatch(/^Usage:/);
  });

  test('Ctrl-C stops the run after its batch: the epochs done are written as a stopped run, and no later seed starts', async () => {
    const dir = tempDir('cli');
    const out = join(dir, 'runs.json');
    let stdout = '';
    const status = await main(
      [
        'train',
        specFile(
          dir,
          tinySpec((s) => {
            s.training.epochs = 50;
          }),
        ),
        '--seeds',
        '1,2',
        '--out',
        out,
      ],
      {
        stdout: {
          write: (t: string) => {
            stdout += t;
            if (/epoch 2\/50/.test(t)) interrupt();
          },
        },
        stderr: { write: () => {} },
      },
    );
    expect(status).toBe(1);
    expect(stdout).toMatch(/seed 1 stopped/);
    const file = readRunFile(readFileSync(out, 'utf8'));
    if (!file.ok) throw new Error('not readable');
    expect(file.runs).toHaveLength(1);
    expect(file.runs[0].run.phase).toBe('stopped');
    expect(file.runs[0].run.epochs.length).toBeGreaterThanOrEqual(2);
    expect(file.runs[0].run.epochs.length).toBeLessThan(50);
    expect(file.runs[0].checkpoint?.epoch).toBe(file.runs[0].run.epochs.length);
  });

  test('a run that diverges ends with status 1 and the engine’s explanation', async () => {
    const dir = tempDir('cli');
    const spec = tinySpec((s) => {
      s.dataset.kind = 'plane';
      s.training.optimizer = { ...s.training.optimizer, kind: 'sgd', learningRate: 10 };
    });
    const out = join(dir, 'runs.json');
    const result = await cli(['train', specFile(dir, spec), '--out', out]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/ (diverged|exploded): .*learning rate/);
    const file = readRunFile(readFileSync(out, 'utf8'));
    expect(file.ok && ['diverged', 'exploded'].includes(file.runs[0].run.phase)).toBe(true);
  });
});

describe('scale-out', () => {
  test('prints what each device holds and sends per step, per split, as the app’s Scale out does, and the commands', async () => {
    const spec = defaultSpec();
    spec.dataset = { ...spec.dataset, kind: 'names', ...datasetDefaults('names') };
    spec.model = { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 4, dModel: 64, heads: 4, dropout: 0 };
    const dir = tempDir('cli-scale');
    const result = await cli(['scale-out', specFile(dir, spec), '--devices', '4', '--tensor-size', '2']);
    expect(result.status, result.stderr).toBe(0);
    const figures = scaleOut(spec, problemShape(spec, null)!, 4, { tensorSize: 2 });
    const out = result.stdout;
    // Identical devices share a line; a pipeline's stages each have theirs, with their blocks.
    const data = figures.data.loads[0];
    expect(out).toContain(
      `devices 1–4: ${data.parameters.toLocaleString('en-US')} params · weights + gradients ${formatMemory(2 * data.memory.parameters)}`,
    );
    expect(out).toContain(`sends ${formatMemory(figures.tensor.loads[0].bytesSent)} a step`);
    figures.pipeline.loads.forEach((l, s) =>
      expect(out).toContain(`device ${s + 1} (block ${s + 1}): ${l.parameters.toLocaleString('en-US')} params`),
    );
    expect(out).toContain('16 micro-batches: each device idles 15.8% of the step');
    expect(out).toContain('torchrun --nproc_per_node=4 train.py --parallel tensor --tensor-size 2');
    expect(out).toContain('torchrun --nproc_per_node=4 train.py --parallel pipeline --micro-batches 16');
    // A split that cannot be made says why; bad options are refused with what is allowed.
    const tiny = await cli(['scale-out', specFile(dir, defaultSpec(), 'mlp.json'), '--devices', '3']);
    expect(tiny.stdout).toContain('not over 3: the width of hidden layer 1 is 8, which 3 does not divide');
    expect(() => parseCommand(['scale-out', 'x.json', '--devices', '65'])).toThrow(
      /--devices must be a whole number from 1 to 64 \(got "65"\)/,
    );
    expect(() => parseCommand(['train', 'x.json', '--devices', '2'])).toThrow(/--devices is an option of scale-out/);
    expect(() => parseCommand(['scale-out', 'x.json', '--epochs', '2'])).toThrow(
      /--epochs is not an option of scale-out/,
    );
    expect(parseCommand(['scale-out', 'x.json'])).toMatchObject({ devices: 2, tensorSize: null, microBatches: null });
  });
});
