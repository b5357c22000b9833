// The recurrent models and the transformer trained by the one Trainer on real sequence data: they learn,
// their views are right, memory stays flat, and the cost model counts their real parameters.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { activateBackend } from '../src/engine/backend';
import { Trainer } from '../src/engine/trainer';
import { SequenceLearner } from '../src/engine/learners/sequence';
import { buildSequenceDataset, problemShape, SHIPPED_TEXT_VOCAB, charVocab, namesStream } from '../src/data';
import { modelCost } from '../src/engine/modelCost';
import type { EpochMetrics, EpochViews } from '../src/engine/types';
import {
  TRANSFORMER_OPTION_DEFAULTS,
  defaultModel,
  type DatasetKind,
  type ExperimentSpec,
  type ModelSpec,
  type RecurrentCell,
} from '../src/experiment';
import { specFor as validSpec } from './specFor';

const names = readFileSync('datasets/names.txt', 'utf8');
const files = { text: names };

beforeAll(async () => {
  await activateBackend('wasm');
});

/** Sequence runs here train in batches of 32 unless `edit` says otherwise. */
function specFor(kind: DatasetKind, model: ModelSpec, edit: (s: ExperimentSpec) => void = () => {}): ExperimentSpec {
  return validSpec(kind, model, (s) => {
    s.training.batchSize = 32;
    edit(s);
  });
}

async function train(spec: ExperimentSpec, onEpoch: (m: EpochMetrics, v: EpochViews) => void = () => {}) {
  const epochs: EpochMetrics[] = [];
  let views: EpochViews = {};
  let message: string | undefined;
  const status = await new Trainer(
    spec,
    {
      onEpoch: (m, v) => {
        epochs.push(m);
        views = { ...views, ...v };
        onEpoch(m, v);
      },
      onStatus: (_, msg) => {
        message = msg ?? message;
      },
    },
    { files, sampling: { temperature: 0.8, topK: 0, topP: 1, attentionText: null } },
  ).run();
  return { status, epochs, views, message };
}

