// Kernels one training step runs (on GPU backends each is a dispatch): a batch gathered, forward,
// backward and the optimizer update, counted with tf.profile after a warm-up step.
import * as tf from '@tensorflow/tfjs';
import type { DatasetFiles } from '../src/data/dataset';
import { createOptimizer } from '../src/engine/optimizers';
import { prepareLearner } from '../src/engine/prepareLearner';
import type { ExperimentSpec } from '../src/spec';

export async function kernelsPerStep(spec: ExperimentSpec, files: DatasetFiles = {}): Promise<number> {
  const learner = prepareLearner(spec, { files }).make();
  const optimizer = createOptimizer(spec.training.optimizer, learner.variables);
  const idx = tf.tensor1d(
    Array.from({ length: spec.training.batchSize }, (_, i) => i),
    'int32',
  );
  const lr = spec.training.optimizer.learningRate;
  // As the Trainer steps: in plain JavaScript where the learner can (tiny MLPs on cpu and wasm: no kernel).
  const step = () =>
    tf.tidy(() => {
      const host = learner.hostGradients?.(idx, 0, idx.size, { l1: 0, l2: 0 });
      if (host && optimizer.stepInPlace(host.grads, lr)) return;
      const { grads } = tf.variableGrads(() => learner.batchLoss(idx, () => 1), learner.variables);
      optimizer.step(grads, lr);
    });
  step();
  const { kernels } = await tf.profile(step);
  optimizer.dispose();
  learner.dispose();
  idx.dispose();
  return kernels.length;
}
