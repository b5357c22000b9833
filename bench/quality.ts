// Model quality, measured here rather than in `npm test` (each run takes a minute or more):
// - a GPT-style transformer of ≤ 1M parameters trained on names for a fixed wall-clock time; the figure is the
//   validation loss it reaches (nats per character);
// - an LSTM trained to add 2-digit numbers for 20 epochs; the figure is its exact-match rate (target ≥ 90%).
import { readFileSync } from 'node:fs';
import { Trainer } from '../src/engine/trainer';
import {
  TRANSFORMER_OPTION_DEFAULTS,
  datasetDefaults,
  defaultSpec,
  validateSpec,
  type ExperimentSpec,
} from '../src/experiment';

export function namesTransformerSpec(): ExperimentSpec {
  const d = defaultSpec();
  const spec: ExperimentSpec = {
    ...d,
    dataset: {
      ...d.dataset,
      kind: 'names',
      ...datasetDefaults('names'),
      samples: 4000,
      contextLength: 16,
      validationSplit: 0.1,
    },
    model: { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 2, dModel: 64, heads: 4, dropout: 0 },
    training: {
      ...d.training,
      batchSize: 64,
      epochs: 10000,
      optimizer: { ...d.training.optimizer, learningRate: 3e-3 },
    },
  };
  const v = validateSpec(spec);
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return spec;
}

export interface QualityResult {
  params: number;
  seconds: number;
  epochs: number;
  examples: number;
  firstValLoss: number;
  bestValLoss: number;
  finalValLoss: number;
}

/** Train until `seconds` have passed (checked after each epoch), on the backend already active. */
export async function namesTransformerQuality(seconds: number): Promise<QualityResult> {
  const spec = namesTransformerSpec();
  const losses: number[] = [];
  let examples = 0;
  const start = performance.now();
  const trainer: Trainer = new Trainer(
    spec,
    {
      onEpoch: (m) => {
        losses.push(m.valLoss);
        examples += (m.examplesPerSec * m.ms) / 1000;
        if (performance.now() - start > seconds * 1000) trainer.stop();
      },
    },
    { files: { text: readFileSync('datasets/names.txt', 'utf8') } },
  );
  await trainer.run();
  return {
    params: trainer.cost.params,
    seconds: (performance.now() - start) / 1000,
    epochs: losses.length,
    examples: Math.round(examples),
    firstValLoss: losses[0],
    bestValLoss: Math.min(...losses),
    finalValLoss: losses[losses.length - 1],
  };
}

/** The LSTM that learns 2-digit addition: 8,000 problems, 20 epochs, cosine decay (the last epochs settle). */
export function lstmAdditionSpec(): ExperimentSpec {
  const d = defaultSpec();
  const spec: ExperimentSpec = {
    ...d,
    dataset: { ...d.dataset, kind: 'addition', ...datasetDefaults('addition'), samples: 8000, validationSplit: 0.1 },
    model: { kind: 'lstm', cell: 'lstm', embedding: 16, layers: [{ units: 96, dropout: 0 }] },
    training: {
      ...d.training,
      batchSize: 64,
      epochs: 20,
      optimizer: { ...d.training.optimizer, learningRate: 0.01 },
      schedule: { ...d.training.schedule, kind: 'cosine', minLearningRate: 1e-4 },
    },
  };
  const v = validateSpec(spec);
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return spec;
}

export interface AdditionQuality {
  seconds: number;
  epochs: number;
  valExactMatch: number;
  valAccuracy: number;
  /** Shown answers whose target is not the real sum (must be 0). */
  wrongTargets: number;
}

/** Train the LSTM on addition to the end, on the backend already active. */
export async function lstmAdditionQuality(): Promise<AdditionQuality> {
  const start = performance.now();
  let last = { valExactMatch: 0, valAccuracy: 0, epoch: 0 };
  let wrongTargets = 0;
  await new Trainer(lstmAdditionSpec(), {
    onEpoch: (m, v) => {
      last = { valExactMatch: m.valExactMatch ?? 0, valAccuracy: m.valAccuracy ?? 0, epoch: m.epoch };
      wrongTargets = (v.toy?.examples ?? []).filter((e) => {
        const [a, b] = e.prompt.replace(/_/g, '').slice(0, -1).split('+').map(Number);
        return Number(e.target) !== a + b;
      }).length;
    },
  }).run();
  return {
    seconds: (performance.now() - start) / 1000,
    epochs: last.epoch,
    valExactMatch: last.valExactMatch,
    valAccuracy: last.valAccuracy,
    wrongTargets,
  };
}
