// The PyTorch export reproduces the engine's run: train.py, started from the exported data and
// initial weights, prints the same per-epoch losses as the CLI's run file (1e-4 relative), for
// each model kind and each optimizer; two data-parallel processes give what one does.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { convLayer, poolLayer } from '../src/experiment/cnn';
import { readRunFile } from '../src/export/runFile';
import { decodeSafetensors, encodeSafetensors } from '../src/export/safetensors';
import {
  TRANSFORMER_OPTION_DEFAULTS,
  MLP_OPTION_DEFAULTS,
  mlpOf,
  datasetDefaults,
  defaultModel,
  type ExperimentSpec,
} from '../src/experiment';
import type { EpochMetrics } from '../src/engine/types';
import { bpeTokenizer, decodeBpe, encodeBpe } from '../src/data/bpe';
import type { DataInfo } from '../src/export/pytorch/exportFiles';
import { cli, specFile, tempDir } from './cliHarness';
import { freePort, TorchRunner } from './helpers/torchRunner';
import { epochLines, hasTorch, onNames, PYTHON, pythonEnv, relative, spec } from './helpers/pytorchSpecs';

type Line = Record<string, number>;

const torch = new TorchRunner(PYTHON, pythonEnv);
afterAll(() => torch.close());

async function trainPy(dir: string, args: string[] = []): Promise<Line[]> {
  const result = await torch.run(dir, ['train.py', '--device', 'cpu', ...args]);
  if (result.status !== 0) throw new Error(`train.py failed (${result.status}): ${result.stderr}`);
  return epochLines(result.stdout);
}

/** train.py as two processes on the CPU, started as torchrun starts them: each one's output and errors. */
async function dataParallel(program: string): Promise<{ out: string; err: string }[]> {
  const port = await freePort();
  const rank = (r: number) =>
    new Promise<{ out: string; err: string }>((resolve, reject) => {
      const child = spawn(PYTHON, ['train.py', '--device', 'cpu'], {
        cwd: program,
        env: {
          ...pythonEnv,
          MASTER_ADDR: '127.0.0.1',
          MASTER_PORT: String(port),
          WORLD_SIZE: '2',
          RANK: String(r),
          LOCAL_RANK: String(r),
        },
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) =>
        code === 0 ? resolve({ out, err }) : reject(new Error(`rank ${r} exited ${code}: ${err}`)),
      );
    });
  return Promise.all([rank(0), rank(1)]);
}

function expectSameLosses(python: Line[], engine: Pick<EpochMetrics, 'epoch' | 'trainLoss' | 'valLoss'>[]): void {
  expect(python.map((l) => l.epoch)).toEqual(engine.map((e) => e.epoch));
  python.forEach((l, i) => {
    expect(
      relative(l.trainLoss, engine[i].trainLoss),
      `epoch ${l.epoch} training loss ${l.trainLoss} vs ${engine[i].trainLoss}`,
    ).toBeLessThan(1e-4);
    expect(
      relative(l.valLoss, engine[i].valLoss),
      `epoch ${l.epoch} validation loss ${l.valLoss} vs ${engine[i].valLoss}`,
    ).toBeLessThan(1e-4);
  });
}

/** The CLI's run of a spec (on wasm), and the program exported for it. */
async function trainAndExport(spec: ExperimentSpec, epochs?: number) {
  const dir = tempDir('pytorch');
  const path = specFile(dir, spec);
  const out = join(dir, 'run.json');
  const trained = await cli(['train', path, '--out', out, ...(epochs ? ['--epochs', String(epochs)] : [])]);
  expect(trained.status, trained.stderr).toBe(0);
  const file = readRunFile(readFileSync(out, 'utf8'));
  if (!file.ok) throw new Error(JSON.stringify(file.errors));
  const program = join(dir, 'export');
  const exported = await cli(['export-pytorch', path, '--out', program]);
  expect(exported.status, exported.stderr).toBe(0);
  return { program, run: file.runs[0].run, checkpoint: file.runs[0].checkpoint };
}

const names = (s: ExperimentSpec) => onNames(s, 300);

const BYTE_PAIRS = 'transformer language model on byte pairs (a vocabulary of 300 learned from the names)';

