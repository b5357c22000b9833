// Every lesson is a valid experiment (or lab setting) whose run shows the numbers it promises.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import '@tensorflow/tfjs-backend-wasm';
import { activateBackend } from '../src/engine/backend';
import { Trainer } from '../src/engine/trainer';
import { optimizerPath } from '../src/engine/surfacePaths';
import { labClaim, runClaim } from '../src/engine/lessonClaims';
import type { EpochMetrics, RunStatus } from '../src/engine/types';
import {
  defaultSpec,
  LESSONS,
  OPTIMIZER_KINDS,
  validateLabSettings,
  validateSpec,
  type Lesson,
  type OptimizerKind,
} from '../src/experiment';

const mnist = {
  images: new Uint8Array(readFileSync('datasets/mnist-images.u8')),
  labels: new Uint8Array(readFileSync('datasets/mnist-labels.u8')),
};

async function outcome(lesson: Lesson) {
  const target = lesson.target;
  if (target.kind === 'lab') {
    const s = target.settings;
    const finals: Partial<Record<OptimizerKind, number>> = {};
    for (const kind of OPTIMIZER_KINDS.filter((k) => s.chosen[k])) {
      const spec = { ...defaultSpec().training.optimizer, kind, learningRate: Number(s.rates[kind]) };
      const path = await optimizerPath(s.surface, s.conditioning, spec, s.start, s.steps);
      finals[kind] = path.losses[s.steps];
    }
    return labClaim(lesson.claim, finals);
  }
  const epochs: EpochMetrics[] = [];
  const status: RunStatus = await new Trainer(
    { ...target.spec, backend: 'wasm' },
    { onEpoch: (m) => epochs.push(m) },
    { files: { mnist } },
  ).run();
  return runClaim(lesson.claim, { status, epochs, plannedEpochs: target.spec.training.epochs });
}

describe('lessons', () => {
  test('there are at least ten, each with a unique id, two or three sentences and a claim in words', () => {
    expect(LESSONS.length).toBeGreaterThanOrEqual(10);
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
    for (const l of LESSONS) {
      expect(l.text.split(/(?<=[.!?])\s+/).length, l.id).toBeGreaterThanOrEqual(2);
      expect(l.text.split(/(?<=[.!?])\s+/).length, l.id).toBeLessThanOrEqual(3);
      expect(l.shows.length, l.id).toBeGreaterThan(10);
    }
  });

  test.each(LESSONS.map((l) => [l.title, l] as const))(
    '%s: valid, and its run shows what it says',
    async (_, lesson) => {
      await activateBackend('wasm');
      const target = lesson.target;
      const valid = target.kind === 'lab' ? validateLabSettings(target.settings) : validateSpec(target.spec);
      expect(valid.ok ? [] : valid.errors).toEqual([]);
      const result = await outcome(lesson);
      expect(result.holds, `${lesson.shows}: measured ${result.measured}`).toBe(true);
    },
    300_000,
  );
});

test('a race’s verdict reads in plain words: the optimizers by name, the losses as numbers a person reads', () => {
  const result = labClaim(
    { kind: 'lab', better: 'momentum', worse: 'sgd', factor: 10 },
    { momentum: 3.8e-8, sgd: 1.6e-3 },
  );
  expect(result).toEqual({
    holds: true,
    measured: 'SGD + momentum ended at a loss of 3.8 × 10⁻⁸, SGD at 0.0016 (42,000 times higher)',
  });
});
