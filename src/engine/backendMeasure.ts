// "Auto" picks a backend by measuring, not by guessing: a few training steps of the actual model
// on each backend this environment has, within a small time budget, and the fastest wins. Tiny
// models are all per-kernel overhead, where wasm or even cpu beat a GPU (and a software GPU by
// far); big ones are arithmetic, where a real GPU wins.
import * as tf from '@tensorflow/tfjs';
import { BACKENDS, type BackendName, type ExperimentSpec } from '../experiment/types';
import { createOptimizer } from './optimizers';
import { optimizerStep, stepSettings } from './step';
import { prepareLearner, type PreparedRun } from './prepareLearner';
import { estimateMemory, memoryProblem } from './memoryEstimate';
import type { BackendMeasurement } from './types';
import type { Learner } from './learner';
import { yieldToEventLoop } from './pacing';

/**
 * What the measurement may take in all, besides each backend's first two steps (a slow GPU's first,
 * which compiles its shaders, cannot be cut short).
 */
export const MEASURE_BUDGET_MS = 2000;
/** Steps timed on each backend after its first (which compiles shaders and is timed apart). */
const TIMED_STEPS = 3;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** What a measurement may be told and asked while it runs. */
export interface MeasureOptions {
  budgetMs?: number;
  /**
   * Software GPUs (SwiftShader, llvmpipe…) by backend, with what they are: never timed, as they
   * are never the fastest (see softwareGpus in backend.ts), and the time spent on their shaders is
   * seconds of waiting.
   */
  software?: Partial<Record<BackendName, string>>;
  /** Told before each backend is timed, with the ones timed so far (for "timing wasm…"). */
  onBackend?: (backend: BackendName, done: readonly BackendMeasurement[]) => void;
  /** Asked between steps: true stops the measurement (the person pressed Skip). */
  skip?: () => boolean;
}

/**
 * Time training steps of `spec`'s model on every registered backend but `avoid`, in the order
 * "auto" would otherwise try them. A CPU backend (wasm, cpu) whose first step already took several
 * times the best step so far is not timed further: it cannot win. Leaves whichever backend ran last
 * active: activate the pick next.
 */
export async function measureBackends(
  spec: ExperimentSpec,
  data: PreparedRun,
  avoid: readonly BackendName[],
  { budgetMs = MEASURE_BUDGET_MS, software = {}, onBackend, skip = () => false }: MeasureOptions = {},
): Promise<BackendMeasurement[]> {
  const candidates = BACKENDS.filter((b) => !avoid.includes(b) && b in tf.engine().registryFactory);
  const prepared = prepareLearner(spec, { prepared: data }); // the data is built once, uploaded to each backend
  const deadline = performance.now() + budgetMs;
  const out: BackendMeasurement[] = [];
  const memory = estimateMemory(spec, prepared.shape, prepared.cost.params);
  for (const [i, backend] of candidates.entries()) {
    const share = (deadline - performance.now()) / (candidates.length - i);
    const soft = software[backend];
    if (soft) {
      out.push({ backend, msPerStep: null, note: `not timed, a software GPU (${soft}) is never the fastest` });
      continue;
    }
    // A model too big for a backend is not tried there: running out of memory can break a backend for the whole tab.
    if (memoryProblem(spec, memory, backend)) {
      out.push({ backend, msPerStep: null, note: `needs more memory than ${backend} is given` });
      continue;
    }
    if (skip()) {
      out.push({ backend, msPerStep: null, note: SKIPPED });
      continue;
    }
    onBackend?.(backend, out);
    try {
      if (!(await tf.setBackend(backend))) {
        out.push({ backend, msPerStep: null, note: 'failed to initialise' });
        continue;
      }
      await tf.ready();
      // A GPU's first step compiles its shaders, so only the CPU backends are judged by theirs.
      const best = out.reduce((b, m) => Math.min(b, m.msPerStep ?? Infinity), Infinity);
      const cutoff = backend === 'wasm' || backend === 'cpu' ? SLOWER_CUTOFF * best : Infinity;
      out.push({ backend, ...(await timeSteps(spec, prepared.make, share, cutoff, skip)) });
    } catch (e) {
      out.push({ backend, msPerStep: null, note: e instanceof Error ? e.message.slice(0, 200) : String(e) });
    }
  }
  return out;
}

