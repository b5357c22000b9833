import { beforeAll, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend';
import { Trainer } from '../src/engine/trainer';
import { backprop, chainRule } from '../src/engine/backprop';
import { ACTIVATIONS, defaultSpec, mlpOf } from '../src/experiment';

beforeAll(async () => {
  await activateBackend('cpu');
});

test.each([
  ['binary', 'crossEntropy'],
  ['regression', 'crossEntropy'],
  ['binary', 'mse'],
] as const)('step-mode numbers equal tf’s gradients for the same weights (%s, %s)', async (task, loss) => {
  const spec = defaultSpec();
  mlpOf(spec).classificationLoss = loss;
  spec.dataset.kind = task === 'binary' ? 'moons' : 'sine';
  spec.dataset.features = ['x1', 'x2', 'x1x2'];
  // One layer of each activation, so every derivative is checked.
  mlpOf(spec).hidden = ACTIVATIONS.map((activation, i) => ({ units: 3 + (i % 2), activation, dropout: 0 }));
  spec.training.epochs = 2;
  spec.training.optimizer.kind = 'adam';
  const before = tf.memory().numTensors;
  let checked = 0;
  const trainer = new Trainer(
    spec,
    {
      onBatch: () => {},
    },
    { startPaused: true },
  );
  const done = trainer.run();
  for (let s = 0; s < 3; s++) {
    trainer.step();
    let inspection = null;
    // Inspect once the stepped batch has been applied.
    while (!inspection || inspection.step < s + 1) {
      await new Promise((r) => setTimeout(r, 5));
      inspection = await trainer.inspect(7 * s + 3);
    }
    const { layers, example } = inspection;
    expect(layers.map((l) => l.name)).toEqual([...ACTIVATIONS.map((_, i) => `dense ${i + 1}`), 'output']);
    expect(Object.keys(layers[0].slots).sort()).toEqual(['m', 'v']);
    expect(layers[0].weightGrad).not.toBeNull();
    const bp = backprop(layers, example.input, example.target, task, loss);
    layers.forEach((layer, l) => {
      bp.dW[l].forEach((g, k) => expect(g).toBeCloseTo(example.weightGrads[l][k], 5));
      bp.dB[l].forEach((g, k) => expect(g).toBeCloseTo(example.biasGrads[l][k], 5));
      for (const [i, j] of [
        [0, 0],
        [layer.inputs - 1, layer.outputs - 1],
      ]) {
        const term = chainRule(bp, layers, l, i, j);
        expect(term.product).toBeCloseTo(example.weightGrads[l][i * layer.outputs + j], 5);
        checked++;
      }
    });
    expect(inspection.neuronMaps.layers.map((m) => m.length)).toEqual(mlpOf(spec).hidden.map((h) => 24 * 24 * h.units));
  }
  trainer.stop();
  expect(await done).toBe('stopped');
  expect(checked).toBe(3 * (ACTIVATIONS.length + 1) * 2);
  expect(tf.memory().numTensors).toBe(before);
});

test('inspecting while training runs is safe: reads are consistent and nothing leaks', async () => {
  const spec = defaultSpec();
  // Far more epochs than the 20 looks take (a few ms each here), then stopped.
  spec.training.epochs = 5000;
  const before = tf.memory().numTensors;
  const trainer = new Trainer(spec);
  const done = trainer.run();
  const seen: number[] = [];
  for (let k = 0; k < 20; k++) {
    await new Promise((r) => setTimeout(r, 10));
    const inspection = await trainer.inspect(k);
    if (inspection) {
      seen.push(inspection.step);
      // Weights and the example's autodiff gradients were read at the same step.
      const bp = backprop(inspection.layers, inspection.example.input, inspection.example.target, 'binary');
      bp.dW[0].forEach((g, i) => expect(g).toBeCloseTo(inspection.example.weightGrads[0][i], 5));
    }
  }
  trainer.stop();
  expect(await done).toBe('stopped');
  expect(seen.length).toBeGreaterThan(3);
  expect(await trainer.inspect(0)).toBeNull();
  expect(tf.memory().numTensors).toBe(before);
});
