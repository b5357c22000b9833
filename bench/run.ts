// bench/: training-speed benchmarks. Prints figures and ratios; asserts nothing.
// Usage: npm run bench [-- --rounds 5 --epochs 4 --backends cpu,wasm,webgpu --workloads mnist,lstm
//                         --quality-seconds 300 (0 skips the quality run)
//                         --matmul-size 1024 --gpu-matmul-size 1024 --gpu-peak-gflops N --skip-libraries
//                         --auto (first, time "Auto"'s measurement of each workload as the app makes it)]
// --workloads 4096 adds the matmul-bound MLP (webgpu only; meant for a real GPU, see bench/device).
// Each round runs every workload on every backend once, interleaved, so machine drift hits all
// alike; the table reports medians over rounds. The first epoch of each run (shader compilation,
// warm-up) is reported apart and left out of the other figures. "ours vs model.fit" trains the same
// model, data, batch size and Adam with tfjs' layers and model.fit right after ours, on the same
// backend (the LSTM and GRU against tf.layers.lstm and gru); note that our epochs also evaluate the model. Last,
// the kernels (GPU dispatches) one training step runs, ours against model.fit's trainOnBatch.
import '../test/setup/webgpu-globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { activateBackend } from '../src/engine/backend';
import { Trainer } from '../src/engine/trainer';
import { BOUNDARY_RESOLUTION } from '../src/engine/epochPlan';
import type { EpochMetrics } from '../src/engine/types';
import { defaultSpec, type BackendName, type ExperimentSpec } from '../src/experiment';
import type { DatasetFiles } from '../src/data/dataset';
import { fastest, measureBackends } from '../src/engine/backendMeasure';
import { prepareData } from '../src/engine/prepareLearner';
import { BACKENDS as ALL_BACKENDS } from '../src/experiment/types';
import { compiledMatMul, compiledMatMulAvailable } from '../src/engine/kernels/wasmMatMulKernel';
import { chooseWorkloads, type Workload } from './workloads';
import { matmulGflops, webgpuAdapterName } from './matmulLimit';
import { lstmAdditionQuality, namesTransformerQuality, type AdditionQuality, type QualityResult } from './quality';
import { fitExamplesPerSec, fitKernelsPerStep } from './fitBaseline';
import { compiledAgainstTfOps, compiledRow, kernelsPerStep } from './kernelCount';
import { brainExamplesPerSec, convnetExamplesPerSec, type LibrarySpeed } from './otherLibraries';
import { jaxExamplesPerSec } from './jaxjs';
import { median } from './median';
import { samplingTokensPerSec } from './sampling';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const rounds = arg('rounds', 5);
const epochs = arg('epochs', 4);
const qualitySeconds = arg('quality-seconds', 300);
const skipLibraries = process.argv.includes('--skip-libraries');
const pick = process.argv.indexOf('--workloads');
const workloads = chooseWorkloads(pick >= 0 ? process.argv[pick + 1].toLowerCase().split(',') : null);
// Sizes of the matmul whose speed is each backend's limit (cpu's plain JavaScript gets half).
const matmulSize = arg('matmul-size', 1024);
const gpuMatmulSize = arg('gpu-matmul-size', 1024);
/** The GPU's fp32 peak, for the fraction of it reached (bench/device/run.sh derives it from the card). */
const gpuPeakGflops = arg('gpu-peak-gflops', NaN);
const only = process.argv.indexOf('--backends');
// e.g. --backends cpu,wasm to skip the (software) webgpu backend, which is slow here.
const BACKENDS: BackendName[] =
  only >= 0 ? (process.argv[only + 1].split(',') as BackendName[]) : ['cpu', 'wasm', 'webgpu'];

