// The work one training step launches: on webgpu the compute passes it dispatches, elsewhere the
// kernels it runs. tf.profile lists every kernel, also those that dispatch nothing on webgpu
// (Reshape and Identity share their input's buffer), so on webgpu the dispatches are counted
// where the backend records them, plus those of our compiled step (engine/compiled), which
// records its own pass.
import * as tf from '@tensorflow/tfjs';
import { compiledDispatches } from '../src/engine/compiled/plan';

type Recording = { recordAndSubmit: (...args: unknown[]) => unknown };

export async function workPerStep(step: () => unknown): Promise<number> {
  if (tf.getBackend() !== 'webgpu') return (await tf.profile(async () => void (await step()))).kernels.length;
  const backend = tf.backend() as unknown as Recording;
  const record = backend.recordAndSubmit;
  let dispatches = 0;
  const compiledBefore = compiledDispatches();
  backend.recordAndSubmit = function (this: unknown, ...args: unknown[]) {
    dispatches++;
    return record.apply(this, args);
  };
  try {
    await step();
  } finally {
    delete (backend as Partial<Recording>).recordAndSubmit; // the class's own method again
  }
  return dispatches + compiledDispatches() - compiledBefore;
}
