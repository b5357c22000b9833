// Browser benchmark: the app itself in headless Chromium (Debian's), per backend.
// Usage: npm run bench:browser [-- --seconds 20 --rounds 3 --workloads spiral,mnist --backends webgpu,wasm]
// 1. For every workload of bench/workloads.ts on webgpu, webgl and wasm, interleaved over rounds:
//    the app trains it for `seconds` (and at least 3 epochs; at most 2 minutes once 2 are done); examples/s and
//    GFLOP/s are the medians of its epochs after the first, which is reported apart.
//    wasm runs twice: as served (cross-origin isolated, so its threaded build) and with the isolation
//    headers stripped (one thread), as on a host that cannot send them.
//    The small GPT (wasm only) is also trained by a plain tfjs implementation (bench/plainGpt.ts) in
//    a page of its own, isolated or not as the app's run was, for tokens/s side by side.
// 2. The default experiment (auto backend) trains Fast for 30 s while the page records main-thread
//    long tasks (> 50 ms) and counts rendered frames.
// 3. The compiled WebGPU step against the tf-op step in a page of its own (bench/compiledInBrowser.ts).
// 4. Watching it learn (bench/watch.ts): Live mode's frames per epoch and long tasks, and the time
//    from Train to the first drawn epoch with "auto", for the default experiment and the names transformer.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { build as esbuild } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { buildAndServe, launchChromium } from '../test/e2e/browser';
import { defaultSpec, encodeSpec, type BackendName } from '../src/experiment';
import type { DatasetFiles } from '../src/data/dataset';
import type { EpochMetrics } from '../src/engine/types';
import { ISOLATION_HEADERS } from '../csp';
import { SPEED_STORAGE_KEY } from '../src/state/viewStore';
import { chooseWorkloads } from './workloads';
import { median } from './median';
import { gptBaseline } from './fitBaseline';
import { printWatchFigures, watchFigures } from './watch';
import { compiledStepInBrowser } from './compiledInBrowser';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const seconds = arg('seconds', 20);
const healthOnly = process.argv.includes('--health-only');
const healthBackend = (process.argv[process.argv.indexOf('--health-backend') + 1] ?? 'auto') as BackendName | 'auto';
const rounds = arg('rounds', 3);
const listArg = (name: string) =>
  process.argv.includes(`--${name}`)
    ? process.argv[process.argv.indexOf(`--${name}`) + 1].toLowerCase().split(',')
    : null;
const BACKENDS = (listArg('backends') ?? ['webgpu', 'webgl', 'wasm']) as BackendName[];
/** What is measured: each backend, and wasm also without cross-origin isolation (no threads). */
const VARIANTS = BACKENDS.flatMap((backend): { label: string; backend: BackendName; isolated: boolean }[] =>
  backend === 'wasm'
    ? [
        { label: 'wasm', backend, isolated: true },
        { label: 'wasm, not isolated', backend, isolated: false },
      ]
    : [{ label: backend, backend, isolated: true }],
);

/** Serve the page without its COOP/COEP headers, as a static host that cannot set them would. */
async function withoutIsolation(page: Page): Promise<void> {
  await page.route('**/*', async (route) => {
    const response = await route.fetch();
    const headers = { ...response.headers() };
    for (const name of Object.keys(ISOLATION_HEADERS)) delete headers[name.toLowerCase()]; // Playwright lower-cases them
    await route.fulfill({ response, headers });
  });
}
const chosen = listArg('workloads');
// The heavy workloads go beyond what the app's builder allows, so the page cannot run them.
const workloads = chooseWorkloads(chosen).filter((w) => !w.onlyWhenNamed);

/** The plain tfjs GPT's page script, bundled once. */
async function plainGptBundle(): Promise<string> {
  const out = await esbuild({
    entryPoints: ['bench/plainGptPage.ts'],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    logLevel: 'warning',
  });
  return out.outputFiles[0].text;
}

/**
 * Examples/s of the plain tfjs GPT on wasm in its own page (served under /plain-gpt/ by a route,
 * with tfjs' .wasm files), over epochs 2…epochs, on the workload's training windows.
 */
