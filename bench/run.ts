// bench/: training-speed benchmarks. Prints figures and ratios; asserts nothing.
// Usage: npm run bench [-- --rounds 5 --epochs 4 --backends cpu,wasm,webgpu --workloads mnist,lstm
//                         --quality-seconds 300 (0 skips the quality run)]
// Each round runs every workload on every backend once, interleaved, so machine drift hits all
// alike; the table reports medians over rounds. The first epoch of each run (shader compilation,
// warm-up) is reported apart and left out of the other figures. "ours vs model.fit" trains the same
// model, data, batch size and Adam with tfjs' layers and model.fit right after ours, on the same
// backend (the LSTM against tf.layers.lstm); note that our epochs also evaluate the model. Last,
// the kernels (GPU dispatches) one training step runs, ours against model.fit's trainOnBatch.
import '../test/setup/webgpu-globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { activateBackend } from '../src/engine/backend';
import { Trainer } from '../src/engine/trainer';
import type { EpochMetrics } from '../src/engine/types';
import { defaultSpec, type BackendName, type ExperimentSpec } from '../src/spec';
import type { DatasetFiles } from '../src/data/dataset';
import { WORKLOADS } from './workloads';
import { namesTransformerQuality, type QualityResult } from './quality';
import { fitExamplesPerSec, fitKernelsPerStep } from './fitBaseline';
import { kernelsPerStep } from './kernelCount';
import { brainExamplesPerSec, convnetExamplesPerSec } from './otherLibraries';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const rounds = arg('rounds', 5);
const epochs = arg('epochs', 4);
const qualitySeconds = arg('quality-seconds', 300);
const pick = process.argv.indexOf('--workloads');
const chosen = pick >= 0 ? process.argv[pick + 1].toLowerCase().split(',') : null;
const workloads = WORKLOADS.filter((w) => !chosen || chosen.some((c) => w.name.toLowerCase().includes(c)));
const only = process.argv.indexOf('--backends');
// e.g. --backends cpu,wasm to skip the (software) webgpu backend, which is slow here.
const BACKENDS: BackendName[] =
  only >= 0 ? (process.argv[only + 1].split(',') as BackendName[]) : ['cpu', 'wasm', 'webgpu'];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function measure(
  spec: ExperimentSpec,
  files: DatasetFiles,
): Promise<{ examplesPerSec: number; gflopPerSec: number; firstMs: number; laterMs: number }> {
  const seen: EpochMetrics[] = [];
  await new Trainer(
    { ...spec, training: { ...spec.training, epochs } },
    { onEpoch: (m) => seen.push(m) },
    { files },
  ).run();
  const timed = seen.slice(1);
  const ms = timed.reduce((s, e) => s + e.ms, 0);
  const examples = timed.reduce((s, e) => s + e.examplesPerSec * e.ms, 0) / 1000;
  const gflop = timed.reduce((s, e) => s + e.gflop, 0);
  return {
    examplesPerSec: (examples * 1000) / ms,
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

type Samples = {
  examplesPerSec: number[];
  gflopPerSec: number[];
  fitExamplesPerSec: number[];
  firstMs: number[];
  laterMs: number[];
};
const results: Record<string, Record<string, Samples>> = {};
for (const w of workloads) {
  results[w.name] = Object.fromEntries(
    available.map((b) => [b, { examplesPerSec: [], gflopPerSec: [], fitExamplesPerSec: [], firstMs: [], laterMs: [] }]),
  );
}
const libs: Record<string, { convnet: number[]; brainjs: number[] }> = Object.fromEntries(
  workloads.map((w) => [w.name, { convnet: [], brainjs: [] }]),
);
const filesOf = new Map(workloads.map((w) => [w.name, w.files?.() ?? {}]));
for (let r = 0; r < rounds; r++) {
  for (const w of workloads) {
    const files = filesOf.get(w.name)!;
    // Other JavaScript libraries (CPU) in the same round, so drift hits them alike.
    if (w.otherLibraries) {
      libs[w.name].convnet.push(convnetExamplesPerSec(w.spec(defaultSpec()), epochs, files));
      libs[w.name].brainjs.push(brainExamplesPerSec(w.spec(defaultSpec()), epochs, files));
    }
    for (const b of available) {
      await activateBackend(b);
      const spec = w.spec(defaultSpec());
      const m = await measure(spec, files);
      const x = results[w.name][b];
      x.examplesPerSec.push(m.examplesPerSec);
      x.gflopPerSec.push(m.gflopPerSec);
      x.firstMs.push(m.firstMs);
      x.laterMs.push(m.laterMs);
      if (w.baseline !== 'none') x.fitExamplesPerSec.push(await fitExamplesPerSec(spec, epochs, files));
    }
    process.stdout.write(`  ${w.name} done\n`);
  }
  process.stdout.write(`round ${r + 1}/${rounds} done\n`);
}

// Kernels per training step (dispatches on GPU backends), ours against model.fit's trainOnBatch.
const kernelRows: { workload: string; backend: string; ours: number; stock: number | null }[] = [];
for (const w of workloads) {
  for (const b of available) {
    await activateBackend(b);
    const spec = w.spec(defaultSpec());
    const files = filesOf.get(w.name)!;
    kernelRows.push({
      workload: w.name,
      backend: b,
      ours: await kernelsPerStep(spec, files),
      stock: w.baseline === 'none' ? null : await fitKernelsPerStep(spec, files),
    });
  }
}

const rows = workloads.flatMap((w) =>
  available.map((b) => {
    const x = results[w.name][b];
    return {
      workload: w.name,
      backend: b,
      examplesPerSec: median(x.examplesPerSec),
      gflopPerSec: median(x.gflopPerSec),
      vsCpu: median(x.examplesPerSec) / median(results[w.name].cpu?.examplesPerSec ?? [NaN]),
      firstMs: median(x.firstMs),
      laterMs: median(x.laterMs),
      fitExamplesPerSec: x.fitExamplesPerSec.length ? median(x.fitExamplesPerSec) : NaN,
      // Ratio per round (measured side by side), then the median.
      vsFit: x.fitExamplesPerSec.length ? median(x.examplesPerSec.map((v, i) => v / x.fitExamplesPerSec[i])) : NaN,
      baseline: w.baseline,
    };
  }),
);
console.log(
  `\nNode ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}; medians of ${rounds} interleaved rounds, epochs 2–${epochs} of each run`,
);
console.table(
  rows.map((r) => ({
    workload: r.workload,
    backend: r.backend,
    'examples/s': Math.round(r.examplesPerSec),
    'GFLOP/s': r.gflopPerSec.toFixed(4),
    'speed vs cpu': Number.isFinite(r.vsCpu) ? `${r.vsCpu.toFixed(2)}×` : '—',
    'first epoch ms': Math.round(r.firstMs),
    'later epochs ms': Math.round(r.laterMs),
    'stock tfjs examples/s': Number.isNaN(r.fitExamplesPerSec) ? '—' : Math.round(r.fitExamplesPerSec),
    'ours vs stock': Number.isNaN(r.vsFit)
      ? '—'
      : `${r.vsFit.toFixed(2)}× ${r.baseline === 'lstm' ? '(tf.layers.lstm)' : '(model.fit)'}`,
  })),
);
console.table(
  kernelRows.map((k) => ({
    workload: k.workload,
    backend: k.backend,
    'kernels per step (ours)': k.ours,
    'kernels per step (stock tfjs)': k.stock ?? '—',
  })),
);
console.log(
  '(A kernel is one GPU dispatch on webgpu; stock tfjs: model.trainOnBatch, which also computes the accuracy metric.)',
);
// Other JavaScript libraries on the CPU, against our engine on the cpu and wasm backends.
const libraries = workloads
  .filter((w) => w.otherLibraries)
  .map((w) => {
    const ours = (b: string) => median(results[w.name][b]?.examplesPerSec ?? [NaN]);
    return {
      workload: w.name,
      convnet: median(libs[w.name].convnet),
      brainjs: median(libs[w.name].brainjs),
      oursCpu: ours('cpu'),
      oursWasm: ours('wasm'),
    };
  });
if (libraries.length) {
  console.table(
    libraries.map((l) => ({
      workload: l.workload,
      'ConvNetJS examples/s': Math.round(l.convnet),
      'brain.js examples/s': Math.round(l.brainjs),
      'ours (cpu) vs ConvNetJS': `${(l.oursCpu / l.convnet).toFixed(2)}×`,
      'ours (wasm) vs ConvNetJS': `${(l.oursWasm / l.convnet).toFixed(2)}×`,
      'ours (cpu) vs brain.js': `${(l.oursCpu / l.brainjs).toFixed(2)}×`,
      'ours (wasm) vs brain.js': `${(l.oursWasm / l.brainjs).toFixed(2)}×`,
    })),
  );
  console.log(
    '(ConvNetJS: Adam, same batch size; brain.js 1.x: its default SGD with momentum, one update per example.)',
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
      rows,
      kernels: kernelRows,
      libraries,
      quality,
      raw: results,
    },
    null,
    2,
  ),
);
console.log(`written ${file}`);
process.exit(0);
