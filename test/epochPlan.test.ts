// The builder's epoch plan (made from the spec alone, before any data is loaded) is the one a
// run follows: the same steps, examples trained and examples evaluated, so the FLOPs per epoch
// the cost table promises are the ones the run reports.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import '@tensorflow/tfjs-backend-wasm';
import { activateBackend } from '../src/engine/backend';
import { prepareLearner } from '../src/engine/prepareLearner';
import { BOUNDARY_RESOLUTION, epochPlan } from '../src/engine/epochPlan';
import { datasetExamples, SHIPPED_TEXT_LENGTH, namesStream } from '../src/data';
import { defaultModel, type ExperimentSpec } from '../src/experiment';
import { specFor } from './specFor';

const names = readFileSync('datasets/names.txt', 'utf8');
const sotu = readFileSync('datasets/sotu.txt', 'utf8');
const ownText = 'the quick brown fox jumps over the lazy dog. '.repeat(40);

beforeAll(async () => {
  await activateBackend('wasm');
});

const cases: [string, ExperimentSpec][] = [
  ['MLP on a 2-D set, with its decision boundary', specFor('spiral', defaultModel('mlp'))],
  ['MLP on a series', specFor('sines', defaultModel('mlp'))],
  ['LSTM forecasting a series', specFor('mackeyGlass', defaultModel('lstm'))],
  ['transformer on a toy task', specFor('reverse', defaultModel('transformer'))],
  [
    'LSTM on names (held-out windows limited by the text)',
    specFor('names', defaultModel('lstm'), (s) => {
      s.dataset.samples = 3000;
      s.dataset.validationSplit = 0.3;
    }),
  ],
  [
    'transformer on speeches, with a test split',
    specFor('sotu', defaultModel('transformer'), (s) => {
      s.dataset.testSplit = 0.1;
    }),
  ],
  [
    'LSTM on your own short text, with a test split',
    specFor('userText', defaultModel('lstm'), (s) => {
      s.dataset.contextLength = 16;
      s.dataset.testSplit = 0.2;
    }),
  ],
];

describe('the epoch plan', () => {
  test.each(cases)('%s: the builder plans what the run does', (_, spec) => {
    const kind = spec.dataset.kind;
    const text = kind === 'names' ? names : kind === 'sotu' ? sotu : ownText;
    const boundaryCells = kind === 'spiral' ? BOUNDARY_RESOLUTION ** 2 : 0;
    const learner = prepareLearner(spec, { files: { text }, boundaryResolution: BOUNDARY_RESOLUTION }).make();
    try {
      const planned = epochPlan(spec, datasetExamples(spec.dataset, Array.from(ownText).length), boundaryCells);
      expect(learner.plan).toEqual(planned);
      expect(planned.batches).toBe(Math.floor(learner.nTrain / spec.training.batchSize));
      expect(planned.trained).toBeLessThanOrEqual(learner.nTrain);
    } finally {
      learner.dispose();
    }
  });

  test('a short text holds fewer validation windows than asked, and the plan says so', () => {
    const spec = cases[4][1];
    const asked = Math.round(spec.dataset.samples * spec.dataset.validationSplit);
    const plan = epochPlan(spec, datasetExamples(spec.dataset, null), 0);
    expect(plan.evaluated.validation).toBeLessThan(asked);
    expect(plan.evaluated.validation).toBe(Math.floor((SHIPPED_TEXT_LENGTH.names * 0.3) / spec.dataset.contextLength));
  });

  test('the shipped texts have the lengths the builder assumes', () => {
    expect(Array.from(namesStream(names)).length).toBe(SHIPPED_TEXT_LENGTH.names);
    expect(Array.from(sotu).length).toBe(SHIPPED_TEXT_LENGTH.sotu);
  });
});
