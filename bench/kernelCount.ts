// Kernels one training step runs (on webgpu: its dispatches, see dispatches.ts): a batch gathered,
// forward, backward and the optimizer update, counted after a warm-up step; and on webgpu the
// compiled step (engine/compiled) against the tf-op step it replaces, timed side by side.
import * as tf from '@tensorflow/tfjs';
import type { DatasetFiles } from '../src/data/dataset';
import { createOptimizer } from '../src/engine/optimizers';
import { prepareLearner } from '../src/engine/prepareLearner';
import { optimizerStep, stepSettings } from '../src/engine/step';
import { setCompiledSteps } from '../src/engine/compiled/plan';
import type { ExperimentSpec } from '../src/experiment';
import { workPerStep } from './dispatches';
import { median } from './median';

/** A learner and optimizer for `spec`, and the step the Trainer takes on its first batch (returning the loss). */
function stepper(spec: ExperimentSpec, files: DatasetFiles) {
  const learner = prepareLearner(spec, { files }).make();
  const optimizer = createOptimizer(spec.training.optimizer, learner.variables);
  const idx = tf.tensor1d(
    Array.from({ length: spec.training.batchSize }, (_, i) => i),
    'int32',
  );
  const { training } = spec;
  const settings = stepSettings(training, training.optimizer.learningRate, () => 1);
  // The step the Trainer takes: compiled on webgpu, in plain JavaScript on cpu and wasm where it can.
  const step = (): tf.Scalar | number => {
    let loss: tf.Scalar | number = 0;
    tf.tidy(() => {
      const l = optimizerStep(learner, optimizer, idx, 0, idx.size, settings).loss;
      loss = typeof l === 'number' ? l : tf.keep(l);
    });
    return loss;
  };
  const dispose = () => {
    optimizer.dispose();
    learner.dispose();
    idx.dispose();
  };
  /** As the Trainer does before its first step: a compiled step's plan made and accepted by the GPU. */
  const prepare = async () => learner.compiled?.prepare(optimizer, idx, idx.size, training);
  return { step, dispose, prepare };
}

const disposeLoss = (loss: tf.Scalar | number) => typeof loss !== 'number' && loss.dispose();

export async function kernelsPerStep(spec: ExperimentSpec, files: DatasetFiles = {}): Promise<number> {
  const { step, dispose, prepare } = stepper(spec, files);
  await prepare();
  disposeLoss(step());
  const count = await workPerStep(() => disposeLoss(step()));
  dispose();
  return count;
}

/**
 * On webgpu: the compiled step against the tf-op step, each `steps` steps a round (the last
 * loss read back, so the GPU has finished), the two interleaved over `rounds`: dispatches per
 * step and ms per step of each, and the median of the rounds' ratios. Null where the compiled
 * step does not apply (the two count the same).
 */
export async function compiledAgainstTfOps(
  spec: ExperimentSpec,
  files: DatasetFiles = {},
  steps = 30,
  rounds = 5,
): Promise<{ compiled: number; tfOps: number; compiledMs: number; tfOpsMs: number; speedUp: number } | null> {
  const paths = [true, false].map((on) => {
    setCompiledSteps(on);
    return stepper(spec, files);
  });
  try {
    const dispatches: number[] = [];
    for (const [i, p] of paths.entries()) {
      setCompiledSteps(i === 0);
      await p.prepare();
      disposeLoss(p.step());
      dispatches.push(await workPerStep(() => disposeLoss(p.step())));
    }
    if (dispatches[0] === dispatches[1]) return null;
    const ms: number[][] = [[], []];
    for (let r = 0; r < rounds; r++) {
      for (const [i, p] of paths.entries()) {
        setCompiledSteps(i === 0);
        const start = performance.now();
        for (let s = 1; s < steps; s++) disposeLoss(p.step());
        const last = p.step();
        if (typeof last !== 'number') await last.data();
        disposeLoss(last);
        ms[i].push((performance.now() - start) / steps);
      }
    }
    return {
      compiled: dispatches[0],
      tfOps: dispatches[1],
      compiledMs: median(ms[0]),
      tfOpsMs: median(ms[1]),
      speedUp: median(ms[1].map((t, r) => t / ms[0][r])),
    };
  } finally {
    setCompiledSteps(true);
    for (const p of paths) p.dispose();
  }
}

export type CompiledComparison = NonNullable<Awaited<ReturnType<typeof compiledAgainstTfOps>>>;

/** One printed row of that comparison. */
export const compiledRow = (workload: string, c: CompiledComparison): Record<string, string | number> => ({
  workload,
  'dispatches (compiled)': c.compiled,
  'dispatches (tf ops)': c.tfOps,
  'ms per step (compiled)': +c.compiledMs.toFixed(3),
  'ms per step (tf ops)': +c.tfOpsMs.toFixed(3),
  'compiled × faster': +c.speedUp.toFixed(2),
});
