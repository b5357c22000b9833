import { readFileSync } from 'node:fs';
import { expect, test, vi } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { activateBackend, isFatalBackendError, softwareGpus } from '../src/engine/backend';
import { Trainer } from '../src/engine/trainer';
import type { EpochMetrics } from '../src/engine/types';
import { fusedUpdateAvailable } from '../src/engine/kernels/optimizerUpdate';
import { setCompiledSteps } from '../src/engine/compiled/plan';
import { rememberMatMulTunings, tunedMatMuls, tuneMatMuls, withTunedMatMul } from '../src/engine/kernels/matMulTuning';
import {
  TRANSFORMER_OPTION_DEFAULTS,
  datasetDefaults,
  defaultSpec,
  mlpOf,
  type ExperimentSpec,
  type ModelSpec,
} from '../src/experiment';
import { fusedAndReference, OPTIMIZER_VARIANTS, variantLabel } from './helpers/fusedUpdate';

// A tiny run, since WebGPU here runs on SwiftShader (a CPU Vulkan driver).
function tinySpec() {
  const spec = defaultSpec();
  spec.dataset.samples = 100;
  spec.training.batchSize = 20;
  spec.training.epochs = 3;
  mlpOf(spec).hidden = [
    { units: 6, activation: 'tanh', dropout: 0 },
    { units: 4, activation: 'relu', dropout: 0 },
  ];
  return spec;
}

async function runOn(backend: 'cpu' | 'webgpu', spec = tinySpec()): Promise<EpochMetrics[]> {
  const report = await activateBackend(backend);
  expect(report.active).toBe(backend);
  const epochs: EpochMetrics[] = [];
  const before = tf.memory().numTensors;
  expect(await new Trainer(spec, { onEpoch: (m) => epochs.push(m) }, { boundaryResolution: 8 }).run()).toBe(
    'completed',
  );
  expect(tf.memory().numTensors).toBe(before);
  return epochs;
}

/** WebGPU's figures against the cpu backend's: as many, each within 1e-3 (relative above 1). */
function expectSameFigures(gpu: number[], cpu: number[]): void {
  expect(gpu).toHaveLength(cpu.length);
  gpu.forEach((v, i) => expect(Math.abs(v - cpu[i])).toBeLessThan(1e-3 * Math.max(1, Math.abs(cpu[i]))));
}

test('WebGPU trains for real in Node through tf ops and its losses match the cpu backend', async () => {
  const cpu = await runOn('cpu');
  // The tf-op step, which every model but the plain MLP takes (the MLP's compiled step: compiledStep.test.ts).
  setCompiledSteps(false);
  const gpu = await runOn('webgpu').finally(() => setCompiledSteps(true));
  // The run measured a matmul shader for the shapes its batches use: 20 rows of 2 inputs into 6
  // units forward, and that layer's weight gradient (inputsᵀ · 20×6).
  const tuned = tunedMatMuls();
  expect(tuned.get('20x2|2x6|00')).toBeDefined();
  expect(tuned.get('20x2|20x6|10')).toBeDefined();
  for (const program of tuned.values()) expect([-1, 3]).toContain(program);
  expect(gpu).toHaveLength(3);
  expect(gpu[0].gpuBytesAllocated).toBeGreaterThan(0);
  const flat = (e: EpochMetrics[]) => e.flatMap((m) => [...m.batchLosses, m.trainLoss, m.valLoss, m.valAccuracy!]);
  const a = flat(cpu);
  const b = flat(gpu);
  expectSameFigures(b, a);
  // And it learned something: the loss fell.
  expect(gpu[2].trainLoss).toBeLessThan(gpu[0].batchLosses[0]);
});

test('an MLP with BatchNorm trains on WebGPU with the cpu backend’s losses (running statistics included)', async () => {
  const spec = tinySpec();
  mlpOf(spec).norm = 'batchNorm';
  const flat = (e: EpochMetrics[]) => e.flatMap((m) => [...m.batchLosses, m.trainLoss, m.valLoss]);
  const a = flat(await runOn('cpu', spec));
  const b = flat(await runOn('webgpu', spec));
  expectSameFigures(b, a);
});

/** A tiny sequence run on names: 64 windows of 6 characters, batches of 16. */
function tinySequenceSpec(model: ModelSpec): ExperimentSpec {
  const spec = defaultSpec();
  spec.dataset = { ...spec.dataset, kind: 'names', ...datasetDefaults('names'), samples: 80, contextLength: 6 };
  spec.model = model;
  spec.training.batchSize = 16;
  spec.training.epochs = 2;
  return spec;
}

