// "Auto" measures: training steps of the actual model timed on each backend, the fastest picked,
// and the page keeps the measurement per model and device (an untrusted record when read back);
// likewise webgpu's matmul shader choices per device.
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { activateBackend } from '../src/engine/backend';
import { fastest, measureBackends, SKIPPED } from '../src/engine/backendMeasure';
import { prepareData } from '../src/engine/prepareLearner';
import { AUTO_STORAGE_KEY, keepAutoPick, keptAutoPick } from '../src/state/autoBackend';
import { keepMatMulTunings, keptMatMulTunings, MATMUL_TUNINGS_KEY } from '../src/state/matmulTunings';
import { MLP_OPTION_DEFAULTS, TRANSFORMER_OPTION_DEFAULTS, defaultSpec } from '../src/experiment';
import { Trainer } from '../src/engine/trainer';
import type { TrainerOptions } from '../src/engine/trainerTypes';
import type { BackendReport } from '../src/engine/types';
import { specFor } from './specFor';

beforeAll(async () => {
  await activateBackend('cpu');
});

test('every backend asked for is timed on the real model, and no tensor is left behind on any', async () => {
  const spec = defaultSpec();
  const before = { cpu: 0, wasm: 0 };
  for (const b of ['cpu', 'wasm'] as const) {
    await tf.setBackend(b);
    before[b] = tf.memory().numTensors;
  }
  const measured = await measureBackends(spec, prepareData(spec), ['webgpu', 'webgl']);
  expect(measured.map((m) => m.backend)).toEqual(['wasm', 'cpu']);
  for (const m of measured) {
    expect(m.msPerStep).toBeGreaterThan(0);
    expect(m.firstStepMs).toBeGreaterThan(0);
    await tf.setBackend(m.backend);
    expect(tf.memory().numTensors).toBe(before[m.backend as 'cpu' | 'wasm']);
  }
  const best = fastest(measured)!;
  expect(measured.every((m) => m.msPerStep! >= measured.find((x) => x.backend === best)!.msPerStep!)).toBe(true);
  await tf.setBackend('cpu');
});

test('a model too big for a backend is not tried there', async () => {
  const spec = defaultSpec();
  const wide = { units: 4096, activation: 'relu' as const, dropout: 0 };
  spec.model = { ...MLP_OPTION_DEFAULTS, kind: 'mlp', hidden: [wide, wide, wide] };
  spec.dataset.samples = 10000;
  spec.training.batchSize = 10000; // about 2.5 GB: 2 GB of one batch's activations, and the weights with their Adam state
  const measured = await measureBackends(spec, prepareData(spec), ['webgpu', 'webgl']);
  expect(measured).toEqual([
    { backend: 'wasm', msPerStep: null, note: 'needs more memory than wasm is given' },
    { backend: 'cpu', msPerStep: null, note: 'needs more memory than cpu is given' },
  ]);
  expect(fastest(measured)).toBeNull();
});

test('a software GPU is never timed, a skip stops the timing, and progress is told before each backend', async () => {
  const spec = defaultSpec();
  const told: string[] = [];
  const soft = await measureBackends(spec, prepareData(spec), ['webgpu', 'webgl'], {
    software: { wasm: 'SwiftShader' },
    onBackend: (b, done) => told.push(`${b} after ${done.map((d) => d.backend).join(',') || 'none'}`),
  });
  expect(soft[0]).toEqual({
    backend: 'wasm',
    msPerStep: null,
    note: 'not timed, a software GPU (SwiftShader) is never the fastest',
  });
  expect(soft[1].msPerStep).toBeGreaterThan(0);
  expect(fastest(soft)).toBe('cpu');
  expect(told).toEqual(['cpu after wasm']);
  // Skipped before anything was timed: every backend is left untimed, saying why.
  const skipped = await measureBackends(spec, prepareData(spec), ['webgpu', 'webgl'], { skip: () => true });
  expect(skipped).toEqual([
    { backend: 'wasm', msPerStep: null, note: SKIPPED },
    { backend: 'cpu', msPerStep: null, note: SKIPPED },
  ]);
  // Skipped while the first backend was being timed: its first step stands, the rest are not timed.
  let steps = 0;
  const cut = await measureBackends(spec, prepareData(spec), ['webgpu', 'webgl'], {
    onBackend: () => steps++,
    skip: () => steps > 0,
  });
  expect(cut[0].msPerStep).toBe(cut[0].firstStepMs);
  expect(cut[1]).toEqual({ backend: 'cpu', msPerStep: null, note: SKIPPED });
  expect(fastest(cut)).toBe('wasm');
  await tf.setBackend('cpu');
});

test('a backend that cannot train is reported with its reason and never picked', () => {
  expect(
    fastest([
      { backend: 'webgpu', msPerStep: null, note: 'failed to initialise' },
      { backend: 'wasm', msPerStep: 3 },
      { backend: 'cpu', msPerStep: 2 },
    ]),
  ).toBe('cpu');
  expect(fastest([{ backend: 'webgpu', msPerStep: null }])).toBeNull();
});

