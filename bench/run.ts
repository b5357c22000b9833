// bench/: training-speed benchmarks. Prints figures and ratios; asserts nothing.
// Usage: npm run bench [-- --rounds 5 --epochs 4 --backends cpu,wasm,webgpu]
// Each round runs every backend once, interleaved, so machine drift hits all backends alike;
// the table reports medians over rounds. The first epoch of each run (shader compilation,
// warm-up) is left out of the figures. "ours vs model.fit" trains the same model, data, batch
// size and Adam with tfjs' model.fit right after ours, on the same backend; note that our
// epochs also evaluate the whole training set (model.fit evaluates only validation).
import '../test/setup/webgpu-globals';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { activateBackend } from '../src/engine/backend';
import { Trainer } from '../src/engine/trainer';
import type { EpochMetrics } from '../src/engine/types';
import { defaultSpec, type BackendName, type ExperimentSpec } from '../src/spec';
import { WORKLOADS } from './workloads';
import { fitExamplesPerSec } from './fitBaseline';
import { brainExamplesPerSec, convnetExamplesPerSec } from './otherLibraries';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const rounds = arg('rounds', 5);
const epochs = arg('epochs', 4);
const only = process.argv.indexOf('--backends');
// e.g. --backends cpu,wasm to skip the (software) webgpu backend, which is slow here.
const BACKENDS: BackendName[] = only >= 0 ? (process.argv[only + 1].split(',') as BackendName[]) : ['cpu', 'wasm', 'webgpu'];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function measure(spec: ExperimentSpec): Promise<{ examplesPerSec: number; gflopPerSec: number }> {
  const seen: EpochMetrics[] = [];
  await new Trainer({ ...spec, training: { ...spec.training, epochs } }, { onEpoch: (m) => seen.push(m) }).run();
  const timed = seen.slice(1);
  const ms = timed.reduce((s, e) => s + e.ms, 0);
  const examples = timed.reduce((s, e) => s + e.examplesPerSec * e.ms, 0) / 1000;
  const gflop = timed.reduce((s, e) => s + e.gflop, 0);
  return { examplesPerSec: (examples * 1000) / ms, gflopPerSec: gflop / (ms / 1000) };
}

const available: BackendName[] = [];
for (const b of BACKENDS) {
  const report = await activateBackend(b).catch(() => null);
  if (report?.active === b) available.push(b);
  else console.log(`(${b} is not available here: ${report?.fallbacks.join('; ') ?? 'failed'})`);
}

type Samples = { examplesPerSec: number[]; gflopPerSec: number[]; fitExamplesPerSec: number[] };
const results: Record<string, Record<string, Samples>> = {};
for (const w of WORKLOADS) {
  results[w.name] = Object.fromEntries(available.map((b) => [b, { examplesPerSec: [], gflopPerSec: [], fitExamplesPerSec: [] }]));
}
const libs: Record<string, { convnet: number[]; brainjs: number[] }> =
  Object.fromEntries(WORKLOADS.map((w) => [w.name, { convnet: [], brainjs: [] }]));
for (let r = 0; r < rounds; r++) {
  for (const w of WORKLOADS) {
    // Other JavaScript libraries (CPU) in the same round, so drift hits them alike.
    libs[w.name].convnet.push(convnetExamplesPerSec(w.spec(defaultSpec()), epochs));
    libs[w.name].brainjs.push(brainExamplesPerSec(w.spec(defaultSpec()), epochs));
    for (const b of available) {
      await activateBackend(b);
      const spec = w.spec(defaultSpec());
      const m = await measure(spec);
      results[w.name][b].examplesPerSec.push(m.examplesPerSec);
      results[w.name][b].gflopPerSec.push(m.gflopPerSec);
      results[w.name][b].fitExamplesPerSec.push(await fitExamplesPerSec(spec, epochs));
    }
  }
  process.stdout.write(`round ${r + 1}/${rounds} done\n`);
}

const rows = WORKLOADS.flatMap((w) =>
  available.map((b) => {
    const x = results[w.name][b];
    return {
      workload: w.name, backend: b,
      examplesPerSec: median(x.examplesPerSec),
      gflopPerSec: median(x.gflopPerSec),
      vsCpu: median(x.examplesPerSec) / median(results[w.name].cpu?.examplesPerSec ?? [NaN]),
      fitExamplesPerSec: median(x.fitExamplesPerSec),
      // Ratio per round (measured side by side), then the median.
      vsFit: median(x.examplesPerSec.map((v, i) => v / x.fitExamplesPerSec[i])),
    };
  }),
);
console.log(`\nNode ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} × ${cpus().length}; medians of ${rounds} interleaved rounds, epochs 2–${epochs} of each run`);
console.table(rows.map((r) => ({
  workload: r.workload, backend: r.backend,
  'examples/s': Math.round(r.examplesPerSec),
  'GFLOP/s': r.gflopPerSec.toFixed(4),
  'speed vs cpu': `${r.vsCpu.toFixed(2)}×`,
  'model.fit examples/s': Math.round(r.fitExamplesPerSec),
  'ours vs model.fit': `${r.vsFit.toFixed(2)}×`,
})));
// Other JavaScript libraries on the CPU, against our engine on the cpu and wasm backends.
const libraries = WORKLOADS.map((w) => {
  const ours = (b: string) => median(results[w.name][b]?.examplesPerSec ?? [NaN]);
  return { workload: w.name, convnet: median(libs[w.name].convnet), brainjs: median(libs[w.name].brainjs), oursCpu: ours('cpu'), oursWasm: ours('wasm') };
});
console.table(libraries.map((l) => ({
  workload: l.workload,
  'ConvNetJS examples/s': Math.round(l.convnet), 'brain.js examples/s': Math.round(l.brainjs),
  'ours (cpu) vs ConvNetJS': `${(l.oursCpu / l.convnet).toFixed(2)}×`, 'ours (wasm) vs ConvNetJS': `${(l.oursWasm / l.convnet).toFixed(2)}×`,
  'ours (cpu) vs brain.js': `${(l.oursCpu / l.brainjs).toFixed(2)}×`,
})));
console.log('(ConvNetJS: Adam, same batch size; brain.js 1.x: its default SGD with momentum, one update per example.)');

mkdirSync('bench/results', { recursive: true });
const file = `bench/results/node-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(file, JSON.stringify({ node: process.version, cpu: cpus()[0]?.model, rounds, epochs, rows, libraries, raw: results }, null, 2));
console.log(`written ${file}`);
process.exit(0);
