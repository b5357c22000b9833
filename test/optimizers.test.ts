import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createOptimizer } from '../src/engine/optimizers';
import { activateBackend } from '../src/engine/backend';
import { defaultSpec, type OptimizerSpec } from '../src/spec';

beforeAll(async () => {
  await activateBackend('cpu');
});

/** Minimise L(w) = ½·Σw² (so dL/dw = w) from w = [1, −2] and return w after each step. */
function trajectory(opt: Partial<OptimizerSpec>, steps: number): number[][] {
  const w = tf.tidy(() => tf.variable(tf.tensor1d([1, -2])));
  const optimizer = createOptimizer({ ...defaultSpec().training.optimizer, ...opt }, [w]);
  const out: number[][] = [];
  for (let i = 0; i < steps; i++) {
    tf.tidy(() => {
      const { grads } = tf.variableGrads(() => w.square().sum().mul(0.5) as tf.Scalar, [w]);
      optimizer.step(grads);
    });
    out.push(Array.from(w.dataSync()));
  }
  optimizer.dispose();
  w.dispose();
  return out;
}

function expectClose(actual: number[][], expected: number[][]) {
  actual.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i][j], 5)));
}

describe('optimizers match hand-computed updates', () => {
  test('SGD: w ← w − lr·g', () => {
    // g = w, so each step multiplies w by (1 − 0.1).
    expectClose(trajectory({ kind: 'sgd', learningRate: 0.1, momentum: 0 }, 3), [[0.9, -1.8], [0.81, -1.62], [0.729, -1.458]]);
  });

  test('SGD with momentum: b ← μb + g; w ← w − lr·b', () => {
    // b1 = [1,−2], w1 = [0.9,−1.8]; b2 = 0.9·b1 + w1 = [1.8,−3.6], w2 = [0.72,−1.44];
    // b3 = 0.9·b2 + w2 = [2.34,−4.68], w3 = [0.486,−0.972].
    expectClose(trajectory({ kind: 'sgd', learningRate: 0.1, momentum: 0.9 }, 3), [[0.9, -1.8], [0.72, -1.44], [0.486, -0.972]]);
  });

  test('Adam with bias correction', () => {
    // Step 1 moves each weight by lr·sign(g) exactly; steps 2 and 3 worked through by hand
    // from m, v and the corrections 1−β₁ᵗ, 1−β₂ᵗ.
    expectClose(
      trajectory({ kind: 'adam', learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }, 3),
      [[0.9, -1.9], [0.800412, -1.800166], [0.701586, -1.700623]],
    );
  });

  test('optimizer state is freed on dispose', () => {
    const before = tf.memory().numTensors;
    trajectory({ kind: 'adam' }, 2);
    trajectory({ kind: 'sgd', momentum: 0.5 }, 2);
    expect(tf.memory().numTensors).toBe(before);
  });
});
