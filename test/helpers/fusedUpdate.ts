// Runs three optimizer steps on the same weights and gradients twice, with the fused kernel and
// with the tf-op update, and returns both results (weights, then every slot) for comparison.
import * as tf from '@tensorflow/tfjs';
import { createOptimizer } from '../../src/engine/optimizers';
import { Rng } from '../../src/data/rng';
import { defaultSpec, type OptimizerSpec } from '../../src/experiment';

/** Every optimizer, and the variants whose fused formulas differ (RMSprop's centered and momentum, AMSGrad, decay on matrices only). */
export const OPTIMIZER_VARIANTS: (Partial<OptimizerSpec> & { kind: OptimizerSpec['kind'] })[] = [
  { kind: 'sgd' },
  { kind: 'momentum' },
  { kind: 'nesterov' },
  { kind: 'rmsprop' },
  { kind: 'adagrad' },
  { kind: 'adam' },
  { kind: 'adamw' },
  { kind: 'rmsprop', centered: true },
  { kind: 'rmsprop', rmspropMomentum: 0.9 },
  { kind: 'rmsprop', centered: true, rmspropMomentum: 0.5 },
  { kind: 'adam', amsgrad: true },
  { kind: 'adamw', amsgrad: true, decayMatricesOnly: true },
  { kind: 'momentum', decayMatricesOnly: true },
  { kind: 'lion', beta2: 0.99 },
];

export const variantLabel = (v: (typeof OPTIMIZER_VARIANTS)[number]) =>
  Object.entries(v)
    .map(([k, x]) => (k === 'kind' ? x : x === true ? k : `${k} ${x}`))
    .join(' ');

export async function fusedAndReference(variant: (typeof OPTIMIZER_VARIANTS)[number], weightDecay: number) {
  const spec: OptimizerSpec = {
    ...defaultSpec().training.optimizer,
    weightDecay,
    learningRate: 0.05,
    momentum: 0.9,
    ...variant,
  };
  const rng = new Rng(7);
  const random = (n: number) => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
  // 15 and 3 elements: wasm's compiled update takes four at a time, then the rest one at a time.
  const start = [random(15), random(3)];
  const steps = [0, 1, 2].map(() => [random(15), random(3)]);
  const run = async (fused: boolean) => {
    const vars = tf.tidy(() => [tf.variable(tf.tensor2d(start[0], [3, 5])), tf.variable(tf.tensor1d(start[1]))]);
    const optimizer = createOptimizer(spec, vars, { fused });
    for (const g of steps) {
      tf.tidy(() =>
        optimizer.step(
          { [vars[0].name]: tf.tensor2d(g[0], [3, 5]), [vars[1].name]: tf.tensor1d(g[1]) },
          spec.learningRate,
        ),
      );
    }
    const tensors = [...vars, ...Object.values(optimizer.slots).flatMap((m) => vars.map((v) => m.get(v.name)!))];
    const after = await Promise.all(tensors.map(async (t) => Array.from(await t.data())));
    optimizer.dispose();
    tf.dispose(vars);
    return after;
  };
  const before = tf.memory().numTensors;
  const fused = await run(true);
  const reference = await run(false);
  return { fused, reference, start: Array.from(start[0]), leaked: tf.memory().numTensors - before };
}