async function measure(
  spec: ExperimentSpec,
  files: DatasetFiles,
  epochs: number,
): Promise<{
  examplesPerSec: number;
  trainingOnlyPerSec: number;
  gflopPerSec: number;
  firstMs: number;
  laterMs: number;
}> {
  const seen: EpochMetrics[] = [];
  // Each epoch's batches alone, from its start to its last batch (before evaluation): on cpu and
  // wasm a step has finished when it returns, so this is the training time the other libraries
  // are compared on; on GPU backends work still queued is not in it.
  const trainMs: number[] = [];
  let epochStart = 0;
  await new Trainer(
    { ...spec, training: { ...spec.training, epochs } },
    {
      onEpoch: (m) => seen.push(m),
      onEpochStart: () => {
        epochStart = performance.now();
      },
      onProgress: (_, batch, batches) => {
        if (batch === batches) trainMs.push(performance.now() - epochStart);
      },
    },
    // As the app trains: the decision boundary's grid is evaluated every epoch on the plane.
    { files, boundaryResolution: BOUNDARY_RESOLUTION },
  ).run();
  const timed = seen.slice(1);
  const ms = timed.reduce((s, e) => s + e.ms, 0);
  const examples = timed.reduce((s, e) => s + e.examplesPerSec * e.ms, 0) / 1000;
  const gflop = timed.reduce((s, e) => s + e.gflop, 0);
  return {
    examplesPerSec: (examples * 1000) / ms,
    trainingOnlyPerSec: (examples * 1000) / trainMs.slice(1).reduce((s, t) => s + t, 0),
    gflopPerSec: gflop / (ms / 1000),
    firstMs: seen[0].ms,
    laterMs: median(timed.map((e) => e.ms)),
  };
}

const available: BackendName[] = [];
for (const b of BACKENDS) {
  const report = await activateBackend(b).catch(() => null);
  if (report?.active === b) available.push(b);
  else console.log(`(${b} is not available here: ${report?.fallbacks.join('; ') ?? 'failed'})`);
}

/**
 * Tiny workloads train for at least their minEpochs on the CPU's backends and libraries (a few ms
 * an epoch there), so every one is timed warm; a GPU's epochs are dispatch-bound and slow, so not there.
 */
const epochsOf = (w: (typeof workloads)[number], backend: BackendName | 'library') =>
  backend === 'webgpu' || backend === 'webgl' ? epochs : Math.max(epochs, w.minEpochs ?? 0);
const backendsOf = (w: (typeof workloads)[number]) => available.filter((b) => !w.backends || w.backends.includes(b));

const filesOf = new Map(workloads.map((w) => [w.name, w.files?.() ?? {}]));

// "Auto"'s measurement as the app's worker makes it, before anything else has run in this process
// (so a GPU's shaders compile as on a first visit): its time in all against its budget, what each
// backend measured, and the pick.
const autoRows: Record<string, string | number>[] = [];
if (process.argv.includes('--auto')) {
  for (const w of workloads) {
    const avoid = ALL_BACKENDS.filter((b) => !backendsOf(w).includes(b));
    const started = performance.now();
    const spec = w.spec(defaultSpec());
    const measured = await measureBackends(spec, prepareData(spec, filesOf.get(w.name)), avoid);
    const totalMs = Math.round(performance.now() - started);
    for (const m of measured)
      autoRows.push({
        workload: w.name,
        backend: m.backend,
        'first step ms': m.firstStepMs === undefined ? '—' : +m.firstStepMs.toFixed(1),
        'ms per step': m.msPerStep === null ? (m.note ?? '—') : +m.msPerStep.toFixed(2),
        'measurement ms in all': totalMs,
        picked: fastest(measured) === m.backend ? 'yes' : '',
      });
  }
  console.table(autoRows);
}

// Each backend's matmul limit, measured at the start of every round (this machine's speed drifts),
// so that each workload's fraction of it divides figures from the same round.
// On wasm the faster of tfjs' matmul (XNNPACK) and our compiled one (which training uses there).
const limits: Record<
  string,
  { size: number; gflopPerSec: number; samples: number[]; stock: number[]; ours: number[] }
> = Object.fromEntries(
  available.map((b) => [
    b,
    {
      size: b === 'webgpu' ? gpuMatmulSize : b === 'cpu' ? matmulSize / 2 : matmulSize,
      gflopPerSec: NaN,
      samples: [],
      stock: [],
      ours: [],
    },
  ]),
);
async function measureLimits(): Promise<void> {
  for (const b of available) {
    await activateBackend(b);
    // 3 samples a round, not 5: on software WebGPU one 1024³ product takes ~10 s.
    const stock = await matmulGflops(limits[b].size, 3);
    const ours = compiledMatMulAvailable()
      ? await matmulGflops(limits[b].size, 3, (x, y) => compiledMatMul(x, y, {}))
      : NaN;
    limits[b].stock.push(stock);
    limits[b].ours.push(ours);
    limits[b].samples.push(Number.isNaN(ours) ? stock : Math.max(stock, ours));
  }
}
const adapter = available.includes('webgpu') ? await webgpuAdapterName() : null;
if (adapter) console.log(`WebGPU adapter: ${adapter}`);