async function plainGptInPage(
  browser: Browser,
  origin: string,
  bundle: string,
  spec: ReturnType<typeof defaultSpec>,
  files: DatasetFiles,
  epochs: number,
  isolated: boolean,
): Promise<{ examplesPerSec: number; threads: number }> {
  const page = await browser.newPage();
  const headers: Record<string, string> = isolated ? { ...ISOLATION_HEADERS } : {};
  await page.route(`${origin}plain-gpt/**`, (route) => {
    const name = new URL(route.request().url()).pathname.slice('/plain-gpt/'.length);
    if (name === '')
      return route.fulfill({
        contentType: 'text/html',
        headers,
        body: '<!doctype html><html lang="en"><title>plain tfjs GPT</title><script type="module" src="bench.js"></script></html>',
      });
    if (name === 'bench.js') return route.fulfill({ contentType: 'text/javascript', headers, body: bundle });
    if (/^[\w-]+\.wasm$/.test(name))
      return route.fulfill({
        contentType: 'application/wasm',
        headers,
        body: readFileSync(`node_modules/@tensorflow/tfjs-backend-wasm/dist/${name}`),
      });
    return route.fulfill({ status: 404 });
  });
  await page.goto(`${origin}plain-gpt/`);
  await page.waitForFunction('typeof window.plainGptBench === "function"');
  const g = gptBaseline(spec, files);
  const args = {
    shape: g.shape,
    x: Array.from(g.data.x),
    y: Array.from(g.data.y),
    n: g.data.n,
    training: { ...g.training, epochs },
  };
  type Bench = (a: typeof args) => Promise<{ examplesPerSec: number; threads: number }>;
  const result = await page.evaluate((a) => (window as unknown as { plainGptBench: Bench }).plainGptBench(a), args);
  await page.close();
  return result;
}

type PageRun = { phase: string; backend: { active: string; threads?: number } | null; epochs: EpochMetrics[] };

const { url, server } = await buildAndServe();
const browser = await launchChromium();
type Samples = {
  examplesPerSec: number[];
  gflopPerSec: number[];
  firstMs: number[];
  active: string[];
  /** The plain tfjs GPT in the same round and page setting (GPT workloads only). */
  plainExamplesPerSec: number[];
  plainThreads: number[];
};
const variantsOf = (w: (typeof workloads)[number]) =>
  VARIANTS.filter((v) => !w.backends || w.backends.includes(v.backend));
