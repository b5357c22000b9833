// Sampling speed of a language model: tokens drawn a second, one at a time as the app samples after each epoch,
// with the transformer's key–value cache and without it (every step over the whole context).
import { Rng } from '../src/data/rng';
import type { DatasetFiles } from '../src/data/dataset';
import { prepareLearner } from '../src/engine/prepareLearner';
import { DRAW_DEFAULTS } from '../src/engine/sampling';
import type { ExperimentSpec } from '../src/experiment';

/** Tokens a second drawing `length` tokens from the untrained model (the speed does not depend on its weights). */
export async function samplingTokensPerSec(
  spec: ExperimentSpec,
  files: DatasetFiles,
  length: number,
): Promise<{ cached: number; uncached: number }> {
  const learner = prepareLearner(spec, { files }).make();
  try {
    const timed = async (keyValueCache: boolean) => {
      await learner.sample!(4, DRAW_DEFAULTS, new Rng(1), '', { keyValueCache }); // warm: kernels, tables
      const start = performance.now();
      await learner.sample!(length, DRAW_DEFAULTS, new Rng(1), '', { keyValueCache });
      return (length * 1000) / (performance.now() - start);
    };
    return { cached: await timed(true), uncached: await timed(false) };
  } finally {
    learner.dispose();
  }
}
