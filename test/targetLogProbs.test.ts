import { afterAll, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend';
import { targetLogProbs } from '../src/engine/kernels/targetLogProbs';
import { Rng } from '../src/data/rng';

afterAll(async () => {
  await activateBackend('cpu');
});

// The one-kernel cross-entropy (cpu and wasm) against tfjs' logSoftmax · oneHot, value and
// gradient, with a row weighting so each row's incoming gradient differs, and a target outside
// the classes (which picks nothing) among them.
test.each(['cpu', 'wasm'] as const)(
  'targetLogProbs on %s equals logSoftmax·oneHot, value and gradient',
  async (backend) => {
    await activateBackend(backend);
    const rng = new Rng(4);
    const [rows, classes] = [7, 5];
    const logits = tf.tensor2d(
      Array.from({ length: rows * classes }, () => rng.uniform(-3, 3)),
      [rows, classes],
    );
    const targets = tf.tensor1d([0, 4, 2, 2, 1, 7, 3]); // 7: outside the five classes
    const weights = tf.tensor1d(Array.from({ length: rows }, (_, i) => i + 1));
    const stock = (z: tf.Tensor) => tf.logSoftmax(z).mul(tf.oneHot(targets.toInt(), classes)).sum(1);
    const before = tf.memory().numTensors;
    const [ours, reference, dOurs, dReference] = tf.tidy(() => [
      targetLogProbs(logits, targets),
      stock(logits),
      // Targets made inside a tidy of their own, freed before the backward pass (as in the Trainer).
      tf.grad((z: tf.Tensor) =>
        tf.tidy(() =>
          targetLogProbs(z as tf.Tensor2D, targets.add(0))
            .mul(weights)
            .sum(),
        ),
      )(logits),
      tf.grad((z: tf.Tensor) => stock(z).mul(weights).sum())(logits),
    ]);
    const close = (a: tf.Tensor, b: tf.Tensor) =>
      Array.from(a.dataSync()).forEach((v, i) => expect(v).toBeCloseTo(b.dataSync()[i], 5));
    close(ours, reference);
    close(dOurs, dReference);
    expect(ours.dataSync()[5]).toBe(0);
    expect(Math.max(...Array.from(dOurs.dataSync(), Math.abs))).toBeGreaterThan(0.1);
    tf.dispose([ours, reference, dOurs, dReference]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([logits, targets, weights]);
  },
);
