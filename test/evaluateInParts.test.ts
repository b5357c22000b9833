// A big validation set is predicted in parts (so the worker stays heard from): the figures are those of one whole prediction.
import * as tf from '@tensorflow/tfjs';
import { expect, test } from 'vitest';
import { activateBackend } from '../src/engine/backend';
import { prepareLearner } from '../src/engine/prepareLearner';
import { accuracy, taskLoss } from '../src/engine/losses';
import { buildDataset, parseTable, Rng } from '../src/data';
import { defaultSpec } from '../src/experiment';
import type { TabularLearner } from '../src/engine/learners/tabular';

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
