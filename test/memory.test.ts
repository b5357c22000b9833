import { beforeAll, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend';
import { Trainer } from '../src/engine/trainer';
import { defaultSpec, mlpOf } from '../src/experiment';

beforeAll(async () => {
  await activateBackend('cpu');
});

test('tensor count is the same after epoch 2 and epoch 20, and back to the start after the run', async () => {
  const spec = defaultSpec();
  spec.training.epochs = 20;
  mlpOf(spec).hidden[0].dropout = 0.1;
  spec.training.l1 = 1e-4;
  const before = tf.memory().numTensors;
  const counts: number[] = [];
  await new Trainer(spec, { onEpoch: () => counts.push(tf.memory().numTensors) }, { boundaryResolution: 16 }).run();
  expect(counts).toHaveLength(20);
  expect(counts[19]).toBe(counts[1]);
  expect(new Set(counts.slice(1)).size).toBe(1);
  expect(tf.memory().numTensors).toBe(before);
});

test('start/stop cycles leave no tensors behind, stopped mid-epoch or while paused', async () => {
  const before = tf.memory().numTensors;
  for (let cycle = 0; cycle < 3; cycle++) {
    const spec = defaultSpec();
    spec.training.optimizer.kind = cycle === 1 ? 'sgd' : 'adam';
    let batches = 0;
    const trainer = new Trainer(spec, { onBatch: () => batches++ }, { startPaused: cycle === 2 });
    const done = trainer.run();
    if (cycle === 2) {
      trainer.step();
      while (batches === 0) await new Promise((r) => setTimeout(r, 5));
    } else {
      await new Promise((r) => setTimeout(r, 50 + cycle * 40));
    }
    trainer.stop();
    expect(await done).toBe('stopped');
    expect(tf.memory().numTensors).toBe(before);
  }
});