test.each<ModelSpec>([
  { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 1, dModel: 8, heads: 2, dropout: 0 },
  { kind: 'lstm', cell: 'lstm', embedding: 4, layers: [{ units: 8, dropout: 0 }] },
])('the $kind trains on WebGPU in Node with the cpu backend’s losses', async (model) => {
  const files = { text: readFileSync('datasets/names.txt', 'utf8') };
  const losses = async (backend: 'cpu' | 'webgpu') => {
    await activateBackend(backend);
    const before = tf.memory().numTensors;
    const out: number[] = [];
    const dispatches: (number | null | undefined)[] = [];
    await new Trainer(
      tinySequenceSpec(model),
      {
        onEpoch: (m) => {
          out.push(...m.batchLosses, m.trainLoss, m.valLoss, m.valAccuracy!);
          dispatches.push(m.compiledDispatchesPerStep);
        },
      },
      { files },
    ).run();
    expect(tf.memory().numTensors).toBe(before);
    // The LSTM's steps are compiled on webgpu (engine/compiled): 2 per timestep, 2 for its layer and 5 more.
    const compiled = backend === 'webgpu' && model.kind === 'lstm' ? 2 * 6 + 2 + 5 : undefined;
    expect(dispatches).toEqual([compiled, compiled]);
    return out;
  };
  const a = await losses('cpu');
  const b = await losses('webgpu');
  expectSameFigures(b, a);
});

test.each(OPTIMIZER_VARIANTS.map((v) => [variantLabel(v), v] as const))(
  'the fused %s update on WebGPU equals the tf-op update',
  async (_, variant) => {
    await activateBackend('webgpu');
    expect(fusedUpdateAvailable()).toBe(true);
    const { fused, reference, start, leaked } = await fusedAndReference(variant, variant.kind === 'adamw' ? 0.01 : 0);
    expect(leaked).toBe(0);
    expect(fused.length).toBe(reference.length);
    fused.forEach((values, i) => values.forEach((v, j) => expect(v).toBeCloseTo(reference[i][j], 5)));
    expect(fused[0]).not.toEqual(start);
  },
);

test('matmul shapes measured on an earlier visit are not timed again; new ones are', async () => {
  await activateBackend('webgpu');
  const a = tf.randomUniform([5, 3]);
  const b = tf.randomUniform([3, 4]);
  const c = tf.randomUniform([3, 9]);
  rememberMatMulTunings([
    ['5x3|3x4|00', 3],
    ['5x3|3x9|00', 42], // no such shader: ignored
  ]);
  // The flag values tfjs' matmul program was set to while tuning: timing a shape sets each
  // candidate shader in turn, then restores the flag; a known shape's pass only uses its shader.
  const flagSetsWhileTuning = async (w: tf.Tensor) => {
    const set = vi.spyOn(tf.env(), 'set');
    await tuneMatMuls(() => {
      withTunedMatMul(a, w, false, false, () => tf.matMul(a, w));
    });
    const values = set.mock.calls.filter(([flag]) => flag === 'WEBGPU_MATMUL_PROGRAM_TYPE').map(([, v]) => v);
    set.mockRestore();
    return values;
  };
  const before = tf.env().getNumber('WEBGPU_MATMUL_PROGRAM_TYPE');
  expect(await flagSetsWhileTuning(b)).toEqual([3, before]);
  expect(tunedMatMuls().get('5x3|3x4|00')).toBe(3);
  expect(await flagSetsWhileTuning(c)).toEqual([-1, 3, before]);
  expect([-1, 3]).toContain(tunedMatMuls().get('5x3|3x9|00'));
  tf.dispose([a, b, c]);
});

test('a backend that cannot start falls back along webgpu → webgl → wasm → cpu, saying why', async () => {
  // Node has no WebGL, so asking for it lands on wasm with the reason recorded.
  const report = await activateBackend('webgl');
  expect(report).toEqual({ active: 'wasm', fallbacks: ['webgl: not available in this environment'], threads: 1 });
  expect(tf.getBackend()).toBe('wasm');
  const auto = await activateBackend('auto');
  expect(auto).toEqual({ active: 'webgpu', fallbacks: [] });
  // After WebGPU stopped working in a tab, "auto" goes on with the next backend and says why.
  // (Node's wasm has no threads: tfjs starts them only in a cross-origin isolated page.)
  expect(await activateBackend('auto', ['webgpu'])).toEqual({
    active: 'wasm',
    fallbacks: ['webgpu: stopped working earlier in this tab', 'webgl: not available in this environment'],
    threads: 1,
  });
});

test('errors after which a backend cannot be trusted are told from ordinary ones', () => {
  for (const fatal of [
    'Aborted(). Build with -sASSERTIONS for more info.',
    'RuntimeError: unreachable',
    'Out of memory',
    'GPUDevice was lost: destroyed',
    'Device is lost',
    'WebGL context lost',
  ])
    expect(isFatalBackendError(fatal), fatal).toBe(true);
  for (const ordinary of [
    'the text is too short for a context of 16 characters',
    'The weights do not fit this model',
    'Your table: load a CSV file.',
  ]) {
    expect(isFatalBackendError(ordinary), ordinary).toBe(false);
  }
});

test('the software adapter WebGPU runs on here (SwiftShader) is recognised, so "auto" never times it', async () => {
  expect((await softwareGpus()).webgpu).toBe('SwiftShader');
});
