// The same MLP, data, batch size and optimizer trained with tfjs' own model.fit, for the ratio
// "our loop vs model.fit" on one backend.
import * as tf from '@tensorflow/tfjs';
import { buildDataset } from '../src/data/dataset';
import type { ExperimentSpec } from '../src/spec';

/** Examples per second of model.fit over epochs 2…epochs (the first is warm-up). */
export async function fitExamplesPerSec(spec: ExperimentSpec, epochs: number): Promise<number> {
  const ds = buildDataset(spec.dataset, spec.seed);
  const model = tf.sequential();
  spec.model.hidden.forEach((l, i) => {
    model.add(tf.layers.dense({
      units: l.units, activation: l.activation === 'gelu' ? 'linear' : l.activation,
      ...(i === 0 ? { inputShape: [ds.inputDim] } : {}),
    }));
  });
  model.add(tf.layers.dense({ units: 1, activation: 'sigmoid' }));
  model.compile({ optimizer: tf.train.adam(spec.training.optimizer.learningRate), loss: 'binaryCrossentropy', metrics: ['accuracy'] });
  const x = tf.tensor2d(ds.train.x, [ds.train.n, ds.inputDim]);
  const y = tf.tensor2d(ds.train.y, [ds.train.n, 1]);
  const xv = tf.tensor2d(ds.validation.x, [ds.validation.n, ds.inputDim]);
  const yv = tf.tensor2d(ds.validation.y, [ds.validation.n, 1]);
  const stamps: number[] = [];
  await model.fit(x, y, {
    batchSize: spec.training.batchSize, epochs, shuffle: true, validationData: [xv, yv], verbose: 0,
    callbacks: { onEpochEnd: async () => { stamps.push(performance.now()); } },
  });
  tf.dispose([x, y, xv, yv]);
  model.dispose();
  const seconds = (stamps[stamps.length - 1] - stamps[0]) / 1000;
  return ((epochs - 1) * ds.train.n) / seconds;
}
