// A run stopped at an epoch's end and resumed from its checkpoint continues exactly as the
// uninterrupted run: same per-epoch losses, for every model kind, with dropout and a cosine schedule.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { convLayer, poolLayer } from '../src/experiment/cnn';
import '@tensorflow/tfjs-backend-wasm';
import { activateBackend } from '../src/engine/backend';
import { Trainer } from '../src/engine/trainer';
import type { EpochMetrics, TrainingCheckpoint } from '../src/engine/types';
import {
  TRANSFORMER_OPTION_DEFAULTS,
  datasetDefaults,
  defaultSpec,
  mlpOf,
  validateSpec,
  type ExperimentSpec,
} from '../src/experiment';

const files = {
  text: readFileSync('datasets/names.txt', 'utf8'),
  mnist: {
    images: new Uint8Array(readFileSync('datasets/mnist-images.u8')),
    labels: new Uint8Array(readFileSync('datasets/mnist-labels.u8')),
  },
};
const sampling = { temperature: 0.8, topK: 0, topP: 1, attentionText: null };

function specs(): Record<string, ExperimentSpec> {
  const base = (edit: (s: ExperimentSpec) => void) => {
    const s = defaultSpec();
    s.training.epochs = 4;
    s.training.schedule = { ...s.training.schedule, kind: 'cosine', minLearningRate: 0.001 };
    edit(s);
    const v = validateSpec(s);
    if (!v.ok) throw new Error(JSON.stringify(v.errors));
    return s;
  };
  return {
    mlp: base((s) => {
      s.dataset.samples = 200;
      mlpOf(s).hidden[0].dropout = 0.3;
    }),
    // Its evaluation losses depend on the running statistics: restored with the weights.
    'mlp with BatchNorm': base((s) => {
      s.dataset.samples = 200;
      s.model = { ...mlpOf(s), norm: 'batchNorm' };
    }),
    lstm: base((s) => {
      s.dataset = { ...s.dataset, kind: 'names', ...datasetDefaults('names'), samples: 300, contextLength: 8 };
      s.model = { kind: 'lstm', cell: 'lstm', embedding: 4, layers: [{ units: 8, dropout: 0.2 }] };
      s.training.batchSize = 32;
    }),
    // Muon keeps a momentum buffer on the matrices and AdamW's moments on the biases: all restored.
    'GRU under Muon': base((s) => {
      s.dataset = { ...s.dataset, kind: 'names', ...datasetDefaults('names'), samples: 300, contextLength: 8 };
      s.model = { kind: 'lstm', cell: 'gru', embedding: 4, layers: [{ units: 8, dropout: 0 }] };
      s.training.batchSize = 32;
      s.training.optimizer = { ...s.training.optimizer, kind: 'muon', learningRate: 0.02, weightDecay: 0.01 };
    }),
    // BatchNorm2d's running statistics are restored with the weights; dropout's and augmentation's stream with the rest.
    'CNN with BatchNorm, dropout and augmentation': base((s) => {
      s.dataset = {
        ...s.dataset,
        kind: 'mnist',
        ...datasetDefaults('mnist'),
        samples: 200,
        augment: { shift: 2, rotation: 10, flip: false },
      };
      s.model = {
        kind: 'cnn',
        layers: [
          convLayer(4, 3, { batchNorm: true, dropout: 0.2 }),
          poolLayer(2),
          convLayer(6, 3, { stride: 2, padding: 'valid' }),
        ],
        head: 'flatten',
        dense: [],
      };
      s.training.batchSize = 32;
    }),
    transformer: base((s) => {
      s.dataset = { ...s.dataset, kind: 'names', ...datasetDefaults('names'), samples: 300, contextLength: 8 };
      s.model = { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 1, dModel: 8, heads: 2, dropout: 0.2 };
      s.training.batchSize = 32;
    }),
    // Its merges are kept with the checkpoint, and the resumed run reads with them.
    'transformer on byte pairs': base((s) => {
      s.dataset = { ...s.dataset, kind: 'names', ...datasetDefaults('names'), samples: 300, contextLength: 8 };
      s.dataset.tokenizer = { kind: 'bpe', vocabSize: 320 };
      s.model = { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 1, dModel: 8, heads: 2, dropout: 0 };
      s.training.batchSize = 32;
    }),
  };
}

interface Outcome {
  epochs: EpochMetrics[];
  checkpoints: TrainingCheckpoint[];
  samples: string[];
}

