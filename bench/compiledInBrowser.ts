// The compiled WebGPU step in headless Chromium: dispatches per step and ms per step against the
// tf-op step, in a page of its own (bench/compiledStepPage.ts, bundled with esbuild and served
// under /compiled-step/), for the workloads of the model families it compiles (MLPs and recurrent
// stacks), their files handed to the page.
import { build as esbuild } from 'esbuild';
import type { Browser } from 'playwright-core';
import { defaultSpec, type ExperimentSpec } from '../src/experiment';
import type { DatasetFiles } from '../src/data/dataset';
import type { Workload } from './workloads';
import { compiledRow, type CompiledComparison } from './kernelCount';

type Result = CompiledComparison | { error: string };

export async function compiledStepInBrowser(
  browser: Browser,
  origin: string,
  workloads: Workload[],
): Promise<Record<string, string | number>[]> {
  const compiles = (w: Workload) => ['mlp', 'lstm'].includes(w.spec(defaultSpec()).model.kind);
  const chosen = workloads.filter((w) => compiles(w) && (!w.backends || w.backends.includes('webgpu')));
  if (!chosen.length) return [];
  const out = await esbuild({
    entryPoints: ['bench/compiledStepPage.ts'],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    logLevel: 'warning',
  });
  const page = await browser.newPage();
  await page.route(`${origin}compiled-step/**`, (route) => {
    const name = new URL(route.request().url()).pathname.slice('/compiled-step/'.length);
    if (name === '')
      return route.fulfill({
        contentType: 'text/html',
        body: '<!doctype html><html lang="en"><title>compiled step</title><script type="module" src="bench.js"></script></html>',
      });
    if (name === 'bench.js') return route.fulfill({ contentType: 'text/javascript', body: out.outputFiles[0].text });
    return route.fulfill({ status: 404 });
  });
  await page.goto(`${origin}compiled-step/`);
  await page.waitForFunction('typeof window.compiledStepBench === "function"');
  const rows: Record<string, string | number>[] = [];
  for (const w of chosen) {
    type Bench = (spec: ExperimentSpec, files: DatasetFiles) => Promise<Result>;
    const spec = w.spec(defaultSpec());
    const r = await page.evaluate(
      ([s, files]) => (window as unknown as { compiledStepBench: Bench }).compiledStepBench(s, files),
      [spec, w.files?.() ?? {}] as const,
    );
    rows.push('error' in r ? { workload: w.name, 'not measured': r.error } : compiledRow(w.name, r));
  }
  await page.close();
  return rows;
}
