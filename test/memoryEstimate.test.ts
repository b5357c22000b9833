import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { convLayer, poolLayer } from '../src/experiment/cnn';
import { activateBackend } from '../src/engine/backend';
import {
  estimateMemory,
  examplesThatFit,
  MEMORY_BUDGET,
  memoryProblem,
  optimizerSlots,
} from '../src/engine/memoryEstimate';
import { createOptimizer } from '../src/engine/optimizers';
import { modelCost } from '../src/engine/modelCost';
import { Trainer } from '../src/engine/trainer';
import { problemShape } from '../src/data/shapes';
import { prepareLearner } from '../src/engine/prepareLearner';
import {
  TRANSFORMER_OPTION_DEFAULTS,
  datasetDefaults,
  defaultModel,
  defaultSpec,
  mlpOf,
  type ExperimentSpec,
} from '../src/experiment';
import { OPTIMIZER_VARIANTS, variantLabel } from './helpers/fusedUpdate';

beforeAll(async () => {
  await activateBackend('cpu');
});

/** The spec that aborted wasm and took Chromium to 17 GB on WebGPU. */
function hugeTransformer(): ExperimentSpec {
  const spec = defaultSpec();
  spec.dataset = {
    ...spec.dataset,
    kind: 'userText',
    ...datasetDefaults('userText'),
    samples: 50_000,
    contextLength: 128,
  };
  spec.model = { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 6, dModel: 256, heads: 16, dropout: 0 };
  spec.training.batchSize = 1024;
  return spec;
}

const estimate = (spec: ExperimentSpec, vocab = 80) => {
  const shape = problemShape(spec, vocab)!;
  return estimateMemory(spec, shape, modelCost(spec.model, shape).params);
};

