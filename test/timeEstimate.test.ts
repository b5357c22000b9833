import { expect, test } from 'vitest';
import { formatDuration, measuredEpochSeconds } from '../src/state/timeEstimate';
import { defaultSpec } from '../src/experiment';
import type { RunRecord } from '../src/export/runRecord';

const runOf = (spec = defaultSpec(), ms: number[]) =>
  ({ spec, epochs: ms.map((m, i) => ({ epoch: i + 1, ms: m })) }) as unknown as RunRecord;

test('the time an epoch takes comes from the newest run of the same work, its first epoch (warm-up) left out', () => {
  const spec = defaultSpec();
  const other = defaultSpec();
  other.training.batchSize = 64;
  const runs = [runOf(spec, [900, 100, 120, 110]), runOf(other, [50, 5, 5]), runOf(spec, [700, 200, 220, 210])];
  expect(measuredEpochSeconds(spec, runs)).toBe(0.21);
  // A different learning rate or epoch count costs the same per epoch.
  const sameWork = structuredClone(spec);
  sameWork.training.optimizer.learningRate = 0.1;
  sameWork.training.epochs = 500;
  expect(measuredEpochSeconds(sameWork, runs)).toBe(0.21);
  // Another model, or only one epoch measured: nothing to go on.
  const wider = structuredClone(spec);
  wider.model = { ...wider.model, hidden: [{ units: 64, activation: 'relu', dropout: 0 }] } as typeof wider.model;
  expect(measuredEpochSeconds(wider, runs)).toBeNull();
  expect(measuredEpochSeconds(spec, [runOf(spec, [900])])).toBeNull();
});

test('durations read as a person says them', () => {
  expect(formatDuration(0.2)).toBe('1 s');
  expect(formatDuration(42)).toBe('42 s');
  expect(formatDuration(720)).toBe('12 min');
  expect(formatDuration(3900)).toBe('1 h 5 min');
});