/** Every model kind, every optimizer at least once, with penalties, clipping, schedules, weight decay and a test split. */
const CASES: [string, ExperimentSpec][] = [
  [
    'MLP classification, Nesterov, L2, weight decay, step schedule, engineered features, test split',
    spec((s) => {
      s.dataset = { ...s.dataset, kind: 'spiral', features: ['x1', 'x2', 'x1sq', 'sinx1'], testSplit: 0.1 };
      s.model = {
        ...MLP_OPTION_DEFAULTS,
        kind: 'mlp',
        hidden: [
          { units: 8, activation: 'tanh', dropout: 0 },
          { units: 6, activation: 'relu', dropout: 0 },
        ],
      };
      s.training = {
        ...s.training,
        l2: 0.001,
        schedule: { ...s.training.schedule, kind: 'step', stepEpochs: 1, gamma: 0.5 },
      };
      s.training.optimizer = { ...s.training.optimizer, kind: 'nesterov', learningRate: 0.1, weightDecay: 0.01 };
    }),
  ],
  [
    'MLP regression, centred RMSprop with momentum, L1 + L2, clipping, cosine with warm-up, GELU',
    spec((s) => {
      s.dataset.kind = 'plane';
      s.model = {
        ...MLP_OPTION_DEFAULTS,
        kind: 'mlp',
        hidden: [
          { units: 8, activation: 'gelu', dropout: 0 },
          { units: 8, activation: 'sigmoid', dropout: 0 },
        ],
      };
      s.training = {
        ...s.training,
        l1: 0.001,
        l2: 0.01,
        clipNorm: 0.5,
        schedule: { ...s.training.schedule, kind: 'cosine', warmupEpochs: 1, minLearningRate: 0.001 },
      };
      s.training.optimizer = { ...s.training.optimizer, kind: 'rmsprop', rmspropMomentum: 0.5, centered: true };
    }),
  ],
  [
    'MLP on XOR, plain SGD',
    spec((s) => {
      s.dataset.kind = 'xor';
      s.training.optimizer = { ...s.training.optimizer, kind: 'sgd', learningRate: 0.1 };
    }),
  ],
  [
    'MLP on circle, leaky ReLU, ELU and SiLU, Adam',
    spec((s) => {
      s.model = {
        ...MLP_OPTION_DEFAULTS,
        kind: 'mlp',
        hidden: [
          { units: 8, activation: 'leakyRelu', dropout: 0 },
          { units: 8, activation: 'elu', dropout: 0 },
          { units: 6, activation: 'silu', dropout: 0 },
        ],
      };
    }),
  ],
  [
    'LSTM language model, two layers, Adagrad',
    spec((s) => {
      names(s);
      s.model = {
        kind: 'lstm',
        cell: 'lstm',
        embedding: 8,
        layers: [
          { units: 12, dropout: 0 },
          { units: 10, dropout: 0 },
        ],
      };
      s.training = {
        ...s.training,
        batchSize: 32,
        optimizer: { ...s.training.optimizer, kind: 'adagrad', learningRate: 0.05 },
      };
    }),
  ],
  [
    'LSTM forecasting a series, momentum, exponential schedule',
    spec((s) => {
      s.dataset = { ...s.dataset, kind: 'sines', ...datasetDefaults('sines'), samples: 300, contextLength: 8 };
      s.model = { kind: 'lstm', cell: 'lstm', embedding: 8, layers: [{ units: 8, dropout: 0 }] };
      s.training = { ...s.training, schedule: { ...s.training.schedule, kind: 'exponential', gamma: 0.7 } };
      s.training.optimizer = { ...s.training.optimizer, kind: 'momentum', learningRate: 0.05 };
    }),
  ],
  [
    'MLP on moons, squared error of the probability, Gaussian initial weights (σ 0.5)',
    spec((s) => {
      s.dataset.kind = 'moons';
      s.model = { ...mlpOf(s), init: 'gaussian', initStd: 0.5, classificationLoss: 'mse' };
    }),
  ],
  [
    'MLP on spiral with LayerNorm and residual connections (4 × 12 relu)',
    spec((s) => {
      s.dataset.kind = 'spiral';
      s.model = {
        ...MLP_OPTION_DEFAULTS,
        kind: 'mlp',
        hidden: [0, 1, 2, 3].map(() => ({ units: 12, activation: 'relu' as const, dropout: 0 })),
        norm: 'layerNorm',
        residual: true,
      };
    }),
  ],
  [
    'MLP on 200 MNIST digits, squared error of the softmax over 10 classes, Glorot normal',
    spec((s) => {
      s.dataset = { ...s.dataset, kind: 'mnist', ...datasetDefaults('mnist'), samples: 200 };
      s.model = {
        ...MLP_OPTION_DEFAULTS,
        kind: 'mlp',
        hidden: [{ units: 16, activation: 'relu', dropout: 0 }],
        init: 'glorotNormal',
        classificationLoss: 'mse',
      };
      s.training = { ...s.training, batchSize: 32 };
    }),
  ],
  [
    'CNN on 200 MNIST digits: same and valid padding, stride 2, max and average pooling, flatten, Adam with L2',
    spec((s) => {
      s.dataset = { ...s.dataset, kind: 'mnist', ...datasetDefaults('mnist'), samples: 200 };
      s.model = {
        kind: 'cnn',
        layers: [
          convLayer(4, 5),
          poolLayer(2),
          convLayer(6, 3, { stride: 2, padding: 'valid', activation: 'tanh' }),
          poolLayer(2, 1, 'avg'),
        ],
        head: 'flatten',
        dense: [{ units: 16, activation: 'relu', dropout: 0 }],
      };
      s.training = { ...s.training, batchSize: 32, l2: 0.001 };
      s.training.optimizer = { ...s.training.optimizer, learningRate: 0.003 };
    }),
  ],
  [
    'CNN with BatchNorm2d and residual blocks (identity and projected), global average pooling, momentum',
    spec((s) => {
      s.dataset = { ...s.dataset, kind: 'mnist', ...datasetDefaults('mnist'), samples: 200 };
      s.model = {
        kind: 'cnn',
        layers: [
          convLayer(4, 3, { stride: 2, batchNorm: true }),
          { kind: 'residual', filters: 4, stride: 1 },
          { kind: 'residual', filters: 6, stride: 2 },
        ],
        head: 'globalAverage',
        dense: [],
      };
      s.training = { ...s.training, batchSize: 32 };
      s.training.optimizer = { ...s.training.optimizer, kind: 'momentum', learningRate: 0.05 };
    }),
  ],
  [
    'MLP on spiral, Lion with weight decay, cosine schedule',
    spec((s) => {
      s.dataset.kind = 'spiral';
      s.training = { ...s.training, schedule: { ...s.training.schedule, kind: 'cosine', minLearningRate: 1e-4 } };
      s.training.optimizer = {
        ...s.training.optimizer,
        kind: 'lion',
        learningRate: 0.003,
        beta2: 0.99,
        weightDecay: 0.1,
      };
    }),
  ],
  [
    'transformer on reverse, Muon for the matrices with AdamW for gains and biases (AMSGrad left ticked)',
    spec((s) => {
      s.dataset = { ...s.dataset, kind: 'reverse', ...datasetDefaults('reverse'), samples: 300 };
      s.model = { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 1, dModel: 16, heads: 2, dropout: 0 };
      s.training = { ...s.training, batchSize: 32 };
      s.training.optimizer = {
        ...s.training.optimizer,
        kind: 'muon',
        learningRate: 0.02,
        momentum: 0.95,
        weightDecay: 0.01,
        decayMatricesOnly: true,
        // Switches Muon does not read (hidden in the builder): inert in the engine as in train.py.
        amsgrad: true,
        centered: true,
        rho: 0.5,
      };
    }),
  ],
  [
    'transformer on reverse: RoPE, RMSNorm, SwiGLU, tied embeddings',
    spec((s) => {
      s.dataset = { ...s.dataset, kind: 'reverse', ...datasetDefaults('reverse'), samples: 300 };
      s.model = {
        ...TRANSFORMER_OPTION_DEFAULTS,
        kind: 'transformer',
        layers: 2,
        dModel: 16,
        heads: 2,
        dropout: 0,
        position: 'rope',
        norm: 'rmsNorm',
        mlpActivation: 'swiglu',
        tiedEmbeddings: true,
      };
      s.training = { ...s.training, batchSize: 32 };
    }),
  ],
  [
    'transformer language model: sinusoidal positions, post-norm LayerNorm, ReLU',
    spec((s) => {
      names(s);
      s.model = {
        ...TRANSFORMER_OPTION_DEFAULTS,
        kind: 'transformer',
        layers: 2,
        dModel: 16,
        heads: 4,
        dropout: 0,
        position: 'sinusoidal',
        normPlacement: 'post',
        mlpActivation: 'relu',
      };
      s.training = { ...s.training, batchSize: 32 };
    }),
  ],
  [
    'transformer language model with ALiBi, 3 heads (slopes for a head count not a power of two)',
    spec((s) => {
      names(s);
      s.model = { ...defaultModel('transformer'), dModel: 12, heads: 3, position: 'alibi' } as ExperimentSpec['model'];
      s.training = { ...s.training, batchSize: 32 };
    }),
  ],
  [
    BYTE_PAIRS,
    spec((s) => {
      names(s);
      s.dataset.tokenizer = { kind: 'bpe', vocabSize: 300 };
      s.model = { ...defaultModel('transformer'), dModel: 16, heads: 2 } as ExperimentSpec['model'];
      s.training = { ...s.training, batchSize: 32 };
    }),
  ],
  [
    'transformer language model without positions',
    spec((s) => {
      names(s);
      s.model = { ...defaultModel('transformer'), dModel: 16, heads: 2, position: 'none' } as ExperimentSpec['model'];
      s.training = { ...s.training, batchSize: 32 };
    }),
  ],
  [
    'GRU language model, Adam',
    spec((s) => {
      names(s);
      s.model = { kind: 'lstm', cell: 'gru', embedding: 8, layers: [{ units: 12, dropout: 0 }] };
      s.training = { ...s.training, batchSize: 32 };
    }),
  ],
  [
    'vanilla RNN on copy (masked answers), two layers, RMSprop',
    spec((s) => {
      s.dataset = { ...s.dataset, kind: 'copy', ...datasetDefaults('copy'), samples: 300 };
      s.model = {
        kind: 'lstm',
        cell: 'rnn',
        embedding: 8,
        layers: [
          { units: 10, dropout: 0 },
          { units: 8, dropout: 0 },
        ],
      };
      s.training = { ...s.training, batchSize: 32 };
      s.training.optimizer = { ...s.training.optimizer, kind: 'rmsprop', learningRate: 0.005 };
    }),
  ],
  [
    'transformer on addition (masked answers), AdamW with AMSGrad, decay on matrices only, clipping',
    spec((s) => {
      s.dataset = { ...s.dataset, kind: 'addition', ...datasetDefaults('addition'), samples: 300 };
      s.model = { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 2, dModel: 16, heads: 2, dropout: 0 };
      s.training = { ...s.training, batchSize: 32, clipNorm: 1 };
      s.training.optimizer = {
        ...s.training.optimizer,
        kind: 'adamw',
        weightDecay: 0.1,
        decayMatricesOnly: true,
        amsgrad: true,
      };
    }),
  ],
  [
    'transformer language model, Adam',
    spec((s) => {
      names(s);
      s.model = { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 1, dModel: 16, heads: 4, dropout: 0 };
      s.training.batchSize = 32;
    }),
  ],
  [
    // Its evaluation losses come from the running statistics: they must move as nn.BatchNorm1d's do.
    'MLP on spiral with BatchNorm (3 × 12 tanh, batches of 16), momentum',
    spec((s) => {
      s.dataset.kind = 'spiral';
      s.model = {
        ...MLP_OPTION_DEFAULTS,
        kind: 'mlp',
        hidden: [0, 1, 2].map(() => ({ units: 12, activation: 'tanh' as const, dropout: 0 })),
        norm: 'batchNorm',
      };
      s.training = { ...s.training, batchSize: 16 };
      s.training.optimizer = { ...s.training.optimizer, kind: 'momentum', learningRate: 0.05 };
    }),
  ],
];

