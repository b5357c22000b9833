// Quality under a fixed budget: a GPT-style transformer of ≤ 1M parameters trained on names for a
// fixed wall-clock time; the figure is the validation loss it reaches (nats per character).
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