describe('memory a run needs', () => {
  test('the spec that crashed the tab is refused on every backend, naming what to reduce', () => {
    const e = estimate(hugeTransformer());
    expect(e.activations).toBeGreaterThan(e.total * 0.9);
    for (const backend of ['webgpu', 'webgl', 'wasm', 'cpu'] as const) {
      expect(memoryProblem(hugeTransformer(), e, backend)).toMatch(
        new RegExp(
          `^needs about [\\d.]+ GB of memory, more than ${backend} can be given here .*one batch's activations take .*lower the batch size \\(1024\\), the context length \\(128\\)`,
        ),
      );
    }
  });

  test('the defaults, and a small transformer on names, fit every backend', () => {
    const names = defaultSpec();
    names.dataset = { ...names.dataset, kind: 'names', ...datasetDefaults('names') };
    names.model = defaultModel('transformer');
    for (const spec of [defaultSpec(), names]) {
      const e = estimate(spec, 28);
      for (const backend of ['webgpu', 'webgl', 'wasm', 'cpu'] as const)
        expect(memoryProblem(spec, e, backend)).toBeNull();
      expect(e.total).toBeLessThan(MEMORY_BUDGET.wasm / 20);
    }
  });

  test('evaluation takes as many windows at once as fit beside the model: few for a 6.4M-parameter GPT on wasm', () => {
    // TinyGPT's XL size at batch 4 (which fits): its 8,192-token evaluation chunks (64 windows) aborted wasm.
    const xl = hugeTransformer();
    xl.model = { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 8, dModel: 256, heads: 8, dropout: 0 };
    xl.dataset.samples = 96;
    xl.training.batchSize = 4;
    const shape = problemShape(xl, 80)!;
    const params = modelCost(xl.model, shape).params;
    expect(memoryProblem(xl, estimateMemory(xl, shape, params), 'wasm')).toBeNull();
    const fit = examplesThatFit(xl, shape, params, 'wasm');
    expect(fit).toBeGreaterThanOrEqual(4);
    expect(fit).toBeLessThan(64);
    // That many would fit as a batch too: the estimate's own judgement.
    const asBatch = { ...xl, training: { ...xl.training, batchSize: fit } };
    expect(memoryProblem(asBatch, estimateMemory(asBatch, shape, params), 'wasm')).toBeNull();
    const more = { ...xl, training: { ...xl.training, batchSize: fit + 1 } };
    expect(memoryProblem(more, estimateMemory(more, shape, params), 'wasm')).not.toBeNull();
    // A small model evaluates in chunks of 8,192 tokens, as before.
    const names = defaultSpec();
    names.dataset = { ...names.dataset, kind: 'names', ...datasetDefaults('names') };
    names.model = defaultModel('transformer');
    const small = problemShape(names, 28)!;
    expect(examplesThatFit(names, small, modelCost(names.model, small).params, 'wasm')).toBeGreaterThanOrEqual(
      8192 / names.dataset.contextLength,
    );
  });

  test('halving the batch halves the activations; the rest does not move', () => {
    const spec = hugeTransformer();
    const a = estimate(spec);
    spec.training.batchSize = 512;
    const b = estimate(spec);
    expect(b.activations).toBe(a.activations / 2);
    expect([b.parameters, b.optimizer, b.data]).toEqual([a.parameters, a.optimizer, a.data]);
  });

  test.each(OPTIMIZER_VARIANTS.map((v) => [variantLabel(v), v] as const))(
    '%s: the optimizer state counted is the state it keeps',
    (_, variant) => {
      const spec = { ...defaultSpec().training.optimizer, ...variant };
      const vars = [tf.variable(tf.zeros([3, 4]))];
      const optimizer = createOptimizer(spec, vars);
      expect(Object.keys(optimizer.slots)).toHaveLength(optimizerSlots(spec));
      optimizer.dispose();
      tf.dispose(vars);
    },
  );

  /** Small examples of each family; the estimate is linear in the batch, so these stand for big ones. */
  const measured: [string, (s: ExperimentSpec) => void][] = [
    [
      'MLP 2 × 256',
      (s) =>
        (s.model = {
          ...mlpOf(s),
          hidden: [0, 1].map(() => ({ units: 256, activation: 'tanh' as const, dropout: 0 })),
        }),
    ],
    [
      'MLP 2 × 128 with BatchNorm, residual, dropout',
      (s) =>
        (s.model = {
          ...mlpOf(s),
          norm: 'batchNorm',
          residual: true,
          hidden: [0, 1].map(() => ({ units: 128, activation: 'relu' as const, dropout: 0.2 })),
        }),
    ],
    ['LSTM 64', (s) => (s.model = { kind: 'lstm', cell: 'lstm', embedding: 16, layers: [{ units: 64, dropout: 0 }] })],
    [
      'GRU 48 × 2',
      (s) =>
        (s.model = {
          kind: 'lstm',
          cell: 'gru',
          embedding: 16,
          layers: [
            { units: 48, dropout: 0 },
            { units: 48, dropout: 0 },
          ],
        }),
    ],
    ['RNN 96', (s) => (s.model = { kind: 'lstm', cell: 'rnn', embedding: 16, layers: [{ units: 96, dropout: 0 }] })],
    [
      'transformer 2 × 48, 6 heads',
      (s) =>
        (s.model = {
          ...TRANSFORMER_OPTION_DEFAULTS,
          kind: 'transformer',
          layers: 2,
          dModel: 48,
          heads: 6,
          dropout: 0,
        }),
    ],
    [
      'transformer 1 × 64, SwiGLU, RMSNorm',
      (s) =>
        (s.model = {
          ...TRANSFORMER_OPTION_DEFAULTS,
          kind: 'transformer',
          layers: 1,
          dModel: 64,
          heads: 4,
          dropout: 0,
          mlpActivation: 'swiglu',
          norm: 'rmsNorm',
        }),
    ],
    ['LeNet', (s) => (s.model = defaultModel('cnn'))],
    [
      'a small ResNet with BatchNorm and dropout',
      (s) =>
        (s.model = {
          kind: 'cnn',
          layers: [
            convLayer(4, 3, { batchNorm: true, dropout: 0.1 }),
            { kind: 'residual', filters: 4, stride: 1 },
            { kind: 'residual', filters: 8, stride: 2 },
            poolLayer(2),
          ],
          head: 'globalAverage',
          dense: [{ units: 32, activation: 'relu', dropout: 0.2 }],
        }),
    ],
  ];
  const mnist = {
    images: new Uint8Array(readFileSync('datasets/mnist-images.u8')),
    labels: new Uint8Array(readFileSync('datasets/mnist-labels.u8')),
  };
  test.each(measured)(
    '%s: a training step’s measured peak memory is what the estimate says, to within a third',
    async (_, edit) => {
      const spec = defaultSpec();
      edit(spec);
      if (spec.model.kind === 'cnn') spec.dataset = { ...spec.dataset, kind: 'mnist', samples: 200 };
      else if (spec.model.kind !== 'mlp')
        spec.dataset = { ...spec.dataset, kind: 'names', ...datasetDefaults('names'), samples: 300, contextLength: 20 };
      spec.training.batchSize = 24;
      const prepared = prepareLearner(spec, { files: { text: 'anna.bob.carla.dmitri.eve.'.repeat(60), mnist } });
      const learner = prepared.make();
      const idx = tf.range(0, 24, 1, 'int32') as tf.Tensor1D;
      const before = tf.memory().numBytes;
      const info = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(() => learner.batchLoss(idx, () => 0), learner.variables);
        tf.dispose([value, ...Object.values(grads)]);
      });
      const e = estimateMemory(spec, prepared.shape, prepared.cost.params);
      const ratio = (e.activations + e.gradients) / (info.peakBytes - before);
      idx.dispose();
      learner.dispose();
      expect(ratio).toBeGreaterThan(0.75);
      expect(ratio).toBeLessThan(1.33);
    },
  );

  test('the trainer refuses a run that does not fit before it allocates anything', () => {
    const before = tf.memory().numTensors;
    const text = 'the quick brown fox jumps over the lazy dog. '.repeat(3000);
    expect(() => new Trainer(hugeTransformer(), {}, { files: { text } })).toThrow(
      /^This run needs about [\d.]+ GB of memory, more than cpu can be given here/,
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});
