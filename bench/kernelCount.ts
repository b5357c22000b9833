// Kernels one training step runs (on webgpu: its dispatches, see dispatches.ts): a batch gathered,
// forward, backward and the optimizer update, counted after a warm-up step.
import * as tf from '@tensorflow/tfjs';
import type { DatasetFiles } from '../src/data/dataset';
import { createOptimizer } from '../src/engine/optimizers';
import { prepareLearner } from '../src/engine/prepareLearner';
import { optimizerStep, stepSettings } from '../src/engine/step';
import type { ExperimentSpec } from '../src/experiment';
import { workPerStep } from './dispatches';

export async function kernelsPerStep(spec: ExperimentSpec, files: DatasetFiles = {}): Promise<number> {
  const learner = prepareLearner(spec, { files }).make();
  const optimizer = createOptimizer(spec.training.optimizer, learner.variables);
  const idx = tf.tensor1d(
    Array.from({ length: spec.training.batchSize }, (_, i) => i),
    'int32',
  );
  const { training } = spec;
  const settings = stepSettings(training, training.optimizer.learningRate, () => 1);
  // The step the Trainer takes: in plain JavaScript where it can (tiny MLPs on cpu and wasm: no kernel).
  const step = () =>
    tf.tidy(() => {
      optimizerStep(learner, optimizer, idx, 0, idx.size, settings);
    });
  step();
  const count = await workPerStep(step);
  optimizer.dispose();
  learner.dispose();
  idx.dispose();
  return count;
}