async function train(
  spec: ExperimentSpec,
  opts: { stopAfter?: number; resumeFrom?: TrainingCheckpoint } = {},
): Promise<Outcome> {
  const out: Outcome = { epochs: [], checkpoints: [], samples: [] };
  const trainer: Trainer = new Trainer(
    spec,
    {
      onEpoch: (m, v) => {
        out.epochs.push(m);
        if (v.sample) out.samples.push(v.sample.text);
        if (m.epoch === opts.stopAfter) trainer.stop();
      },
      onCheckpoint: (cp) => out.checkpoints.push(cp),
    },
    { files, sampling, resumeFrom: opts.resumeFrom },
  );
  await trainer.run();
  return out;
}

const relativeGap = (a: number[], b: number[]) =>
  Math.max(...a.map((x, i) => Math.abs(x - b[i]) / Math.max(1e-12, Math.abs(b[i]))));
const figures = (e: EpochMetrics) => [...e.batchLosses, e.trainLoss, e.valLoss];

const KINDS = [
  'mlp',
  'mlp with BatchNorm',
  'lstm',
  'GRU under Muon',
  'transformer',
  'transformer on byte pairs',
  'CNN with BatchNorm, dropout and augmentation',
];

describe.each(['cpu', 'wasm'])('on %s', (backend) => {
  // The CNN on wasm only: tfjs' cpu convolutions take 20 s for these runs (wasm, 1 s). Byte pairs change only
  // the data, which is the same on every backend: wasm only too.
  const onCpu = KINDS.filter((k) => !k.startsWith('CNN') && !k.includes('byte pairs'));
  test.each(backend === 'cpu' ? onCpu : KINDS)(
    'a %s stopped after epoch 2 and resumed gives the uninterrupted run’s losses',
    async (kind) => {
      await activateBackend(backend as 'cpu' | 'wasm');
      const spec = specs()[kind];
      const whole = await train(spec);
      const before = tf.memory().numTensors;
      const stopped = await train(spec, { stopAfter: 2 });
      expect(stopped.epochs.map((e) => e.epoch)).toEqual([1, 2]);
      const cp = stopped.checkpoints.at(-1)!;
      expect(cp.epoch).toBe(2);
      // Through structuredClone, as IndexedDB stores it.
      const resumed = await train(spec, { resumeFrom: structuredClone(cp) });
      expect(resumed.epochs.map((e) => e.epoch)).toEqual([3, 4]);
      expect(tf.memory().numTensors).toBe(before);
      for (const [i, e] of resumed.epochs.entries()) {
        const reference = whole.epochs[i + 2];
        expect(relativeGap(figures(e), figures(reference))).toBeLessThan(1e-6);
        expect(e.step).toBe(reference.step);
        expect(e.learningRate).toBeCloseTo(reference.learningRate, 12);
      }
      // The sampling stream continues too: the same text after epochs 3 and 4.
      expect(resumed.samples).toEqual(whole.samples.slice(2));
      if (kind === 'transformer on byte pairs') {
        expect(cp.merges?.length).toBe(2 * 64);
        // Resumed with other merges (the first 20), it reads the text otherwise: so the kept ones are used.
        const fewer = { ...structuredClone(cp), merges: cp.merges!.slice(0, 40) };
        const other = await train(spec, { resumeFrom: fewer });
        expect(relativeGap(other.epochs[0].batchLosses, whole.epochs[2].batchLosses)).toBeGreaterThan(1e-6);
      } else expect(cp.merges).toBeUndefined();
      // Dropout is really on: a fresh start from epoch 2's weights but another dropout stream differs.
      if (kind === 'mlp' || kind === 'transformer' || kind.startsWith('CNN')) {
        const otherStream = structuredClone(cp);
        otherStream.rng.dropout = { state: 12345, spareNormal: null };
        const other = await train(spec, { resumeFrom: otherStream });
        expect(relativeGap(other.epochs[0].batchLosses, whole.epochs[2].batchLosses)).toBeGreaterThan(1e-6);
      }
    },
  );
});

test('a checkpoint that does not fit the model fails the run with a message naming the tensor and both shapes', async () => {
  await activateBackend('cpu');
  const spec = specs().mlp;
  spec.training.epochs = 1;
  const cp = (await train(spec)).checkpoints[0];
  const wider = structuredClone(spec);
  mlpOf(wider).hidden[0].units = 9;
  let message = '';
  const status = await new Trainer(
    wider,
    {
      onStatus: (_, m) => {
        message = m ?? message;
      },
    },
    { resumeFrom: cp },
  ).run();
  expect(status).toBe('failed');
  expect(message).toBe(
    "The weights do not fit this model: the tensor layers.0.weight has shape [2, 8], but this model's is [2, 9].",
  );
});