function fakeStorage(): Map<string, string> {
  const items = new Map<string, string>();
  (globalThis as unknown as { localStorage: Partial<Storage> }).localStorage = {
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => void items.set(k, v),
  };
  (globalThis as unknown as { navigator: Partial<Navigator> }).navigator = {
    userAgent: 'test browser',
    hardwareConcurrency: 8,
  };
  return items;
}

afterEach(() => {
  delete (globalThis as { localStorage?: unknown }).localStorage;
});

test('the measurement is kept per model and device, and a damaged store is ignored', () => {
  const items = fakeStorage();
  const spec = defaultSpec();
  const report: BackendReport = {
    active: 'wasm',
    fallbacks: [],
    measured: [
      { backend: 'wasm', msPerStep: 1.5, firstStepMs: 9 },
      { backend: 'webgpu', msPerStep: 40, firstStepMs: 3000 },
    ],
  };
  expect(keptAutoPick(spec)).toBeNull();
  keepAutoPick(spec, report, []);
  expect(keptAutoPick(spec)).toEqual({ backend: 'wasm', measured: report.measured });
  // Another model, or a measurement handed down or made while a backend was skipped: not kept.
  const wider = defaultSpec();
  wider.model = { ...wider.model, hidden: [{ units: 64, activation: 'relu', dropout: 0 }] } as typeof wider.model;
  expect(keptAutoPick(wider)).toBeNull();
  keepAutoPick(wider, { ...report, measuredEarlier: true }, []);
  keepAutoPick(wider, report, ['webgpu']);
  expect(keptAutoPick(wider)).toBeNull();
  // A backend chosen by hand never uses it.
  expect(keptAutoPick({ ...spec, backend: 'cpu' })).toBeNull();
  // Damaged or foreign entries are skipped, not trusted.
  items.set(AUTO_STORAGE_KEY, JSON.stringify([[JSON.parse(items.get(AUTO_STORAGE_KEY)!)[0][0], { backend: 'tpu' }]]));
  expect(keptAutoPick(spec)).toBeNull();
  items.set(AUTO_STORAGE_KEY, '{not json');
  expect(keptAutoPick(spec)).toBeNull();
});

test('webgpu matmul choices are kept per device, and damaged or foreign entries are dropped', () => {
  const items = fakeStorage();
  expect(keptMatMulTunings()).toEqual({});
  keepMatMulTunings('browser A · nvidia hopper', [
    ['64x784|784x128|00', 3],
    ['784x64|64x128|00', -1],
  ]);
  keepMatMulTunings('browser A · apple m2', [['8x2|2x8|00', 3]]);
  // A device's new list replaces its old one; other devices keep theirs.
  keepMatMulTunings('browser A · nvidia hopper', [['64x784|784x128|00', -1]]);
  expect(keptMatMulTunings()).toEqual({
    'browser A · apple m2': [['8x2|2x8|00', 3]],
    'browser A · nvidia hopper': [['64x784|784x128|00', -1]],
  });
  // What is read back is checked: an unknown shader, a key that is no shape, a non-list.
  items.set(
    MATMUL_TUNINGS_KEY,
    JSON.stringify([
      ['gpu', [['8x2|2x8|00', 7], ['drop table', 3], ['8x2|2x8|11', 3], 'x']],
      ['other', { not: 'a list' }],
      [42, []],
    ]),
  );
  expect(keptMatMulTunings()).toEqual({ gpu: [['8x2|2x8|11', 3]], other: [] });
  items.set(MATMUL_TUNINGS_KEY, '{not json');
  expect(keptMatMulTunings()).toEqual({});
  // Full storage: nothing is kept, and nothing throws (the next visit times the shapes again).
  localStorage.setItem = () => {
    throw new DOMException('quota', 'QuotaExceededError');
  };
  expect(() => keepMatMulTunings('gpu', [['8x2|2x8|00', 3]])).not.toThrow();
  expect(keptMatMulTunings()).toEqual({});
});

test('"auto" builds the dataset once: the run trains on the data its measurement used, with the same losses', async () => {
  const spec = specFor(
    'names',
    { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 1, dModel: 8, heads: 2, dropout: 0 },
    (s) => {
      s.dataset.samples = 200;
      s.dataset.contextLength = 6;
      s.training.batchSize = 16;
      s.training.epochs = 2;
    },
  );
  const files = { text: readFileSync('datasets/names.txt', 'utf8') };
  const prepared = prepareData(spec, files);
  await measureBackends(spec, prepared, ['webgpu', 'webgl'], { budgetMs: 50 });
  await tf.setBackend('cpu');
  const losses = async (options: TrainerOptions) => {
    const out: number[] = [];
    expect(await new Trainer(spec, { onEpoch: (m) => out.push(...m.batchLosses, m.valLoss) }, options).run()).toBe(
      'completed',
    );
    return out;
  };
  // Given the measured data the Trainer needs no files: it builds nothing (without files, names cannot be built).
  expect(() => prepareData(spec)).toThrow();
  expect(await losses({ prepared })).toEqual(await losses({ files }));
});