describe.skipIf(!hasTorch)('PyTorch export', () => {
  const trained = new Map<string, Awaited<ReturnType<typeof trainAndExport>>>();
  beforeAll(async () => {
    for (const [name, s] of CASES) trained.set(name, await trainAndExport(s));
  });

  test.each(CASES.map(([name]) => name))('%s: train.py reproduces the run epoch by epoch', async (name) => {
    const { program, run } = trained.get(name)!;
    const lines = await trainPy(program);
    expectSameLosses(lines, run.epochs);
    if (run.epochs[0].valAccuracy !== null)
      expect(lines.map((l) => l.valAccuracy)).toEqual(run.epochs.map((e) => expect.closeTo(e.valAccuracy!, 2)));
    // Its final weights are a weights file the app loads: the engine's names and shapes.
    const saved = decodeSafetensors(new Uint8Array(readFileSync(join(program, 'final.safetensors'))));
    const init = decodeSafetensors(new Uint8Array(readFileSync(join(program, 'init.safetensors'))));
    // (In any order: PyTorch writes a layer's BatchNorm statistics beside its weights, the app after all of them.)
    const entries = (file: typeof saved) => file.tensors.map((t) => [t.name, t.shape]).sort();
    expect(entries(saved)).toEqual(entries(init));
    expect(saved.metadata).toMatchObject({ format: 'nn-playground-weights', epoch: '3' });
  });

  test('two data-parallel processes (started as torchrun starts them) give the losses of one', async () => {
    const { program, run } = trained.get(CASES[5][0])!;
    const [zero, one] = await dataParallel(program);
    expect(one.out).toBe(''); // only rank 0 prints
    expectSameLosses(epochLines(zero.out), run.epochs);
  });

  test('with BatchNorm on the CPU, two processes each normalise their own share of a batch, and say so', async () => {
    const { program, run } = trained.get(CASES.at(-1)![0])!;
    const [zero] = await dataParallel(program);
    expect(zero.err).toMatch(/BatchNorm on cpu: each process normalises over its own share of the batch/);
    const lines = epochLines(zero.out);
    expect(lines.map((l) => l.epoch)).toEqual(run.epochs.map((e) => e.epoch));
    // Statistics over 8 rows instead of 16: close to one process's losses, but not the same.
    lines.forEach((l, i) => expect(relative(l.valLoss, run.epochs[i].valLoss)).toBeLessThan(0.2));
    expect(Math.max(...lines.map((l, i) => relative(l.valLoss, run.epochs[i].valLoss)))).toBeGreaterThan(1e-4);
  });

  test('with augmentation, train.py shifts and turns the images with its own random numbers: losses agree in distribution', async () => {
    const augmented = spec((s) => {
      s.dataset = {
        ...s.dataset,
        kind: 'mnist',
        ...datasetDefaults('mnist'),
        samples: 300,
        augment: { shift: 2, rotation: 15, flip: false },
      };
      s.model = { ...defaultModel('cnn'), dense: [] } as ExperimentSpec['model'];
      s.training = { ...s.training, batchSize: 32 };
      s.training.optimizer = { ...s.training.optimizer, learningRate: 0.003 };
    });
    const { program, run } = await trainAndExport(augmented);
    const lines = await trainPy(program);
    expect(lines.map((l) => l.epoch)).toEqual([1, 2, 3]);
    lines.forEach((l, i) => expect(relative(l.valLoss, run.epochs[i].valLoss)).toBeLessThan(0.25));
    // Not the same numbers: the images were changed differently (and would be identical without augmentation).
    expect(Math.max(...lines.map((l, i) => relative(l.trainLoss, run.epochs[i].trainLoss)))).toBeGreaterThan(1e-4);
  });

  test('--resume goes on from the app’s weights file: its epoch, schedule and shuffle continue', async () => {
    // SGD keeps no optimizer state, so two epochs, a weights file, then one more equal three at once.
    const sgd = spec((s) => {
      s.dataset.kind = 'moons';
      s.training.optimizer = { ...s.training.optimizer, kind: 'sgd', learningRate: 0.2 };
      s.training.schedule = { ...s.training.schedule, kind: 'step', stepEpochs: 2, gamma: 0.5 };
    });
    const whole = await trainAndExport(sgd);
    const half = await trainAndExport(sgd, 2);
    // The weights file exactly as the app's "Download weights" writes it.
    const weights = join(half.program, 'browser.safetensors');
    writeFileSync(
      weights,
      encodeSafetensors(half.checkpoint!.weights, {
        format: 'nn-playground-weights',
        spec: JSON.stringify(half.run.spec),
        epoch: String(half.checkpoint!.epoch),
        run: half.run.name,
      }),
    );
    const lines = await trainPy(whole.program, ['--resume', weights]);
    expectSameLosses(lines, whole.run.epochs.slice(2));
    // A file from another model is refused, naming the tensor.
    const other = trained.get(CASES[0][0])!.program; // four input features, not two
    const refused = await torch.run(whole.program, [
      'train.py',
      '--device',
      'cpu',
      '--resume',
      join(other, 'init.safetensors'),
    ]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain("the tensor layers.0.weight has shape [4, 8], but this model's is [2, 8]");
  });

  test('a byte-pair model’s train.py reads tokens as the app does, writes a sample, and keeps the merges', async () => {
    const { program } = trained.get(BYTE_PAIRS)!;
    const data = decodeSafetensors(new Uint8Array(readFileSync(join(program, 'data.safetensors'))));
    const info = JSON.parse(data.metadata.data) as DataInfo;
    const tokenizer = bpeTokenizer({ merges: Int32Array.from(info.merges!) });
    expect(tokenizer.vocabSize).toBeGreaterThan(256);
    // The decoder: a validation window, and text with an accent and an emoji, read by Python and by the app.
    const window = data.tensors.find((t) => t.name === 'validation.x')!.values.subarray(0, info.length!);
    const ids = [...Array.from(window, Math.round), ...encodeBpe(tokenizer, ' Zoë 🙂 and Ana.')];
    writeFileSync(
      join(program, 'decode_check.py'),
      'import json, sys\nimport train\ninfo, _ = train.load_data("cpu")\nprint(json.dumps(train.decode(info, json.loads(sys.argv[1]))))\n',
    );
    const decoded = await torch.run(program, ['decode_check.py', JSON.stringify(ids)]);
    expect(decoded.status, decoded.stderr).toBe(0);
    expect(JSON.parse(decoded.stdout)).toBe(decodeBpe(tokenizer, ids));
    expect(JSON.parse(decoded.stdout)).toContain(' Zoë 🙂 and Ana.');
    // A sample after training: printed, written to sample.txt, and text the tokenizer reads back as it is.
    const run = await torch.run(program, ['train.py', '--device', 'cpu', '--epochs', '1', '--sample', '60']);
    expect(run.status, run.stderr).toBe(0);
    const sample = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { sample?: string })
      .find((l) => l.sample !== undefined)!.sample!;
    expect(sample.length).toBeGreaterThan(20);
    expect(readFileSync(join(program, 'sample.txt'), 'utf8')).toBe(sample);
    expect(decodeBpe(tokenizer, encodeBpe(tokenizer, sample))).toBe(sample);
    // Cut as the app cuts: top-k 1 and temperature 0 are both the likeliest token (from the saved model, untrained further).
    const sampled = async (...args: string[]) => {
      const r = await torch.run(program, [
        'train.py',
        '--device',
        'cpu',
        '--resume',
        'final.safetensors',
        '--epochs',
        '1',
        '--sample',
        '60',
        ...args,
      ]);
      expect(r.status, r.stderr).toBe(0);
      return readFileSync(join(program, 'sample.txt'), 'utf8');
    };
    const greedy = await sampled('--temperature', '0');
    expect(await sampled('--top-k', '1', '--temperature', '1.5')).toBe(greedy);
    expect(await sampled('--top-p', '0.3')).not.toBe('');
    // The weights it saves carry the merges, so the app reads them with the same tokenizer.
    const saved = decodeSafetensors(new Uint8Array(readFileSync(join(program, 'final.safetensors'))));
    expect(JSON.parse(saved.metadata.merges)).toEqual(info.merges);
  });

  test('the program is one readable file about as long as nanoGPT’s two, needing only PyTorch', () => {
    for (const [name] of CASES) {
      const source = readFileSync(join(trained.get(name)!.program, 'train.py'), 'utf8');
      // nanoGPT's train.py is 336 lines and its model.py 330 more: 666, training data-parallel only. Ours holds the
      // model (only the kind and recurrent cell exported, with its options), any optimizer PyTorch lacks (Lion,
      // Muon) and the loop in one file, with the loop's hooks for tensor and pipeline parallelism (their code is
      // parallel.py), and stays within 750 lines (the longest, a transformer with Muon, is 734).
      expect(source.split('\n').length).toBeLessThan(750);
      const imports = [...source.matchAll(/^(?:import|from) (\w+)/gm)].map((m) => m[1]);
      // parallel.py is the file beside it (tensor and pipeline parallelism), needing only PyTorch too.
      expect(new Set(imports)).toEqual(
        new Set(['argparse', 'json', 'math', 'os', 'struct', 'sys', 'torch', 'parallel']),
      );
      const parallel = readFileSync(join(trained.get(name)!.program, 'parallel.py'), 'utf8');
      expect(new Set([...parallel.matchAll(/^(?:import|from) (\w+)/gm)].map((m) => m[1]))).toEqual(new Set(['torch']));
    }
  });
});
