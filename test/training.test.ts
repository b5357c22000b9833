import { beforeAll, describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activateBackend } from '../src/engine/backend';
import { Trainer, type TrainerOptions } from '../src/engine/trainer';
import type { EpochMetrics, EpochViews, RunStatus, TestResult } from '../src/engine/types';
import { classificationReport } from '../src/engine/classMetrics';
import {
  TRANSFORMER_OPTION_DEFAULTS,
  defaultSpec,
  mlpOf,
  OPTIMIZER_KINDS,
  specsForOptimizers,
  validateSpec,
  type ExperimentSpec,
  type OptimizerKind,
} from '../src/experiment';

beforeAll(async () => {
  await activateBackend('cpu');
});

async function train(
  spec: ExperimentSpec,
  options: TrainerOptions = {},
): Promise<{ status: RunStatus; epochs: EpochMetrics[]; message?: string }> {
  const epochs: EpochMetrics[] = [];
  let message: string | undefined;
  const status = await new Trainer(
    spec,
    {
      onEpoch: (m) => epochs.push(m),
      onStatus: (_, msg) => {
        message = msg ?? message;
      },
    },
    options,
  ).run();
  return { status, epochs, message };
}

describe('training learns', () => {
  test('the default MLP on circle reaches validation accuracy ≥ 0.95', async () => {
    const { status, epochs } = await train(defaultSpec());
    expect(status).toBe('completed');
    expect(epochs).toHaveLength(defaultSpec().training.epochs);
    expect(epochs.at(-1)!.valAccuracy).toBeGreaterThanOrEqual(0.95);
    expect(epochs.at(-1)!.trainLoss).toBeLessThan(epochs[0].trainLoss);
  });

  test('zero initial weights: every hidden weight stays 0 (no symmetry to break), while the default learns', async () => {
    const spec = defaultSpec();
    spec.training.epochs = 20;
    mlpOf(spec).init = 'zeros';
    const { epochs } = await train(spec);
    // Every unit of a layer computes the same thing, and with zero weights downstream no gradient
    // reaches the hidden layers at all: only the output bias learns, which cannot separate a circle.
    for (const e of epochs)
      expect(e.layers.slice(0, 2).map((l) => [l.weightNorm, l.gradNorm])).toEqual([
        [0, 0],
        [0, 0],
      ]);
    expect(epochs.at(-1)!.valAccuracy).toBeLessThan(0.7);
    mlpOf(spec).init = 'auto';
    expect((await train(spec)).epochs.at(-1)!.valAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  test.each([
    { norm: 'layerNorm' as const, residual: true, what: 'LayerNorm and residual connections' },
    { norm: 'batchNorm' as const, residual: false, what: 'BatchNorm alone' },
  ])('$what rescue six sigmoid layers that plain SGD cannot train', async ({ norm, residual }) => {
    // The vanishing-gradients lesson's network: circle, 6 × 8 sigmoid, SGD at 0.3, 30 epochs.
    const spec = defaultSpec();
    spec.model = {
      ...mlpOf(spec),
      hidden: Array.from({ length: 6 }, () => ({ units: 8, activation: 'sigmoid' as const, dropout: 0 })),
    };
    spec.training.epochs = 30;
    spec.training.optimizer = { ...spec.training.optimizer, kind: 'sgd', learningRate: 0.3 };
    const plain = (await train(spec)).epochs.at(-1)!.valAccuracy!;
    spec.model = { ...mlpOf(spec), norm, residual };
    const { status, epochs } = await train(spec);
    expect(status).toBe('completed');
    expect(plain).toBeLessThan(0.7);
    expect(epochs.at(-1)!.valAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  test('the squared error of the probability also trains a classifier (circle to ≥ 90%)', async () => {
    const spec = defaultSpec();
    mlpOf(spec).classificationLoss = 'mse';
    const { epochs } = await train(spec);
    expect(epochs.at(-1)!.valAccuracy).toBeGreaterThanOrEqual(0.9);
    // The loss is the squared error of σ(z): at most 1 per example, a quarter at σ = ½.
    expect(epochs[0].trainLoss).toBeLessThanOrEqual(0.26);
    expect(epochs.at(-1)!.trainLoss).toBeLessThan(epochs[0].trainLoss);
  });

  test('a 3×8 tanh MLP on spiral reaches validation accuracy ≥ 0.90', async () => {
    const spec = defaultSpec();
    spec.dataset.kind = 'spiral';
    mlpOf(spec).hidden = [0, 1, 2].map(() => ({ units: 8, activation: 'tanh' as const, dropout: 0 }));
    spec.training.epochs = 150;
    const { epochs } = await train(spec);
    expect(epochs.at(-1)!.valAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  test('regression on the sine surface drives the MSE down, with SGD + momentum, dropout and L2', async () => {
    const spec = defaultSpec();
    spec.dataset.kind = 'sine';
    mlpOf(spec).hidden = [
      { units: 16, activation: 'relu', dropout: 0.1 },
      { units: 16, activation: 'gelu', dropout: 0 },
    ];
    spec.training.optimizer = { ...spec.training.optimizer, kind: 'momentum', learningRate: 0.05, momentum: 0.9 };
    spec.training.l2 = 1e-4;
    spec.training.epochs = 40;
    const { epochs } = await train(spec);
    expect(epochs[0].valAccuracy).toBeNull();
    expect(epochs.at(-1)!.valLoss).toBeLessThan(epochs[0].valLoss * 0.5);
  });

  test('the same spec gives the same curves', async () => {
    const spec = defaultSpec();
    spec.training.epochs = 3;
    mlpOf(spec).hidden[0].dropout = 0.2;
    const a = await train(spec);
    const b = await train(spec);
    expect(b.epochs.map((e) => e.batchLosses)).toEqual(a.epochs.map((e) => e.batchLosses));
    spec.seed = 7;
    const c = await train(spec);
    expect(c.epochs[0].batchLosses).not.toEqual(a.epochs[0].batchLosses);
  });

  test('epoch figures carry the compute cost', async () => {
    const spec = defaultSpec();
    spec.training.epochs = 2;
    const { epochs } = await train(spec);
    const e = epochs[1];
    expect(e.batchLosses).toHaveLength(Math.floor(400 / 16));
    expect(e.step).toBe(2 * 25);
    expect(e.gflop).toBeGreaterThan(0);
    expect(e.gflopPerSec).toBeCloseTo(e.gflop / (e.ms / 1000), 6);
    expect(e.examplesPerSec).toBeCloseTo((25 * 16 * 1000) / e.ms, 6);
    expect(e.cumulativeGflop).toBeCloseTo(2 * e.gflop, 9);
  });

  test('a diverging run stops with an explanation', async () => {
    const spec = defaultSpec();
    spec.dataset.kind = 'plane';
    mlpOf(spec).hidden = [{ units: 16, activation: 'relu', dropout: 0 }];
    spec.training.optimizer = { ...spec.training.optimizer, kind: 'momentum', learningRate: 10, momentum: 0.9 };
    spec.training.epochs = 50;
    const before = tf.memory().numTensors;
    // The loss explodes on its way to NaN; train on past that to reach the NaN.
    const { status, epochs, message } = await train(spec, { stopOnExplodingLoss: false });
    expect(status).toBe('diverged');
    expect(epochs.length).toBeLessThan(50);
    expect(message).toMatch(/diverged in epoch \d+: the loss became (NaN|\+Infinity)/);
    expect(message).toMatch(/learning rate \(10\)/);
    expect(tf.memory().numTensors).toBe(before);
  });
});

test('a 2-D classifier reports its validation confusion matrix beside the boundary, matching its accuracy', async () => {
  const spec = defaultSpec();
  spec.training.epochs = 3;
  let views: EpochViews = {};
  let last: EpochMetrics | null = null;
  await new Trainer(
    spec,
    {
      onEpoch: (m, v) => {
        last = m;
        views = v;
      },
    },
    { boundaryResolution: 8 },
  ).run();
  expect(views.boundary?.values).toHaveLength(64);
  const confusion = views.classes!.confusion;
  expect(confusion).toHaveLength(4);
  expect(confusion.reduce((a, b) => a + b, 0)).toBe(100); // 500 points, 20% held out
  expect(views.classes!.labels).toEqual(['0 (orange)', '1 (blue)']);
  expect(classificationReport(confusion).accuracy).toBeCloseTo(last!.valAccuracy!, 6);
});

describe('a loss that runs away while staying finite', () => {
  const circleAt = (kind: 'sgd' | 'adam' | 'rmsprop' | 'adagrad') => {
    const spec = defaultSpec();
    spec.training.optimizer = { ...spec.training.optimizer, kind, learningRate: 10 };
    spec.training.epochs = 30;
    return spec;
  };

  test.each(['sgd', 'adam', 'rmsprop', 'adagrad'] as const)(
    '%s at learning rate 10 on Circle stops with what to try',
    async (kind) => {
      const before = tf.memory().numTensors;
      const { status, epochs, message } = await train(circleAt(kind));
      expect(status).toBe('exploded');
      expect(epochs.length).toBeLessThan(30);
      // The exploding epoch itself is kept: it is finite, and the curve shows it.
      const last = epochs.at(-1)!;
      expect(
        Math.max(last.trainLoss, last.batchLosses.reduce((a, b) => a + b) / last.batchLosses.length),
      ).toBeGreaterThan(5 * epochs[0].batchLosses[0]);
      expect(message).toMatch(/The loss exploded in epoch \d+: the training loss is .*× its .* before training/);
      expect(message).toMatch(/learning rate 10× smaller \(it is 10\)/);
      expect(tf.memory().numTensors).toBe(before);
    },
  );

  test('the person may train on past it, and then the run ends normally', async () => {
    const { status, epochs } = await train(circleAt('sgd'), { stopOnExplodingLoss: false });
    expect(['completed', 'diverged']).toContain(status);
    if (status === 'completed') expect(epochs).toHaveLength(30);
  });

  test('runs that learn never trip it, even with noisy small batches', async () => {
    for (const batchSize of [1, 16]) {
      const spec = defaultSpec();
      spec.dataset.kind = 'spiral';
      spec.training.batchSize = batchSize;
      spec.training.epochs = batchSize === 1 ? 10 : 60;
      const { status } = await train(spec);
      expect(status).toBe('completed');
    }
  });
});

describe('a test split, scored once at the end', () => {
  test('an MLP that learns scores well on its test points; only a completed run is scored', async () => {
    const spec = defaultSpec();
    spec.dataset.testSplit = 0.2;
    spec.training.epochs = 30;
    const tests: TestResult[] = [];
    const before = tf.memory().numTensors;
    const status = await new Trainer(spec, { onTest: (t) => tests.push(t) }).run();
    expect(status).toBe('completed');
    expect(tests).toHaveLength(1);
    expect(tests[0]).toMatchObject({ epoch: 30, examples: 100, exactMatch: null });
    expect(tests[0].accuracy).toBeGreaterThan(0.9);
    expect(tests[0].loss).toBeLessThan(0.4);
    expect(tf.memory().numTensors).toBe(before);
    // Without a test split, or stopped before the end: nothing is scored.
    const none: TestResult[] = [];
    await new Trainer({ ...spec, dataset: { ...spec.dataset, testSplit: 0 } }, { onTest: (t) => none.push(t) }).run();
    const stopped = new Trainer(spec, { onTest: (t) => none.push(t), onEpoch: () => stopped.stop() });
    expect(await stopped.run()).toBe('stopped');
    expect(none).toEqual([]);
  });

  test('a language model reports next-character loss and accuracy on held-out text', async () => {
    const spec = defaultSpec();
    spec.dataset = {
      ...spec.dataset,
      kind: 'userText',
      samples: 300,
      contextLength: 8,
      validationSplit: 0.1,
      testSplit: 0.1,
    };
    spec.model = { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 1, dModel: 16, heads: 2, dropout: 0 };
    spec.training.epochs = 2;
    const text = 'the quick brown fox jumps over the lazy dog. '.repeat(80);
    const tests: TestResult[] = [];
    await new Trainer(spec, { onTest: (t) => tests.push(t) }, { files: { text } }).run();
    expect(tests).toHaveLength(1);
    expect(tests[0].examples).toBe(30);
    expect(tests[0].accuracy).toBeGreaterThan(0);
    expect(tests[0].loss).toBeLessThan(Math.log(28));
  });
});

describe('paused time', () => {
  test('time spent paused is not training time', async () => {
    const spec = defaultSpec();
    spec.training.epochs = 1;
    const epochs: EpochMetrics[] = [];
    const trainer = new Trainer(spec, { onEpoch: (m) => epochs.push(m) }, { startPaused: true });
    const done = trainer.run();
    const pause = 1500;
    await new Promise((r) => setTimeout(r, pause / 2));
    trainer.step();
    trainer.step();
    await new Promise((r) => setTimeout(r, pause / 2));
    trainer.resume();
    expect(await done).toBe('completed');
    // One epoch of 25 tiny batches on cpu takes a small part of the time it sat paused.
    expect(epochs[0].ms).toBeLessThan(pause / 2);
    expect(epochs[0].examplesPerSec).toBeCloseTo((25 * 16 * 1000) / epochs[0].ms, 6);
  });
});

describe('schedules, clipping and early stopping', () => {
  test('early stopping ends the run once validation loss stops improving, and says so', async () => {
    const spec = defaultSpec();
    spec.training.optimizer = { ...spec.training.optimizer, kind: 'sgd', learningRate: 1e-12 };
    spec.training.earlyStopPatience = 3;
    const { status, epochs, message } = await train(spec);
    expect(status).toBe('completed');
    expect(epochs).toHaveLength(4);
    expect(message).toMatch(
      /^Stopped early after epoch 4: the validation loss has not improved for 3 epochs \(best \d\.\d{4} at epoch 1\)/,
    );
  });

  test('every optimizer, with a schedule, warm-up and clipping, trains circle', async () => {
    const rates: Partial<Record<OptimizerKind, number>> = { rmsprop: 0.02, adam: 0.02, adamw: 0.02, lion: 0.01 };
    for (const kind of OPTIMIZER_KINDS) {
      const spec = defaultSpec();
      spec.training.optimizer = {
        ...spec.training.optimizer,
        kind,
        learningRate: rates[kind] ?? 0.1,
        weightDecay: 1e-4,
      };
      spec.training.schedule = { kind: 'cosine', stepEpochs: 1, gamma: 1, minLearningRate: 0.001, warmupEpochs: 2 };
      spec.training.clipNorm = 1;
      spec.training.epochs = 25;
      const { status, epochs } = await train(spec);
      expect(status, kind).toBe('completed');
      expect(epochs.at(-1)!.valAccuracy, kind).toBeGreaterThanOrEqual(0.9);
      expect(epochs.at(-1)!.learningRate, kind).toBeCloseTo(0.001, 5); // the last step is one short of the end
      expect(epochs[0].layers.map((l) => l.name)).toEqual(['dense 1', 'dense 2', 'output']);
      expect(epochs[0].layers.every((l) => l.gradNorm > 0 && l.weightNorm > 0)).toBe(true);
    }
  });
});

describe('comparing optimizers', () => {
  test('same seed ⇒ identical initial weights and batch order across the compared runs', async () => {
    const base = defaultSpec();
    base.dataset.kind = 'spiral';
    base.training.epochs = 2;
    mlpOf(base).hidden[1].dropout = 0.2;
    const specs = specsForOptimizers(base, [
      { kind: 'sgd', learningRate: 0.1 },
      { kind: 'adam', learningRate: 0.01 },
      { kind: 'rmsprop', learningRate: 0.01 },
    ]);
    expect(specs.map((s) => s.training.optimizer.kind)).toEqual(['sgd', 'adam', 'rmsprop']);
    const seen = [];
    for (const spec of specs) {
      const record = { weights: [] as Float32Array[], orders: [] as Int32Array[], losses: [] as number[] };
      await new Trainer(spec, {
        onInit: (w) => {
          record.weights = w;
        },
        onEpochStart: (_, order) => record.orders.push(order),
        onEpoch: (m) => record.losses.push(m.trainLoss),
      }).run();
      seen.push(record);
    }
    for (const other of seen.slice(1)) {
      expect(other.weights).toEqual(seen[0].weights);
      expect(other.orders).toEqual(seen[0].orders);
      expect(other.losses).not.toEqual(seen[0].losses); // yet the optimizers differ
    }
    expect(seen[0].orders[1]).not.toEqual(seen[0].orders[0]); // reshuffled every epoch
  });
});

describe('run control', () => {
  test('step runs exactly one batch at a time; resume continues; stop ends the run', async () => {
    const spec = defaultSpec();
    spec.training.epochs = 3;
    const batches: number[] = [];
    const statuses: RunStatus[] = [];
    const epochs: EpochMetrics[] = [];
    const trainer = new Trainer(
      spec,
      {
        onBatch: (b) => batches.push(b.step),
        onStatus: (s) => statuses.push(s),
        onEpoch: (m) => {
          epochs.push(m);
          trainer.stop();
        },
      },
      { startPaused: true },
    );
    const done = trainer.run();
    await new Promise((r) => setTimeout(r, 20));
    expect(batches).toEqual([]);
    for (let i = 0; i < 3; i++) {
      trainer.step();
      await waitFor(() => batches.length === i + 1);
    }
    expect(batches).toEqual([1, 2, 3]);
    await new Promise((r) => setTimeout(r, 20));
    expect(batches).toHaveLength(3);
    trainer.resume();
    expect(await done).toBe('stopped');
    expect(epochs).toHaveLength(1);
    expect(epochs[0].step).toBe(25);
    expect(statuses).toEqual(['preparing', 'paused', 'running', 'stopped']);
  });

  test('pause holds training between batches until resumed', async () => {
    const spec = defaultSpec();
    // Enough epochs that the run is still going when paused (an epoch takes a few ms here).
    spec.training.epochs = 5000;
    const epochs: number[] = [];
    let status: RunStatus | null = null;
    const trainer = new Trainer(spec, {
      onEpoch: (m) => epochs.push(m.epoch),
      onStatus: (s) => {
        status = s;
      },
    });
    const done = trainer.run();
    await waitFor(() => epochs.length >= 1);
    trainer.pause();
    await waitFor(() => status === 'paused');
    const held = epochs.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(epochs.length).toBe(held);
    trainer.resume();
    await waitFor(() => epochs.length > held + 2);
    trainer.stop();
    expect(await done).toBe('stopped');
    // Every epoch once, in order, across the pause.
    expect(epochs).toEqual(epochs.map((_, i) => i + 1));
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('MNIST', () => {
  test('an MLP learns the real digits (validation accuracy ≥ 0.9), and memory stays flat', async () => {
    const { readFileSync } = await import('node:fs');
    const files = {
      mnist: {
        images: new Uint8Array(readFileSync('datasets/mnist-images.u8')),
        labels: new Uint8Array(readFileSync('datasets/mnist-labels.u8')),
      },
    };
    const spec = defaultSpec();
    spec.dataset = { ...spec.dataset, kind: 'mnist', samples: 3000 };
    mlpOf(spec).hidden = [{ units: 64, activation: 'relu', dropout: 0 }];
    spec.training = { ...spec.training, batchSize: 32, epochs: 6 };
    spec.training.optimizer.learningRate = 0.002;
    const counts: number[] = [];
    const epochs: EpochMetrics[] = [];
    const before = tf.memory().numTensors;
    const status = await new Trainer(
      spec,
      {
        onEpoch: (m, views) => {
          epochs.push(m);
          counts.push(tf.memory().numTensors);
          expect(views.boundary).toBeUndefined(); // no plane, no boundary
          // The confusion matrix counts every validation digit once; its diagonal is the accuracy.
          const { confusion, misclassified } = views.classes!;
          const right = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].reduce((s, d) => s + confusion[d * 11], 0);
          expect(confusion.reduce((a, b) => a + b, 0)).toBe(600);
          expect(right / 600).toBeCloseTo(m.valAccuracy!, 5);
          expect(misclassified.length).toBe(Math.min(32, 600 - right));
          for (const d of misclassified) expect(d.predicted).not.toBe(d.label);
        },
      },
      { boundaryResolution: 16, files },
    ).run();
    expect(status).toBe('completed');
    expect(epochs.at(-1)!.valAccuracy).toBeGreaterThanOrEqual(0.9);
    expect(counts[5]).toBe(counts[1]);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('MNIST needs its files, and validation knows its sizes', () => {
    const spec = defaultSpec();
    spec.dataset.kind = 'mnist';
    expect(() => new Trainer(spec)).toThrow(/MNIST files are not loaded/);
    spec.dataset.samples = 20000;
    expect(validateSpec(spec)).toMatchObject({
      ok: false,
      errors: [{ field: 'dataset.samples', message: expect.stringMatching(/at most 10000/) }],
    });
  });
});
