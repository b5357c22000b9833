// Browser entry for bench/compiledInBrowser.ts: the compiled WebGPU step against the tf-op step in
// the page, on the browser's own WebGPU (bench/kernelCount.ts does the counting and timing).
import { activateBackend } from '../src/engine/backend';
import type { ExperimentSpec } from '../src/experiment';
import type { DatasetFiles } from '../src/data/dataset';
import { compiledAgainstTfOps } from './kernelCount';

Object.assign(window, {
  compiledStepBench: async (spec: ExperimentSpec, files: DatasetFiles) => {
    const report = await activateBackend('webgpu');
    if (report.active !== 'webgpu') return { error: report.fallbacks.join('; ') };
    return (await compiledAgainstTfOps(spec, files, 20, 3)) ?? { error: 'the compiled step does not apply' };
  },
});