/** The note of a backend left untimed because the person pressed Skip. */
export const SKIPPED = 'not timed: you skipped';

/** A CPU backend whose first step takes this many times the best step so far is not timed further. */
const SLOWER_CUTOFF = 4;

/** The measured backend that trains fastest; null when none could. */
export function fastest(measured: readonly BackendMeasurement[]): BackendName | null {
  let best: BackendMeasurement | null = null;
  for (const m of measured) if (m.msPerStep !== null && (!best || m.msPerStep < best.msPerStep!)) best = m;
  return best?.backend ?? null;
}

/**
 * A first step on a slice of the batch, where the best step so far is long enough that a whole
 * step on a slower backend would be a wait of seconds (a transformer on cpu: 4.7 s against 0.23 s
 * on wasm, measured in headless Chromium on 2 cores): its time, scaled up, shows it cannot win.
 */
const PROBE_FRACTION = 8;
const PROBE_FROM_MS = 40;

/**
 * The first step (which sets up and compiles), then at least one more, and up to TIMED_STEPS while
 * `shareMs` lasts; each waits for its loss, so GPU work is counted, and lets messages in (a Skip).
 * A first step slower than `cutoffMs` (a backend that cannot win), or a skip, ends it after that
 * step. Where `cutoffMs` is past PROBE_FROM_MS·SLOWER_CUTOFF, a step on 1/PROBE_FRACTION of the
 * batch goes first, and a backend whose slice alone is slower than the cutoff allows is not timed further.
 */
async function timeSteps(
  spec: ExperimentSpec,
  makeLearner: () => Learner,
  shareMs: number,
  cutoffMs: number,
  skip: () => boolean,
): Promise<{ msPerStep: number; firstStepMs: number; note?: string }> {
  const started = performance.now();
  const learner = makeLearner();
  const optimizer = createOptimizer(spec.training.optimizer, learner.variables);
  const { training } = spec;
  const idx = tf.range(0, training.batchSize, 1, 'int32') as tf.Tensor1D;
  const settings = stepSettings(training, training.optimizer.learningRate, () => 0);
  const step = async (batch = training.batchSize) => {
    const t0 = performance.now();
    // As the Trainer does: a compiled step's plan made and accepted by the GPU before it is taken (its time counted).
    await learner.compiled?.prepare(optimizer, idx, batch, training);
    // The step the Trainer takes (plain JavaScript for tiny MLPs on cpu and wasm), so that is what is compared.
    const loss = tf.tidy(() => optimizerStep(learner, optimizer, idx, 0, batch, settings).loss);
    if (typeof loss !== 'number') {
      await loss.data();
      loss.dispose();
    }
    const ms = performance.now() - t0;
    await yieldToEventLoop();
    return ms;
  };
  try {
    const slice = Math.floor(training.batchSize / PROBE_FRACTION);
    if (cutoffMs > PROBE_FROM_MS * SLOWER_CUTOFF && cutoffMs < Infinity && slice >= 1) {
      const sliceMs = await step(slice);
      const scaled = sliceMs * (training.batchSize / slice);
      if (sliceMs > cutoffMs / PROBE_FRACTION || skip())
        return {
          msPerStep: scaled,
          firstStepMs: scaled,
          note: `estimated from a step on ${slice} of the ${training.batchSize} examples (${Math.round(sliceMs)} ms): too slow to win`,
        };
    }
    const firstStepMs = await step();
    if (firstStepMs > cutoffMs || skip()) return { msPerStep: firstStepMs, firstStepMs };
    const times = [await step()];
    while (times.length < TIMED_STEPS && performance.now() - started + times.at(-1)! <= shareMs && !skip())
      times.push(await step());
    return { msPerStep: median(times), firstStepMs };
  } finally {
    idx.dispose();
    optimizer.dispose();
    learner.dispose();
  }
}
