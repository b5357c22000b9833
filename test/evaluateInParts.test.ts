// A big validation set is predicted in parts (so the worker stays heard from): the figures are those of one whole prediction.
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { expect, test } from 'vitest';
import { activateBackend } from '../src/engine/backend';
import { prepareLearner } from '../src/engine/prepareLearner';
import { accuracy, taskLoss } from '../src/engine/losses';
import { buildDataset, parseTable, Rng } from '../src/data';
import { TRANSFORMER_OPTION_DEFAULTS, defaultSpec } from '../src/experiment';
import type { TabularLearner } from '../src/engine/learners/tabular';
import { specFor } from './specFor';

test('a table with 5,000 validation rows: validation loss and accuracy equal one whole prediction’s', async () => {
  await activateBackend('cpu');
  const rng = new Rng(5);
  const lines = ['a,b,c,label'];
  for (let i = 0; i < 10_000; i++) lines.push(`${rng.normal()},${rng.normal()},${rng.normal()},${i % 3}`);
  const parsed = parseTable(lines.join('\n'));
  if (!parsed.ok) throw new Error(parsed.error);
  const spec = defaultSpec();
  spec.dataset = {
    ...spec.dataset,
    kind: 'userTable',
    samples: 10_000,
    validationSplit: 0.5,
    table: { target: 'label', task: 'auto' },
  };
  const files = { table: parsed.value };
  const learner = prepareLearner(spec, { files }).make() as TabularLearner;
  try {
    const { metrics, view } = learner.epochTensors();
    const figures = Array.from(await metrics.data());
    tf.dispose([metrics, view ?? []]);
    const validation = buildDataset(spec.dataset, spec.seed, files).validation;
    expect(validation.n).toBe(5000);
    const whole = tf.tidy(() => {
      const out = learner.model.predict(tf.tensor2d(validation.x, [validation.n, 3]));
      const y = tf.tensor1d(validation.y);
      return [taskLoss('multiclass', out, y).dataSync()[0], accuracy('multiclass', out, y).dataSync()[0]];
    });
    expect(figures.slice(2, 4)).toEqual(whole);
  } finally {
    learner.dispose();
  }
});

const names = readFileSync('datasets/names.txt', 'utf8');

test('a language model evaluated in many chunks holds one chunk’s memory at a time (it ran out on wasm before)', async () => {
  await activateBackend('wasm');
  const peak = async (samples: number) => {
    const spec = specFor(
      'names',
      { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 1, dModel: 8, heads: 2, dropout: 0 },
      (s) => {
        s.dataset.samples = samples;
        s.dataset.contextLength = 64;
      },
    );
    const learner = prepareLearner(spec, { files: { text: names } }).make();
    try {
      let kept: tf.Tensor[] = [];
      const info = await tf.profile(() => {
        const { metrics, view } = learner.epochTensors();
        kept = [metrics, ...(view ? [view] : [])];
      });
      tf.dispose(kept);
      return info.peakBytes;
    } finally {
      learner.dispose();
    }
  };
  // 128 windows a chunk: one chunk of validation windows and three of training, then four times as many.
  const one = await peak(400);
  const many = await peak(1600);
  expect(many).toBeLessThan(1.5 * one);
});