const plainBundle = workloads.some((w) => w.baseline === 'gpt') ? await plainGptBundle() : '';
/** The data files of the workloads the plain GPT trains on, read once (the app reads its own). */
const filesOf = new Map(workloads.filter((w) => w.baseline === 'gpt').map((w) => [w.name, w.files?.() ?? {}]));
const key = (workload: string, backend: string) => `${workload} | ${backend}`;
const samples: Record<string, Samples> = Object.fromEntries(
  workloads.flatMap((w) =>
    variantsOf(w).map((v) => [
      key(w.name, v.label),
      { examplesPerSec: [], gflopPerSec: [], firstMs: [], active: [], plainExamplesPerSec: [], plainThreads: [] },
    ]),
  ),
);
try {
  for (let r = 0; r < (healthOnly ? 0 : rounds); r++) {
    for (const w of workloads)
      for (const variant of variantsOf(w)) {
        const spec = w.spec(defaultSpec());
        spec.backend = variant.backend;
        spec.training.epochs = 10000;
        const page = await browser.newPage();
        if (!variant.isolated) await withoutIsolation(page);
        await page.goto(`${url}#spec=${encodeSpec(spec)}`);
        await page.getByRole('button', { name: 'Train', exact: true }).click();
        // At least `seconds`, and at least 3 epochs (the first, with shader compilation, is left out),
        // but no more than 2 minutes on a backend once 2 epochs are done (and 8 minutes in all).
        const started = Date.now();
        let run: PageRun;
        for (;;) {
          await page.waitForTimeout(1000);
          run = await page.evaluate<PageRun>('window.playground.runs()[0]');
          const elapsed = (Date.now() - started) / 1000;
          if (
            (elapsed >= seconds && run.epochs.length >= 3) ||
            (elapsed >= 120 && run.epochs.length >= 2) ||
            elapsed >= 480
          )
            break;
        }
        await page.close();
        const later = run.epochs.slice(1);
        const x = samples[key(w.name, variant.label)];
        const threads = run.backend?.threads;
        x.active.push(`${run.backend?.active ?? '—'}${threads ? ` ${threads}t` : ''}`);
        x.firstMs.push(run.epochs[0]?.ms ?? NaN);
        x.examplesPerSec.push(median(later.map((e) => e.examplesPerSec)));
        x.gflopPerSec.push(median(later.map((e) => e.gflopPerSec)));
        if (w.baseline === 'gpt') {
          const files = filesOf.get(w.name)!;
          const plain = await plainGptInPage(browser, url, plainBundle, spec, files, 3, variant.isolated);
          x.plainExamplesPerSec.push(plain.examplesPerSec);
          x.plainThreads.push(plain.threads);
        }
      }
    console.log(`round ${r + 1}/${rounds} done`);
  }
  const compiledRows = healthOnly ? [] : await compiledStepInBrowser(browser, url, workloads);

  // Main-thread health while the default experiment trains.
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  // A string, not a function: tsx would wrap named inner functions in a helper the page lacks.
  await page.addInitScript(`
    localStorage.setItem(${JSON.stringify(SPEED_STORAGE_KEY)}, 'fast');
    window.longTasks = [];
    window.__frames = 0;
    new PerformanceObserver((list) => list.getEntries().forEach((e) => window.longTasks.push(e.duration)))
      .observe({ type: 'longtask', buffered: true });
    (function tick() { window.__frames++; requestAnimationFrame(tick); })();
  `);
  const healthSpec = defaultSpec();
  healthSpec.backend = process.argv.includes('--health-backend') ? healthBackend : 'auto';
  await page.goto(`${url}#spec=${encodeSpec(healthSpec)}`);
  await page.waitForTimeout(3000); // let the page settle and the backend start
  const loadLongTasks = await page.evaluate(() => {
    const w = window as unknown as { longTasks: number[]; __frames: number };
    const atLoad = w.longTasks;
    w.longTasks = [];
    w.__frames = 0;
    return atLoad;
  });
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.waitForTimeout(30_000);
  const health = await page.evaluate(() => {
    const w = window as unknown as { longTasks: number[]; __frames: number; playground: { runs: () => PageRun[] } };
    const run = w.playground.runs()[0];
    return { longTasks: w.longTasks, frames: w.__frames, epochs: run.epochs.length, backend: run.backend?.active };
  });
  await page.close();
  const watch = await watchFigures(browser, url, rounds);

  const rows = workloads.flatMap((w) =>
    variantsOf(w).map((v) => {
      const x = samples[key(w.name, v.label)];
      return {
        workload: w.name,
        backend: v.label,
        active: x.active.join('/'),
        firstMs: median(x.firstMs),
        examplesPerSec: median(x.examplesPerSec),
        gflopPerSec: median(x.gflopPerSec),
        tokensPerExample: w.tokensPerExample ?? null,
        plainExamplesPerSec: x.plainExamplesPerSec.length ? median(x.plainExamplesPerSec) : NaN,
        plainThreads: x.plainThreads.join('/'),
        // Ratio per round (side by side), then the median.
        vsPlain: x.plainExamplesPerSec.length
          ? median(x.examplesPerSec.map((v, i) => v / x.plainExamplesPerSec[i]))
          : NaN,
      };
    }),
  );
  const wasm = (workload: string) =>
    rows.find((r) => r.workload === workload && r.backend === 'wasm')?.examplesPerSec ?? NaN;
  if (!healthOnly)
    console.log(
      `\nHeadless Chromium (${browser.version()}), medians of ${rounds} interleaved rounds of ≥ ${seconds} s (epochs after the first)`,
    );
  if (!healthOnly)
    console.table(
      rows.map((r) => ({
        workload: r.workload,
        backend: r.backend,
        active: r.active,
        'first epoch ms': Math.round(r.firstMs),
        'examples/s': Math.round(r.examplesPerSec),
        'GFLOP/s': r.gflopPerSec.toFixed(4),
        'vs wasm': `${(r.examplesPerSec / wasm(r.workload)).toFixed(2)}×`,
      })),
    );
  if (!healthOnly) console.log('(active: the backend that ran; "2t": wasm on 2 threads)');
  const tokenRows = rows.filter((r) => r.tokensPerExample && !Number.isNaN(r.plainExamplesPerSec));
  if (!healthOnly && tokenRows.length) {
    console.table(
      tokenRows.map((r) => ({
        workload: r.workload,
        backend: r.backend,
        'tokens/s (ours)': Math.round(r.examplesPerSec * r.tokensPerExample!),
        'tokens/s (plain tfjs GPT)': Math.round(r.plainExamplesPerSec * r.tokensPerExample!),
        'plain tfjs threads': r.plainThreads,
        'ours vs plain': `${r.vsPlain.toFixed(2)}×`,
      })),
    );
    console.log(
      '(plain tfjs GPT: bench/plainGpt.ts in its own page, tfjs wasm defaults, training only; ours also evaluates)',
    );
  }
  console.log(
    `30 s of training Fast on ${health.backend} (${health.epochs} epochs): ${health.longTasks.length} main-thread long tasks > 50 ms` +
      `${health.longTasks.length ? ` (longest ${Math.max(...health.longTasks).toFixed(0)} ms)` : ''}, ${health.frames} frames (${(health.frames / 30).toFixed(1)} fps); ` +
      `while the page loaded: ${loadLongTasks.length} (${loadLongTasks.map((ms) => ms.toFixed(0)).join(', ')} ms)`,
  );
  if (compiledRows.length) {
    console.log('The compiled WebGPU step against the tf-op step, in the page (3 interleaved rounds of 20 steps):');
    console.table(compiledRows);
  }
  printWatchFigures(watch, rounds);
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/browser-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
  writeFileSync(
    file,
    JSON.stringify(
      {
        chromium: browser.version(),
        seconds,
        rounds,
        rows,
        samples,
        compiledStep: compiledRows,
        health: { ...health, loadLongTasks },
        watch,
      },
      null,
      2,
    ),
  );
  console.log(`written ${file}`);
} finally {
  await browser.close();
  await server.close();
}
