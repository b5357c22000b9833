// tfjs' private parts, which our kernels use, are checked once per backend; where they are not as
// expected our paths switch off and training goes on through plain tf ops, with the same losses.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, expect, test } from 'vitest';
import { activateBackend } from '../src/engine/backend';
import { Trainer } from '../src/engine/trainer';
import { fusedUpdateAvailable } from '../src/engine/kernels/optimizerUpdate';
import { hostMlpSuits } from '../src/engine/kernels/mlpHost';
import { compiledMatMulAvailable } from '../src/engine/kernels/wasmMatMulKernel';
import { internalsProblem, simulateInternalsMismatch } from '../src/engine/kernels/tfjsInternals';
import { defaultSpec } from '../src/experiment';

afterEach(() => simulateInternalsMismatch(null));

test('the cpu and wasm backends of this tfjs have the internals our kernels use; a backend without them is named', async () => {
  for (const name of ['cpu', 'wasm'] as const) {
    await activateBackend(name);
    expect(internalsProblem(tf.backend(), name)).toBeNull();
  }
  expect(internalsProblem({} as tf.KernelBackend, 'wasm')).toBe(
    "tfjs-wasm's typedArrayFromHeap is not where this version of the playground expects it",
  );
  expect(internalsProblem({} as tf.KernelBackend, 'cpu')).toBe(
    "tfjs-cpu's tensor data map is not where this version of the playground expects it",
  );
  // A view that reads the wrong memory is caught on a real tensor.
  const backend = tf.backend() as unknown as { typedArrayFromHeap: (t: tf.TensorInfo) => Float32Array };
  const real = backend.typedArrayFromHeap;
  backend.typedArrayFromHeap = () => new Float32Array(3);
  try {
    expect(internalsProblem(tf.backend(), 'wasm')).toMatch(/tensor memory/);
  } finally {
    backend.typedArrayFromHeap = real;
  }
});

async function losses(backend: 'cpu' | 'wasm'): Promise<{ losses: number[]; off: string | undefined }> {
  const report = await activateBackend(backend);
  const spec = defaultSpec();
  spec.training.epochs = 3;
  spec.dataset.samples = 200;
  const out: number[] = [];
  await new Trainer(spec, { onEpoch: (m) => out.push(m.valLoss) }, { boundaryResolution: 8 }).run();
  return { losses: out, off: report.fastPathsOff };
}

test.each(['cpu', 'wasm'] as const)(
  'on %s with internals not as expected: our paths are off, the report says why, and training gives the same losses',
  async (backend) => {
    const fast = await losses(backend);
    expect(fast.off).toBeUndefined();
    simulateInternalsMismatch('simulated mismatch');
    const plain = await losses(backend);
    expect(plain.off).toBe('simulated mismatch');
    expect(fusedUpdateAvailable()).toBe(false);
    expect(hostMlpSuits(10, 10)).toBe(false);
    expect(compiledMatMulAvailable()).toBe(false);
    expect(plain.losses).toHaveLength(3);
    for (let i = 0; i < 3; i++) expect(plain.losses[i]).toBeCloseTo(fast.losses[i], 5);
  },
);
