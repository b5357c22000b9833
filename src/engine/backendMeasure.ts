// "Auto" picks a backend by measuring, not by guessing: a few training steps of the actual model
// on each backend this environment has, within a small time budget, and the fastest wins. Tiny
// models are all per-kernel overhead, where wasm or even cpu beat a GPU (and a software GPU by
// far); big ones are arithmetic, where a real GPU wins.
import * as tf from '@tensorflow/tfjs';
import { BACKENDS, type BackendName, type ExperimentSpec } from '../spec/types';
import type { DatasetFiles } from '../data/dataset';
import { createOptimizer } from './optimizers';
import { optimizerStep, stepSettings } from './step';
import { prepareLearner } from './prepareLearner';
import { estimateMemory, memoryProblem } from './memoryEstimate';
import type { BackendMeasurement } from './types';
import type { Learner } from './learner';

/**
 * What the measurement may take in all, besides each backend's first two steps (a slow GPU's first,
 * which compiles its shaders, cannot be cut short).
 */
export const MEASURE_BUDGET_MS = 2000;
/** Steps timed on each backend after its first (which compiles shaders and is timed apart). */
const TIMED_STEPS = 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Time training steps of `spec`'s model on every registered backend but `avoid`, in the order
 * "auto" would otherwise try them. Leaves whichever backend ran last active: activate the pick next.
 */
export async function measureBackends(
  spec: ExperimentSpec,
  files: DatasetFiles,
  avoid: readonly BackendName[],
  budgetMs = MEASURE_BUDGET_MS,
): Promise<BackendMeasurement[]> {
  const candidates = BACKENDS.filter((b) => !avoid.includes(b) && b in tf.engine().registryFactory);
  const prepared = prepareLearner(spec, { files }); // the data is built once, uploaded to each backend
  const deadline = performance.now() + budgetMs;
  const out: BackendMeasurement[] = [];
  const memory = estimateMemory(spec, prepared.shape, prepared.cost.params);
  for (const [i, backend] of candidates.entries()) {
    const share = (deadline - performance.now()) / (candidates.length - i);
    // A model too big for a backend is not tried there: running out of memory can break a backend for the whole tab.
    if (memoryProblem(spec, memory, backend)) {
      out.push({ backend, msPerStep: null, note: `needs more memory than ${backend} is given` });
      continue;
    }
    try {
      if (!(await tf.setBackend(backend))) {
        out.push({ backend, msPerStep: null, note: 'failed to initialise' });
        continue;
      }
      await tf.ready();
      out.push({ backend, ...(await timeSteps(spec, prepared.make, share)) });
    } catch (e) {
      out.push({ backend, msPerStep: null, note: e instanceof Error ? e.message.slice(0, 200) : String(e) });
    }
  }
  return out;
}

/** The measured backend that trains fastest; null when none could. */
export function fastest(measured: readonly BackendMeasurement[]): BackendName | null {
  let best: BackendMeasurement | null = null;
  for (const m of measured) if (m.msPerStep !== null && (!best || m.msPerStep < best.msPerStep!)) best = m;
  return best?.backend ?? null;
}

/**
 * The first step (which sets up and compiles), then at least one more, and up to TIMED_STEPS while
 * `shareMs` lasts; each waits for its loss, so GPU work is counted.
 */
async function timeSteps(
  spec: ExperimentSpec,
  makeLearner: () => Learner,
  shareMs: number,
): Promise<{ msPerStep: number; firstStepMs: number }> {
  const started = performance.now();
  const learner = makeLearner();
  const optimizer = createOptimizer(spec.training.optimizer, learner.variables);
  const idx = tf.range(0, spec.training.batchSize, 1, 'int32') as tf.Tensor1D;
  const { training } = spec;
  const settings = stepSettings(training, training.optimizer.learningRate, () => 0);
  const step = async () => {
    const t0 = performance.now();
    // The step the Trainer takes (plain JavaScript for tiny MLPs on cpu and wasm), so that is what is compared.
    const loss = tf.tidy(() => optimizerStep(learner, optimizer, idx, 0, training.batchSize, settings).loss);
    if (typeof loss !== 'number') {
      await loss.data();
      loss.dispose();
    }
    return performance.now() - t0;
  };
  try {
    const firstStepMs = await step();
    const times = [await step()];
    while (times.length < TIMED_STEPS && performance.now() - started + times.at(-1)! <= shareMs)
      times.push(await step());
    return { msPerStep: median(times), firstStepMs };
  } finally {
    idx.dispose();
    optimizer.dispose();
    learner.dispose();
  }
}