type Samples = {
  examplesPerSec: number[];
  trainingOnlyPerSec: number[];
  gflopPerSec: number[];
  fitExamplesPerSec: number[];
  firstMs: number[];
  laterMs: number[];
};
const results: Record<string, Record<string, Samples>> = {};
for (const w of workloads) {
  results[w.name] = Object.fromEntries(
    backendsOf(w).map((b) => [
      b,
      { examplesPerSec: [], trainingOnlyPerSec: [], gflopPerSec: [], fitExamplesPerSec: [], firstMs: [], laterMs: [] },
    ]),
  );
}
/** Why stock tfjs did not train a workload on a backend (e.g. tfjs-wasm lacks Conv2DBackpropFilter), told once. */
const stockFailures = new Map<string, string>();
async function stockOrNaN(w: Workload, backend: string, run: () => Promise<number>): Promise<number> {
  const skipped = w.baselineSkipped?.[backend];
  if (skipped) {
    stockFailures.set(`${w.name} on ${backend}`, skipped);
    return NaN;
  }
  try {
    return await run();
  } catch (e) {
    stockFailures.set(
      `${w.name} on ${backend}`,
      `failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
    );
    return NaN;
  }
}
/** Transformer language models: sampling speed with and without the key–value cache, per round. */
const sampling: Record<string, Record<string, { cached: number[]; uncached: number[] }>> = {};
const samples = (w: Workload) => w.tokensPerExample && w.spec(defaultSpec()).model.kind === 'transformer';
const libs: Record<string, { convnet: LibrarySpeed[]; brainjs: LibrarySpeed[]; jaxjs: LibrarySpeed[] }> =
  Object.fromEntries(workloads.map((w) => [w.name, { convnet: [], brainjs: [], jaxjs: [] }]));
for (let r = 0; r < rounds; r++) {
  await measureLimits();
  for (const w of workloads) {
    const files = filesOf.get(w.name)!;
    // Other JavaScript libraries (CPU) in the same round, so drift hits them alike.
    if (w.otherLibraries && !skipLibraries) {
      libs[w.name].convnet.push(convnetExamplesPerSec(w.spec(defaultSpec()), epochsOf(w, 'library'), files));
      if (w.spec(defaultSpec()).model.kind === 'mlp')
        libs[w.name].brainjs.push(brainExamplesPerSec(w.spec(defaultSpec()), epochsOf(w, 'library'), files));
      if (w.jaxjs)
        libs[w.name].jaxjs.push(await jaxExamplesPerSec(w.spec(defaultSpec()), epochsOf(w, 'library'), files));
    }
    for (const b of backendsOf(w)) {
      await activateBackend(b);
      const spec = w.spec(defaultSpec());
      const m = await measure(spec, files, epochsOf(w, b));
      const x = results[w.name][b];
      x.examplesPerSec.push(m.examplesPerSec);
      x.trainingOnlyPerSec.push(m.trainingOnlyPerSec);
      x.gflopPerSec.push(m.gflopPerSec);
      x.firstMs.push(m.firstMs);
      x.laterMs.push(m.laterMs);
      if (w.baseline !== 'none')
        x.fitExamplesPerSec.push(await stockOrNaN(w, b, () => fitExamplesPerSec(spec, epochsOf(w, b), files)));
      if (samples(w)) {
        // A context's worth of tokens less the start token: all of them within reach of the cache.
        const s = await samplingTokensPerSec(spec, files, w.tokensPerExample! - 1);
        const kept = ((sampling[w.name] ??= {})[b] ??= { cached: [], uncached: [] });
        kept.cached.push(s.cached);
        kept.uncached.push(s.uncached);
      }
    }
    process.stdout.write(`  ${w.name} done\n`);
  }
  process.stdout.write(`round ${r + 1}/${rounds} done\n`);
}

for (const b of available) limits[b].gflopPerSec = median(limits[b].samples);
console.table(
  available.map((b) => ({
    backend: b,
    'matmul limit GFLOP/s': limits[b].gflopPerSec.toFixed(1),
    size: `${limits[b].size}³`,
    'tf.matMul GFLOP/s': median(limits[b].stock).toFixed(1),
    'compiled (wasm) GFLOP/s': limits[b].ours.some(Number.isFinite) ? median(limits[b].ours).toFixed(1) : '—',
    ...(b === 'webgpu' && Number.isFinite(gpuPeakGflops)
      ? { 'of fp32 peak': `${((100 * limits[b].gflopPerSec) / gpuPeakGflops).toFixed(1)}%` }
      : {}),
  })),
);

// Kernels per training step (on webgpu its dispatches), ours against model.fit's trainOnBatch.
const kernelRows: { workload: string; backend: string; ours: number; stock: number | null }[] = [];
for (const w of workloads) {
  for (const b of backendsOf(w)) {
    await activateBackend(b);
    const spec = w.spec(defaultSpec());
    const files = filesOf.get(w.name)!;
    kernelRows.push({
      workload: w.name,
      backend: b,
      ours: await kernelsPerStep(spec, files),
      stock: w.baseline === 'none' ? null : await stockOrNaN(w, b, () => fitKernelsPerStep(spec, files)),
    });
  }
}

// On webgpu: the compiled step (engine/compiled) against the tf-op step, where it applies.
const compiledRows: Record<string, string | number>[] = [];
if (available.includes('webgpu')) {
  await activateBackend('webgpu');
  for (const w of workloads.filter((w) => backendsOf(w).includes('webgpu'))) {
    const c = await compiledAgainstTfOps(w.spec(defaultSpec()), filesOf.get(w.name));
    if (c) compiledRows.push(compiledRow(w.name, c));
  }
}

const rows = workloads.flatMap((w) =>
  backendsOf(w).map((b) => {
    const x = results[w.name][b];
    return {
      workload: w.name,
      backend: b,
      examplesPerSec: median(x.examplesPerSec),
      trainingOnlyPerSec: median(x.trainingOnlyPerSec),
      gflopPerSec: median(x.gflopPerSec),
      // Each round's GFLOP/s over that round's limit, then the median.
      ofMatmulLimit: median(x.gflopPerSec.map((g, i) => g / limits[b].samples[i])),
      ofGpuPeak: b === 'webgpu' ? median(x.gflopPerSec) / gpuPeakGflops : NaN,
      vsCpu: median(x.examplesPerSec) / median(results[w.name].cpu?.examplesPerSec ?? [NaN]),
      firstMs: median(x.firstMs),
      laterMs: median(x.laterMs),
      fitExamplesPerSec: x.fitExamplesPerSec.length ? median(x.fitExamplesPerSec) : NaN,
      // Ratio per round (measured side by side), then the median.
      vsFit: x.fitExamplesPerSec.length ? median(x.examplesPerSec.map((v, i) => v / x.fitExamplesPerSec[i])) : NaN,
      baseline: w.baseline,
      tokensPerExample: w.tokensPerExample ?? null,
    };
  }),
);
const BASELINE_NAMES = {
  mlp: '(model.fit)',
  lstm: '(tf.layers.lstm)',
  gru: '(tf.layers.gru)',
  gpt: '(plain tfjs GPT)',
  cnn: '(tf.layers.conv2d)',
  none: '',
};
const times = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '—');
const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '—');
console.log(
  `\nNode ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}; medians of ${rounds} interleaved rounds, epochs 2–${epochs} of each run (2–${Math.max(epochs, ...workloads.map((w) => w.minEpochs ?? 0))} for the tiny ones on cpu and wasm, and for ConvNetJS and brain.js there)`,
);
console.table(
  rows.map((r) => ({
    workload: r.workload,
    backend: r.backend,
    'examples/s': Math.round(r.examplesPerSec),
    // The batches alone; only meaningful where a step ends when it returns (not on GPUs).
    'training only': r.backend === 'cpu' || r.backend === 'wasm' ? Math.round(r.trainingOnlyPerSec) : '—',
    'GFLOP/s': r.gflopPerSec.toFixed(4),
    'of matmul limit': `${(100 * r.ofMatmulLimit).toFixed(1)}%`,
    ...(Number.isFinite(gpuPeakGflops) ? { 'of fp32 peak': pct(r.ofGpuPeak) } : {}),
    'speed vs cpu': times(r.vsCpu),
    'first epoch ms': Math.round(r.firstMs),
    'later epochs ms': Math.round(r.laterMs),
    'stock tfjs examples/s': Number.isNaN(r.fitExamplesPerSec) ? '—' : Math.round(r.fitExamplesPerSec),
    'ours vs stock': Number.isNaN(r.vsFit) ? '—' : `${r.vsFit.toFixed(2)}× ${BASELINE_NAMES[r.baseline]}`,
  })),
);
// Language models in tokens/s (every position of a window is a prediction trained on).
const tokenRows = rows.filter((r) => r.tokensPerExample);
if (tokenRows.length) {
  console.table(
    tokenRows.map((r) => ({
      workload: r.workload,
      backend: r.backend,
      'tokens/s (ours)': Math.round(r.examplesPerSec * r.tokensPerExample!),
      'tokens/s (stock)': Number.isNaN(r.fitExamplesPerSec)
        ? '—'
        : Math.round(r.fitExamplesPerSec * r.tokensPerExample!),
      'ours vs stock': `${times(r.vsFit)} ${BASELINE_NAMES[r.baseline]}`,
    })),
  );
}
// Beside another in-browser GPT trainer's published speeds (its machine, not this one: see the workload).
const publishedRows = rows.filter((r) => workloads.find((w) => w.name === r.workload)?.published);
if (publishedRows.length) {
  console.table(
    publishedRows.map((r) => {
      const w = workloads.find((x) => x.name === r.workload)!;
      const ours = r.trainingOnlyPerSec * r.tokensPerExample!;
      return {
        workload: r.workload,
        backend: r.backend,
        parameters: prepareData(w.spec(defaultSpec()), filesOf.get(w.name)).cost.params,
        'training tokens/s (ours, here)': Math.round(ours),
        'published tokens/s': w.published!.tokensPerSec,
        'ours / published': times(ours / w.published!.tokensPerSec),
      };
    }),
  );
  console.log(
    `(Published: ${workloads.find((w) => w.published)!.published!.by}; ours: ${cpus()[0]?.model}, ${cpus().length} cores.)`,
  );
}
const samplingRows = Object.entries(sampling).flatMap(([workload, byBackend]) =>
  Object.entries(byBackend).map(([backend, s]) => ({
    workload,
    backend,
    'sampling tokens/s, key–value cache': Math.round(median(s.cached)),
    'sampling tokens/s, whole context each step': Math.round(median(s.uncached)),
    'cache speed-up': times(median(s.cached.map((c, i) => c / s.uncached[i]))),
  })),
);
if (samplingRows.length) {
  console.table(samplingRows);
  console.log('(Sampling a context’s worth of tokens, one at a time, reading each distribution back as the app does.)');
}
console.table(
  kernelRows.map((k) => ({
    workload: k.workload,
    backend: k.backend,
    'kernels per step (ours)': k.ours,
    'kernels per step (stock tfjs)': k.stock === null || Number.isNaN(k.stock) ? '—' : k.stock,
  })),
);
for (const [where, why] of stockFailures) console.log(`Stock tfjs on ${where}: ${why}`);
if (compiledRows.length) {
  console.log(`The compiled WebGPU step against the tf-op step (${adapter ?? 'webgpu'}):`);
  console.table(compiledRows);
  console.log(
    '(Side by side in one process, interleaved over 5 rounds of 30 steps; ratio: median of the rounds’ ratios.)',
  );
}
console.log(
  '(On webgpu the compute dispatches a step records, not counting kernels that dispatch nothing such as Reshape; stock tfjs: model.trainOnBatch, which also computes the accuracy metric.)',
);
// Other JavaScript libraries on the CPU, against our engine on the cpu and wasm backends, timed
// training alone (as they train) and doing the forward passes our epochs also make (evaluation and
// the decision boundary).
// Ratios per round (measured side by side), then the median; ours timed the same way as them:
// its batches alone against their training alone, its whole epoch against their training plus
// the same forward passes.
const libraries = workloads
  .filter((w) => w.otherLibraries && !skipLibraries)
  .flatMap((w) => {
    const speeds = {
      ConvNetJS: libs[w.name].convnet,
      'brain.js': libs[w.name].brainjs,
      'jax-js (wasm, jit)': libs[w.name].jaxjs,
    };
    return Object.entries(speeds)
      .filter(([, samples]) => samples.length)
      .flatMap(([library, samples]) =>
        (['trainingOnly', 'withEvaluation'] as const).map((timing) => {
          const ours = (b: string) => {
            const x = results[w.name][b];
            const mine = timing === 'trainingOnly' ? x?.trainingOnlyPerSec : x?.examplesPerSec;
            return mine ? median(mine.map((v, i) => v / samples[i][timing])) : NaN;
          };
          return {
            workload: w.name,
            library,
            timing,
            examplesPerSec: median(samples.map((x) => x[timing])),
            oursCpu: ours('cpu'),
            oursWasm: ours('wasm'),
          };
        }),
      );
  });
if (libraries.length) {
  console.table(
    libraries.map((l) => ({
      workload: l.workload,
      library: l.library,
      timed: l.timing === 'trainingOnly' ? 'training only' : 'with our evaluation',
      'their examples/s': Math.round(l.examplesPerSec),
      'ours (cpu) vs them': times(l.oursCpu),
      'ours (wasm) vs them': times(l.oursWasm),
    })),
  );
  console.log(
    "(ConvNetJS: Adam, same batch size; brain.js 1.x: its default SGD with momentum, one update per example; jax-js: Adam, same batch size, one jit'ed step on its wasm device. Training only: our epochs' batches, up to their evaluation; with our evaluation: our whole epochs.)",
  );
}

// Quality under a fixed budget, on the fastest backend measured for the transformer (or wasm).
let quality: (QualityResult & { backend: string }) | null = null;
if (qualitySeconds > 0) {
  const t = rows
    .filter((r) => r.workload.startsWith('transformer'))
    .sort((a, b) => b.examplesPerSec - a.examplesPerSec)[0];
  const backend = t?.backend ?? (available.includes('wasm') ? 'wasm' : available[0]);
  await activateBackend(backend);
  process.stdout.write(`\nquality: transformer on names for ${qualitySeconds} s on ${backend}…\n`);
  quality = { backend, ...(await namesTransformerQuality(qualitySeconds)) };
  console.table([
    {
      backend,
      params: quality.params,
      seconds: Math.round(quality.seconds),
      epochs: quality.epochs,
      'examples trained': quality.examples,
      'val loss after epoch 1': quality.firstValLoss.toFixed(3),
      'best val loss (nats/char)': quality.bestValLoss.toFixed(3),
      'final val loss': quality.finalValLoss.toFixed(3),
    },
  ]);
}

// Quality of a recurrent model: the LSTM that learns 2-digit addition (on wasm, as the app would choose here).
let addition: (AdditionQuality & { backend: string }) | null = null;
if (qualitySeconds > 0) {
  const backend = available.includes('wasm') ? 'wasm' : available[0];
  await activateBackend(backend);
  process.stdout.write(`\nquality: an LSTM learns 2-digit addition (20 epochs) on ${backend}…\n`);
  addition = { backend, ...(await lstmAdditionQuality()) };
  console.table([
    {
      backend,
      seconds: Math.round(addition.seconds),
      epochs: addition.epochs,
      'val exact match': addition.valExactMatch.toFixed(3),
      'target ≥ 0.9': addition.valExactMatch >= 0.9 ? 'met' : 'MISSED',
      'val token accuracy': addition.valAccuracy.toFixed(3),
      'shown answers not the real sum': addition.wrongTargets,
    },
  ]);
}

mkdirSync('bench/results', { recursive: true });
const file = `bench/results/node-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(
  file,
  JSON.stringify(
    {
      node: process.version,
      cpu: cpus()[0]?.model,
      rounds,
      epochs,
      adapter,
      gpuPeakGflops: Number.isFinite(gpuPeakGflops) ? gpuPeakGflops : null,
      limits,
      rows,
      kernels: kernelRows,
      compiledStep: compiledRows,
      sampling,
      auto: autoRows,
      libraries,
      quality,
      addition,
      raw: results,
    },
    null,
    2,
  ),
);
console.log(`written ${file}`);
process.exit(0);