describe('sequence models learn', () => {
  test('the transformer learns to reverse digit strings (≥ 95% token accuracy) through the Trainer', async () => {
    const spec = specFor(
      'reverse',
      { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 2, dModel: 32, heads: 4, dropout: 0 },
      (s) => {
        s.dataset.samples = 3000;
        s.training.epochs = 3;
        s.training.optimizer.learningRate = 3e-3;
      },
    );
    const { status, epochs, views } = await train(spec);
    expect(status).toBe('completed');
    expect(epochs.at(-1)!.valAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(epochs.at(-1)!.valExactMatch).not.toBeNull();
    // The answers view decodes real validation problems: the target is the prompt reversed.
    for (const e of views.toy!.examples) expect(e.target).toBe([...e.prompt.slice(0, -1)].reverse().join(''));
  });

  // Reaching ≥ 90% exact match takes 20 epochs of 8,000 problems (a minute): `npm run bench` measures that.
  // Here: a few epochs take the LSTM far past chance, and every answer it shows is real arithmetic.
  test('the LSTM learns 2-digit addition: its loss falls and most answer digits are right within 6 epochs', async () => {
    const spec = specFor(
      'addition',
      { kind: 'lstm', cell: 'lstm', embedding: 16, layers: [{ units: 64, dropout: 0 }] },
      (s) => {
        s.dataset.samples = 4000;
        s.dataset.validationSplit = 0.1;
        s.training.batchSize = 64;
        s.training.epochs = 6;
        s.training.optimizer.learningRate = 0.01;
        s.training.schedule = { ...s.training.schedule, kind: 'cosine', minLearningRate: 1e-4 };
      },
    );
    const { epochs, views } = await train(spec);
    // Chance is 1 digit in 10 (2.3 nats); the model gets more than half of the answer digits right.
    expect(epochs.at(-1)!.valLoss).toBeLessThan(0.75 * epochs[0].valLoss);
    expect(epochs.at(-1)!.valAccuracy).toBeGreaterThan(0.5);
    expect(epochs.at(-1)!.valExactMatch).toBeGreaterThan(0);
    // Each shown answer is checked against real arithmetic.
    expect(views.toy!.examples.length).toBeGreaterThan(0);
    for (const e of views.toy!.examples) {
      const [a, b] = e.prompt.replace(/_/g, '').slice(0, -1).split('+').map(Number);
      expect(Number(e.target)).toBe(a + b);
    }
  });

  test('copying six digits: the LSTM and the GRU learn it, the vanilla RNN cannot hold them that long', async () => {
    const accuracy = async (cell: RecurrentCell) => {
      const spec = specFor('copy', { kind: 'lstm', cell, embedding: 16, layers: [{ units: 48, dropout: 0 }] }, (s) => {
        s.dataset.digits = 6;
        s.dataset.samples = 3000;
        s.training.epochs = 8;
        s.training.optimizer.learningRate = 0.02;
      });
      const { status, epochs } = await train(spec);
      expect(status).toBe('completed');
      return epochs.at(-1)!.valAccuracy!;
    };
    // Chance is 10% per digit. The RNN's gradient through six steps of tanh and Wh fades, so it
    // learns little beyond the digits nearest the separator.
    expect(await accuracy('rnn')).toBeLessThan(0.35);
    expect(await accuracy('gru')).toBeGreaterThan(0.8);
    expect(await accuracy('lstm')).toBeGreaterThan(0.8);
  }, 600_000);

  test('a transformer on names: loss falls, samples use the alphabet, attention is causal and sums to 1', async () => {
    const spec = specFor(
      'names',
      { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 1, dModel: 32, heads: 2, dropout: 0.1 },
      (s) => {
        s.dataset.samples = 1500;
        s.dataset.contextLength = 16;
        s.training.epochs = 3;
        s.training.optimizer.learningRate = 3e-3;
      },
    );
    const samples: string[] = [];
    const { epochs, views } = await train(spec, (_, v) => samples.push(v.sample!.text));
    expect(epochs.at(-1)!.valLoss).toBeLessThan(epochs[0].valLoss);
    // A uniform guess over 28 characters costs ln 28 ≈ 3.33 nats; the model does better.
    expect(epochs.at(-1)!.valLoss).toBeLessThan(Math.log(28) - 0.4);
    const alphabet = new Set(charVocab(namesStream(names)).chars);
    expect(samples).toHaveLength(3);
    for (const s of samples) {
      expect(s).toHaveLength(240);
      for (const c of s) expect(alphabet.has(c)).toBe(true);
    }
    const a = views.attention!;
    const t = a.tokens.length;
    expect(t).toBe(16);
    expect([a.layers, a.heads]).toEqual([1, 2]);
    for (let h = 0; h < a.heads; h++) {
      for (let q = 0; q < t; q++) {
        const row = a.weights.subarray((h * t + q) * t, (h * t + q + 1) * t);
        expect(row.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 4);
        for (let k = q + 1; k < t; k++) expect(row[k]).toBeLessThan(1e-6);
      }
    }
  });

  test('the same seed samples the same text; the LSTM forecasts a sine mixture better than repeating the last value', async () => {
    const spec = specFor(
      'names',
      { kind: 'lstm', cell: 'lstm', embedding: 8, layers: [{ units: 24, dropout: 0 }] },
      (s) => {
        s.dataset.samples = 600;
        s.dataset.contextLength = 12;
        s.training.epochs = 1;
      },
    );
    const a = await train(spec);
    const b = await train(spec);
    expect(b.views.sample!.text).toBe(a.views.sample!.text);

    const series = specFor(
      'sines',
      { kind: 'lstm', cell: 'lstm', embedding: 16, layers: [{ units: 24, dropout: 0 }] },
      (s) => {
        s.dataset.samples = 1200;
        s.dataset.contextLength = 16;
        s.dataset.noise = 0;
        s.training.epochs = 6;
        s.training.optimizer.learningRate = 0.01;
      },
    );
    const { epochs, views } = await train(series);
    const { truth, predicted } = views.forecast!;
    expect(predicted).toHaveLength(truth.length);
    // Persistence (tomorrow = today) is the baseline a forecaster must beat.
    const mse = (f: (i: number) => number) =>
      truth.slice(1).reduce((s, v, i) => s + (v - f(i + 1)) ** 2, 0) / (truth.length - 1);
    expect(mse((i) => predicted[i])).toBeLessThan(mse((i) => truth[i - 1]));
    expect(epochs[0].valAccuracy).toBeNull();
  }, 300_000);
});

describe('memory and cost', () => {
  test.each([
    'lstm',
    'gru',
    'rnn',
    'transformer',
    'transformer with every option changed',
    'transformer with ALiBi',
  ] as const)('the %s keeps the tensor count flat across epochs and frees everything', async (kind) => {
    const transformer = {
      ...TRANSFORMER_OPTION_DEFAULTS,
      kind: 'transformer' as const,
      layers: 2,
      dModel: 16,
      heads: 2,
      dropout: 0.1,
    };
    const model: ModelSpec =
      kind === 'transformer with every option changed'
        ? {
            ...transformer,
            position: 'rope',
            norm: 'rmsNorm',
            normPlacement: 'post',
            mlpActivation: 'swiglu',
            tiedEmbeddings: true,
            attentionDropout: 0.1,
          }
        : kind === 'transformer with ALiBi'
          ? { ...transformer, position: 'alibi' }
          : kind !== 'transformer'
            ? {
                kind: 'lstm',
                cell: kind,
                embedding: 8,
                layers: [
                  { units: 16, dropout: 0.1 },
                  { units: 16, dropout: 0 },
                ],
              }
            : transformer;
    const spec = specFor('names', model, (s) => {
      s.dataset.samples = 400;
      s.dataset.contextLength = 8;
      s.training.epochs = 4;
      s.training.l2 = 1e-4;
    });
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    const { views } = await train(spec, () => counts.push(tf.memory().numTensors));
    expect(counts).toHaveLength(4);
    expect(new Set(counts.slice(1)).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    // The attention view works for every option: rows of weights that sum to 1, causal.
    if (model.kind === 'transformer') {
      const a = views.attention!;
      const t = a.tokens.length;
      for (let q = 0; q < t; q++) {
        const row = a.weights.subarray(q * t, (q + 1) * t);
        expect(row.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 4);
        for (let k = q + 1; k < t; k++) expect(row[k]).toBeLessThan(1e-6);
      }
    }
  });

  test.each([
    ['names', defaultModel('transformer')],
    ['names', defaultModel('lstm')],
    [
      'addition',
      {
        kind: 'lstm',
        cell: 'lstm',
        embedding: 8,
        layers: [
          { units: 12, dropout: 0 },
          { units: 20, dropout: 0 },
        ],
      },
    ],
    ['mackeyGlass', defaultModel('lstm')],
    ['names', { ...defaultModel('lstm'), cell: 'gru' }],
    ['mackeyGlass', { ...defaultModel('lstm'), cell: 'rnn' }],
  ] as [DatasetKind, ModelSpec][])('the cost model counts the real parameters: %s, %j', (kind, model) => {
    const spec = specFor(kind, model, (s) => {
      s.dataset.samples = Math.max(s.dataset.samples, 400);
    });
    const ds = buildSequenceDataset(spec.dataset, spec.seed, files);
    const learner = new SequenceLearner(spec, ds);
    const real = learner.variables.reduce((n, v) => n + v.size, 0);
    expect(learner.cost.params).toBe(real);
    // The builder's count, made without loading the data, agrees.
    expect(modelCost(spec.model, problemShape(spec, null)!).params).toBe(real);
    learner.dispose();
  });

  test('the shipped texts have the alphabet sizes the builder assumes', () => {
    expect(charVocab(namesStream(names)).chars.length).toBe(SHIPPED_TEXT_VOCAB.names);
    expect(charVocab(readFileSync('datasets/sotu.txt', 'utf8')).chars.length).toBe(SHIPPED_TEXT_VOCAB.sotu);
  });
});
