// A compiled WebGPU step (src/engine/compiled) against the tf-op step it replaces: the same steps
// taken by both, side by side, each step's loss, every gradient and every updated weight compared,
// and the optimizer's state afterwards.
import { expect } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { compiledDispatches, type StepPlan } from '../../src/engine/compiled/plan';
import { optimizerStep } from '../../src/engine/step';
import type { Learner } from '../../src/engine/learner';
import type { Optimizer } from '../../src/engine/optimizers';
import { expectCloseToScale } from './reference';

export interface SideBySide {
  name: string;
  plan: StepPlan;
  /** The plan's variables and its optimizer; the reference's, in the same order, with their names for messages. */
  compiled: { variables: tf.Variable[]; optimizer: Optimizer };
  reference: { learner: Learner; optimizer: Optimizer; names: string[] };
  order: tf.Tensor1D;
  /** Rows a step, rows in all, and how far each step's batch moves along the order. */
  rows: number;
  total: number;
  stride: number;
  steps: number;
  learningRate: number;
  penalty: { l1: number; l2: number };
  clipNorm: number;
}

export async function expectSameSteps(o: SideBySide): Promise<void> {
  const { plan, compiled, reference, name } = o;
  const refVariables = reference.learner.variables;
  // The same dropout seeds for both, one per layer with dropout per step, as the Trainer's stream gives them.
  const seeds = () => {
    let next = 100;
    return () => next++;
  };
  const [compiledSeeds, referenceSeeds] = [seeds(), seeds()];
  for (let s = 0; s < o.steps; s++) {
    const from = (s * o.stride) % (o.total - o.rows + 1);
    const t = s + 1;
    const lr = o.learningRate * (1 - 0.1 * s); // a schedule: the rate changes each step
    const before = compiledDispatches();
    const got = plan.step(o.order, from, lr, t, compiledSeeds);
    expect(compiledDispatches() - before).toBe(plan.dispatchesPerStep);
    const gotGrads = plan.gradients();
    const settings = { lr, ...o.penalty, clipNorm: o.clipNorm, dropoutSeed: referenceSeeds };
    const want = tf.tidy(() => {
      const r = optimizerStep(reference.learner, reference.optimizer, o.order, from, o.rows, settings);
      return {
        loss: tf.keep(r.loss as tf.Scalar),
        // By name: an object's integer-like keys (tfjs names variables 0, 1, …) do not keep the variables' order.
        grads: refVariables.map((v) => tf.keep((r.grads as tf.NamedTensorMap)[v.name])),
      };
    });
    expectCloseToScale(await got.data(), await want.loss.data(), `${name}: step ${t} loss`);
    for (const [i, v] of refVariables.entries()) {
      const label = `${name}: step ${t} ${reference.names[i]}`;
      expectCloseToScale(
        await gotGrads[compiled.variables[i].name].data(),
        await want.grads[i].data(),
        `${label} gradient`,
      );
      expectCloseToScale(await compiled.variables[i].data(), await v.data(), label);
    }
    tf.dispose([got, want.loss, ...want.grads, ...Object.values(gotGrads)]);
  }
  // The optimizer's state went back to its variables too (checkpoints and step mode read them).
  for (const [slot, byName] of Object.entries(reference.optimizer.slots))
    for (const [i, v] of refVariables.entries()) {
      const mine = compiled.optimizer.slots[slot].get(compiled.variables[i].name)!;
      expectCloseToScale(
        await mine.data(),
        await byName.get(v.name)!.data(),
        `${name}: ${slot} of ${reference.names[i]}`,
      );
    }
}
