import { beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import {
  TRANSFORMER_OPTION_DEFAULTS,
  datasetDefaults,
  defaultSpec,
  mlpOf,
  encodeSpec,
  OPTIMIZER_KINDS,
  type BackendName,
  type ExperimentSpec,
} from '../../src/experiment';
import { convLayer, poolLayer } from '../../src/experiment/cnn';
import { MATMUL_TUNINGS_KEY } from '../../src/state/matmulTunings';
import { problemShape } from '../../src/data/shapes';
import { formatMemory } from '../../src/engine/memoryEstimate';
import { scaleOut, STRATEGIES } from '../../src/engine/scaleOut';
import { formatCount } from '../../src/ui/fields';
import { accessibilityProblems, activeBackend, e2eSite, openPanel } from './browser';
import { dataProgressSeen, watchDataProgress } from './runPages';

const e2e = e2eSite();
let url: string;
beforeAll(() => {
  ({ url } = e2e.site);
});

/** A small experiment so that epochs are quick on SwiftShader's software WebGPU. */
function quickLink(edit: (s: ExperimentSpec) => void = () => {}): string {
  const spec = defaultSpec();
  spec.dataset.samples = 200;
  spec.training.batchSize = 32;
  spec.training.epochs = 200;
  edit(spec);
  return `${url}#spec=${encodeSpec(spec)}`;
}

async function openPage(link: string): Promise<{ page: Page }> {
  return { page: await e2e.openPage(link) };
}

const epochCount = async (page: Page) =>
  Number((await page.getByTestId('epoch-count').textContent())!.match(/Epoch (\d+)/)![1]);

test('the app trains on WebGPU, charts epochs and pauses', async () => {
  const { page } = await openPage(
    quickLink((s) => {
      s.backend = 'webgpu';
    }),
  );
  // The backend is started on load, so the active one shows before any training.
  await expect.poll(() => activeBackend(page), { timeout: 60_000 }).toBe('webgpu');
  // Before training the charts are drawn empty (their axes mounted ahead of the data), and the
  // invisible warm-up chart has come and gone.
  const lossChart = page.getByTestId('loss-chart');
  await expect.poll(() => lossChart.locator('.recharts-wrapper').count()).toBe(1);
  expect(await lossChart.textContent()).toContain('No data yet: press Train.');
  await expect.poll(() => page.locator('.chart-warm-up').count()).toBe(0);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => epochCount(page), { timeout: 120_000, interval: 250 }).toBeGreaterThanOrEqual(3);
  // The loss chart draws the train and validation curves (plus per-batch loss), named in its legend.
  await expect.poll(() => lossChart.locator('path.recharts-line-curve').count()).toBe(3);
  expect(await lossChart.locator('.chart-legend li').allTextContents()).toEqual(['batch', 'train', 'validation']);
  expect(await lossChart.textContent()).not.toContain('No data yet');
  expect(await lossChart.locator('.latest').textContent()).toMatch(/train \d\.\d{4} · val \d\.\d{4}/);
  // The first epoch (shader compilation) is reported apart from the rest, in the Compute cost panel.
  await openPanel(page, 'Compute cost');
  const cost = await page.getByTestId('cost-charts').textContent();
  expect(cost).toMatch(/on webgpu: first \d+ ms \(with warm-up\)/);
  // The default network trained through our compiled step (engine/compiled): 2-8-8-1, eight dispatches a batch.
  expect(cost).toContain('compiled training step: 8 GPU dispatches');

  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await expect.poll(() => page.getByTestId('phase').textContent()).toBe('Paused');
  const paused = await epochCount(page);
  await page.waitForTimeout(3000);
  expect(await epochCount(page)).toBe(paused);

  await page.getByRole('button', { name: 'Resume', exact: true }).click();
  await expect.poll(() => epochCount(page), { timeout: 60_000, interval: 250 }).toBeGreaterThan(paused);
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect.poll(() => page.getByTestId('phase').textContent()).toBe('Stopped');
  // The matmul shaders timed in the first epoch are kept for the next visit, per browser and GPU.
  const kept = () =>
    page.evaluate(
      (key) => JSON.parse(localStorage.getItem(key) ?? '[]') as [string, [string, number][]][],
      MATMUL_TUNINGS_KEY,
    );
  await expect.poll(async () => (await kept())[0]?.[1].length ?? 0).toBeGreaterThan(0);
  expect((await kept())[0][0]).toContain(await page.evaluate(() => navigator.userAgent));
  await page.close();
});

test('invalid fields show inline errors and block training until fixed', async () => {
  const { page } = await openPage(url);
  const lr = page.locator('input[name="training.optimizer.learningRate"]');
  await lr.fill('abc');
  await expect
    .poll(() => page.locator('[data-field="training.optimizer.learningRate"] .field-error').textContent())
    .toMatch(/^Learning rate: must be a number greater than 0/);
  await page.locator('input[name="training.batchSize"]').fill('5000');
  await expect
    .poll(() => page.locator('[data-field="training.batchSize"] .field-error').textContent())
    .toMatch(/Batch size: must be a whole number at least 1 and at most 1024/);
  expect(await page.getByRole('button', { name: 'Train', exact: true }).isDisabled()).toBe(true);
  expect(await page.getByText('2 fields to fix').count()).toBe(1);
  await lr.fill('0.02');
  await page.locator('input[name="training.batchSize"]').fill('16');
  await expect.poll(() => page.getByRole('button', { name: 'Train', exact: true }).isDisabled()).toBe(false);
  // The epoch counter shows the epochs typed only once they are valid.
  const epochs = page.locator('input[name="training.epochs"]');
  await epochs.fill('1000000000');
  await expect.poll(() => page.getByTestId('epoch-count').textContent()).toBe('Epoch 0 / —');
  await epochs.fill('30');
  await expect.poll(() => page.getByTestId('epoch-count').textContent()).toBe('Epoch 0 / 30');
  // The edited experiment is in the address bar, ready to share.
  expect(decodeURIComponent(page.url())).toMatch(/#spec=/);
  // A regression on the plane is a predicted surface with its colour scale, not a "decision boundary".
  await page.locator('select[name="dataset.kind"]').selectOption('sine');
  await expect.poll(() => page.getByRole('region', { name: /^Prediction over the plane/ }).count()).toBe(1);
  expect(await page.getByTestId('colour-scale').getAttribute('aria-label')).toMatch(
    /prediction −1 orange, 0 grey, \+1 blue/,
  );
  await page.close();
});

test('the model builder adds, reorders and removes layers with live parameter counts', async () => {
  const { page } = await openPage(url);
  const total = () => page.getByTestId('param-total').textContent();
  expect(await total()).toMatch(/Total 105 parameters/); // 2→8→8→1: 24 + 72 + 9
  await page.getByRole('button', { name: '+ Add hidden layer' }).click();
  expect(await total()).toMatch(/Total 177 parameters/); // + 8→8 (72)
  await page.locator('input[name="model.hidden[2].units"]').fill('3');
  expect(await total()).toMatch(/Total 127 parameters/); // 24 + 72 + (8·3+3) + (3+1)
  await page.getByRole('button', { name: 'Move Dense 3 up' }).click();
  expect(await page.locator('input[name="model.hidden[1].units"]').inputValue()).toBe('3');
  await page.getByRole('button', { name: 'Remove Dense 1' }).click();
  expect(await page.locator('[data-testid^="layer-"]').count()).toBe(2);
  await page.close();
});

test('the MLP builder chooses the weight initialisation (σ for Gaussian) and, for classes, the loss', async () => {
  const { page } = await openPage(quickLink((s) => (s.training.epochs = 2)));
  const init = page.locator('select[name="model.init"]');
  expect(await page.locator('input[name="model.initStd"]').count()).toBe(0);
  await init.selectOption('gaussian');
  await page.locator('input[name="model.initStd"]').fill('0');
  await expect
    .poll(() => page.locator('[data-field="model.initStd"] .field-error').textContent())
    .toMatch(/Initial σ: must be/);
  await page.locator('input[name="model.initStd"]').fill('0.5');
  await page.locator('select[name="model.classificationLoss"]').selectOption('mse');
  expect(await page.getByTestId('loss-chart').textContent()).toMatch(/Loss \(cross-entropy\)/); // no run yet
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 60_000 }).toBe('Finished');
  const model = await page.evaluate<{ init: string; initStd: number; classificationLoss: string }>(
    'window.playground.runs()[0].spec.model',
  );
  expect([model.init, model.initStd, model.classificationLoss]).toEqual(['gaussian', 0.5, 'mse']);
  // Charts draw from a deferred copy of the runs, so they may trail the status briefly.
  await expect.poll(() => page.getByTestId('loss-chart').textContent()).toMatch(/squared error of the probabilities/);
  // LayerNorm adds a gain and a bias per hidden unit (2 layers × 8 × 2); the step views say why they are not drawn.
  const total = () => page.getByTestId('param-total').textContent();
  expect(await total()).toMatch(/Total 105 parameters/);
  await page.locator('select[name="model.norm"]').selectOption('layerNorm');
  await page.locator('input[name="model.residual"]').check();
  expect(await total()).toMatch(/Total 137 parameters/);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 60_000 }).toBe('Finished');
  await openPanel(page, 'Inside the network');
  expect(await page.getByTestId('inside-not-drawn').textContent()).toMatch(/residual connections and LayerNorm/);
  // BatchNorm's bias replaces the hidden layers' own (137 − 2 × 8); its running statistics are no parameters.
  await page.locator('select[name="model.norm"]').selectOption('batchNorm');
  expect(await total()).toMatch(/Total 121 parameters/);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 60_000 }).toBe('Finished');
  expect(await page.getByTestId('inside-not-drawn').textContent()).toMatch(/residual connections and BatchNorm/);
  const batchNormRun = await page.evaluate<{ valAccuracy: number }[]>(
    `window.playground.runs().find((r) => r.spec.model.norm === 'batchNorm').epochs`,
  );
  expect(batchNormRun.at(-1)!.valAccuracy).toBeGreaterThan(0.5);
  // Regression has no loss to choose: always the squared error.
  await page.locator('select[name="dataset.kind"]').selectOption('plane');
  expect(await page.locator('select[name="model.classificationLoss"]').count()).toBe(0);
  await page.close();
});

test.each<BackendName>(['webgl', 'wasm', 'cpu'])(
  'training also runs on the %s backend when chosen',
  async (backend) => {
    const { page } = await openPage(
      quickLink((s) => {
        s.backend = backend;
      }),
    );
    await expect.poll(() => activeBackend(page), { timeout: 60_000 }).toBe(backend);
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await expect.poll(() => epochCount(page), { timeout: 60_000, interval: 250 }).toBeGreaterThanOrEqual(2);
    expect(await activeBackend(page)).toBe(backend);
    // Charts draw from a deferred copy of the runs, so they may trail the epoch counter briefly.
    await expect
      .poll(() => page.getByTestId('loss-chart').locator('path.recharts-line-curve').count(), { timeout: 15_000 })
      .toBe(3);
    await page.close();
  },
);

test('the page is cross-origin isolated, so wasm runs its threaded build where there are cores for threads', async () => {
  /** The wasm files the worker fetches once wasm is chosen, and the backend line's thread count. */
  async function wasmOn(cores: number): Promise<{ files: string[]; threads: string }> {
    const page = await e2e.openPage(quickLink(), { cores });
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    const files: string[] = [];
    page.on('request', (r) => {
      const name = /tfjs-backend-wasm[\w-]*?(?=-[\w-]{8}\.(wasm|js)$)/.exec(new URL(r.url()).pathname);
      if (name) files.push(`${name[0].replace(/^.*\//, '')}.${name[1]}`);
    });
    await page.getByLabel('Backend').selectOption('wasm');
    await expect.poll(() => activeBackend(page), { timeout: 60_000 }).toBe('wasm');
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await expect.poll(() => epochCount(page), { timeout: 60_000, interval: 250 }).toBeGreaterThanOrEqual(2);
    await openPanel(page, 'Compute cost');
    const threads = (await page.getByTestId('wasm-threads').textContent())!;
    await page.close();
    return { files: [...new Set(files)].sort(), threads }; // each thread fetches its script
  }
  // Eight cores: the threaded binary, and the emscripten script its threads start from (not a copy
  // of the bundled factory's source, which the minifier breaks). tfjs sizes its pool from the
  // worker's own core count (2 here), so one thread still.
  const many = await wasmOn(8);
  expect(many.files).toEqual(['tfjs-backend-wasm-threaded-simd.js', 'tfjs-backend-wasm-threaded-simd.wasm']);
  expect(many.threads).toMatch(/· \d+ threads?/);
  // Two cores: a pool of one thread would be slower than the plain SIMD build, which runs instead.
  const few = await wasmOn(2);
  expect(few.files).toEqual(['tfjs-backend-wasm-simd.wasm']);
  expect(few.threads).toMatch(/· 1 thread \(threads start from 4 cores/);
});

test('"auto" times a few steps of the model on every backend, trains on the fastest, and keeps the measurement', async () => {
  // Long enough that the run is still going when Stop is pressed (200 epochs can finish first).
  const { page } = await openPage(
    quickLink((s) => {
      s.training.epochs = 10000;
    }),
  );
  // Nothing is started ahead of the run: "auto" picks when training starts.
  expect(await activeBackend(page)).toBe('');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => epochCount(page), { timeout: 90_000, interval: 250 }).toBeGreaterThanOrEqual(1);
  await openPanel(page, 'Compute cost');
  const measured = (await page.getByTestId('auto-measured').textContent())!;
  // Fastest first: "Auto measured per step: cpu 8.24 ms · wasm 9.98 ms (first step 22 ms) · …".
  const steps = [...measured.matchAll(/(webgpu|webgl|wasm|cpu) ([\d.]+) (ms|s)/g)].map(([, backend, n, unit]) => ({
    backend,
    ms: Number(n) * (unit === 's' ? 1000 : 1),
  }));
  // The GPUs here are SwiftShader, a software rasteriser: never timed (it is never the fastest).
  expect(steps.map((s) => s.backend).sort()).toEqual(['cpu', 'wasm']);
  expect(measured).toContain('webgpu: not timed, a software GPU (SwiftShader) is never the fastest');
  expect(measured).toContain('webgl: not timed, a software GPU (SwiftShader) is never the fastest');
  expect(steps.map((s) => s.ms)).toEqual([...steps.map((s) => s.ms)].sort((a, b) => a - b));
  expect(await activeBackend(page)).toBe(steps[0].backend);
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect.poll(() => page.getByTestId('phase').textContent()).toBe('Stopped');
  // The same model again, even after a reload: no second measurement.
  await page.reload();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await openPanel(page, 'Compute cost');
  await expect
    .poll(() => page.getByTestId('auto-measured').textContent(), { timeout: 30_000 })
    .toMatch(/^Auto measured per step \(for an earlier run of this model here\)/);
  expect(await activeBackend(page)).toBe(steps[0].backend);
  await page.close();
});

/** Every optimizer through "Compare optimizers" on one backend: each run's train loss per epoch, by optimizer. */
async function lossesOfEveryOptimizer(backend: BackendName): Promise<Record<string, number[]>> {
  const { page } = await openPage(
    quickLink((s) => {
      s.backend = backend;
      s.dataset.kind = 'spiral';
      s.training.epochs = 3;
      s.training.optimizer.weightDecay = 1e-3; // coupled, and decoupled for AdamW
    }),
  );
  await expect.poll(() => activeBackend(page), { timeout: 60_000 }).toBe(backend);
  await openPanel(page, 'Compare optimizers');
  for (const box of await page.locator('input[name^="compare-"][type="checkbox"]').all()) await box.check();
  await page.getByRole('button', { name: `Compare ${OPTIMIZER_KINDS.length} optimizers` }).click();
  await openPanel(page, 'Runs');
  await expect
    .poll(
      async () =>
        (await page.getByTestId('runs-table').locator('tbody tr').allTextContents()).filter((t) =>
          t.includes('Finished'),
        ).length,
      { timeout: 120_000, interval: 500 },
    )
    .toBe(OPTIMIZER_KINDS.length);
  const runs =
    await page.evaluate<{ spec: ExperimentSpec; epochs: { trainLoss: number }[] }[]>('window.playground.runs()');
  await page.close();
  return Object.fromEntries(runs.map((r) => [r.spec.training.optimizer.kind, r.epochs.map((e) => e.trainLoss)]));
}

test('every optimizer trains on webgl (its fused GLSL update) as on cpu (checked against PyTorch)', async () => {
  const [webgl, cpu] = [await lossesOfEveryOptimizer('webgl'), await lossesOfEveryOptimizer('cpu')];
  expect(Object.keys(webgl).sort()).toEqual([...OPTIMIZER_KINDS].sort());
  for (const [kind, losses] of Object.entries(cpu)) {
    expect(webgl[kind], kind).toHaveLength(3);
    // Same data, weights and batches: only float rounding (GPU against CPU arithmetic) differs.
    webgl[kind].forEach((loss, i) =>
      expect(Math.abs(loss - losses[i]) / losses[i], `${kind} epoch ${i + 1}`).toBeLessThan(1e-3),
    );
  }
});

test('a CNN with BatchNorm, residual blocks and average pooling trains on webgl as on wasm', async () => {
  /** The train loss per epoch of a small ResNet-like CNN on 300 digits, on one backend. */
  async function cnnLosses(backend: BackendName): Promise<number[]> {
    const { page } = await openPage(
      quickLink((s) => {
        s.backend = backend;
        s.dataset = { ...s.dataset, kind: 'mnist', ...datasetDefaults('mnist'), samples: 300 };
        s.model = {
          kind: 'cnn',
          layers: [
            convLayer(4, 3, { batchNorm: true }),
            { kind: 'residual', filters: 4, stride: 1 },
            { kind: 'residual', filters: 8, stride: 2 },
            poolLayer(2, 2, 'avg'),
          ],
          head: 'flatten',
          dense: [{ units: 12, activation: 'relu', dropout: 0 }],
        };
        s.training.epochs = 2;
        s.training.optimizer.learningRate = 1e-3;
      }),
    );
    await expect.poll(() => activeBackend(page), { timeout: 60_000 }).toBe(backend);
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 120_000 }).toBe('Finished');
    expect(await activeBackend(page)).toBe(backend);
    const runs = await page.evaluate<{ epochs: { trainLoss: number }[] }[]>('window.playground.runs()');
    await page.close();
    return runs[0].epochs.map((e) => e.trainLoss);
  }
  const [webgl, wasm] = [await cnnLosses('webgl'), await cnnLosses('wasm')];
  expect(webgl).toHaveLength(2);
  // Same data, weights and batches: only float rounding (GPU against CPU arithmetic) differs.
  webgl.forEach((loss, i) => expect(Math.abs(loss - wasm[i]) / wasm[i], `epoch ${i + 1}`).toBeLessThan(1e-3));
  expect(webgl[1]).toBeLessThan(webgl[0]);
}, 300_000);

test('Step trains one batch at a time and shows its loss', async () => {
  const { page } = await openPage(
    quickLink((s) => {
      s.backend = 'cpu';
    }),
  );
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect
    .poll(() => page.getByTestId('batch-report').textContent(), { timeout: 30_000 })
    .toMatch(/^step 1: batch loss \d\.\d{4}$/);
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect.poll(() => page.getByTestId('batch-report').textContent()).toMatch(/^step 2: /);
  expect(await page.getByTestId('phase').textContent()).toBe('Paused');
  // Step mode: the chain rule for a chosen weight, checked against tf's autodiff, after step 2.
  await openPanel(page, 'Inside the network');
  await expect
    .poll(() => page.getByTestId('step-mode').textContent(), { timeout: 10_000 })
    .toMatch(/Weights after step 2\./);
  await page.getByTestId('network-graph').locator('line').nth(5).click({ force: true });
  expect(await page.getByTestId('chain-rule').textContent()).toMatch(/dense 1: w\[\d→\d\]/);
  expect(await page.getByTestId('autodiff-check').textContent()).toMatch(/✓ agrees/);
  await expect.poll(() => page.getByTestId('neuron-maps').locator('canvas').count()).toBe(16);
  await page.close();
});

test('an exploding loss stops the run with what to try, and may be continued', async () => {
  const { page } = await openPage(
    quickLink((s) => {
      s.backend = 'cpu';
      s.training.epochs = 6;
      mlpOf(s).hidden = [{ units: 16, activation: 'relu', dropout: 0 }];
      s.training.optimizer = { ...s.training.optimizer, kind: 'sgd', learningRate: 10 };
    }),
  );
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect
    .poll(() => page.getByTestId('run-error').textContent(), { timeout: 60_000 })
    .toMatch(
      /Training stopped\. Run 1 · SGD lr 10: The loss exploded in epoch \d+: .*learning rate 10× smaller \(it is 10\)/,
    );
  expect(await page.getByTestId('phase').textContent()).toBe('Loss exploded');
  // The epochs up to the explosion are kept on the chart.
  await expect
    .poll(() => page.getByTestId('loss-chart').locator('path.recharts-line-curve').count(), { timeout: 15_000 })
    .toBeGreaterThan(0);
  await page.getByRole('button', { name: 'Continue anyway' }).click();
  await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 60_000 }).toBe('Finished');
  expect(await epochCount(page)).toBe(6);
  await page.close();
});

test('a diverging run stops with an explanation, and the views say so instead of drawing NaN', async () => {
  const { page } = await openPage(
    quickLink((s) => {
      s.backend = 'cpu';
      s.dataset.kind = 'plane';
      mlpOf(s).hidden = [{ units: 16, activation: 'relu', dropout: 0 }];
      s.training.optimizer = { ...s.training.optimizer, kind: 'sgd', learningRate: 10 };
    }),
  );
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect
    .poll(() => page.getByTestId('run-error').textContent(), { timeout: 60_000 })
    .toMatch(
      /Training stopped\. Run 1 · SGD lr 10: Training diverged in epoch \d+: the loss became .*learning rate \(10\)/,
    );
  expect(await page.getByTestId('phase').textContent()).toBe('Diverged');
  await expect
    .poll(() => page.getByTestId('not-finite').textContent(), { timeout: 20_000 })
    .toMatch(/no longer finite in epoch 1/);
  await expect
    .poll(() => page.getByTestId('loss-chart').textContent())
    .toContain('diverged in epoch 1, before any epoch finished');
  await page.close();
});

test('repeating over seeds: three runs, drawn as one mean with a band and grouped in the runs list', async () => {
  const { page } = await openPage(
    quickLink((s) => {
      s.backend = 'wasm';
      s.training.epochs = 3;
    }),
  );
  await page.locator('input[name="seeds"]').fill('11');
  expect(await page.getByRole('alert').filter({ hasText: 'Seeds: must be' }).count()).toBe(1);
  expect(await page.getByRole('button', { name: /^Train/ }).isDisabled()).toBe(true);
  await page.locator('input[name="seeds"]').fill('3');
  await page.getByRole('button', { name: 'Train × 3 seeds' }).click();
  await expect
    .poll(
      async () =>
        (await page.getByTestId('runs-table').locator('tbody tr[data-run-id]').allTextContents()).filter((t) =>
          t.includes('Finished'),
        ).length,
      { timeout: 60_000, interval: 250 },
    )
    .toBe(3);
  const seeds = await page.evaluate<number[]>('window.playground.runs().map((r) => r.spec.seed)');
  expect(seeds).toEqual([42, 43, 44]);
  expect(await page.getByTestId('seed-group').textContent()).toMatch(
    /3 seeds \(42, 43, 44\) of one experiment · final val loss \d\.\d{4} ± \d\.\d{4}/,
  );
  // The group is one row until opened.
  const visibleRows = page.getByTestId('runs-table').locator('tbody tr[data-run-id]:visible');
  expect(await visibleRows.count()).toBe(0);
  await page.getByTestId('seed-group').getByRole('button', { expanded: false }).click();
  expect(await visibleRows.count()).toBe(3);
  const chart = page.getByTestId('loss-chart');
  await expect
    .poll(() => chart.locator('.chart-legend li').allTextContents())
    .toEqual(['train (mean of 3 seeds)', 'validation (mean of 3 seeds)']);
  expect(await chart.locator('path.recharts-area-area').count()).toBe(2);
  await page.locator('.chart-options-toggle summary').click();
  await page.locator('select[name="seed-band"]').selectOption('off');
  await expect.poll(() => chart.locator('path.recharts-line-curve').count()).toBe(6);
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.close();
});

test('compare optimizers: SGD and Adam on spiral, same seed, overlaid on the loss chart', async () => {
  const { page } = await openPage(
    quickLink((s) => {
      s.dataset.kind = 'spiral';
      s.training.epochs = 3;
    }),
  );
  await openPanel(page, 'Compare optimizers');
  await page.locator('input[name="compare-momentum"]').uncheck();
  expect(await page.locator('input[name="compare-sgd"]').isChecked()).toBe(true);
  expect(await page.locator('input[name="compare-adam"]').isChecked()).toBe(true);
  await page.getByRole('button', { name: 'Compare 2 optimizers' }).click();
  await openPanel(page, 'Runs');
  const rows = page.getByTestId('runs-table').locator('tbody tr');
  await expect.poll(() => rows.count()).toBe(2);
  await expect
    .poll(async () => (await rows.allTextContents()).filter((t) => t.includes('Finished')).length, {
      timeout: 120_000,
      interval: 500,
    })
    .toBe(2);
  const lossChart = page.getByTestId('loss-chart');
  // Two runs, each with its train (solid) and validation (dashed) curve, named in the legend.
  await expect.poll(() => lossChart.locator('path.recharts-line-curve').count()).toBe(4);
  const legend = await lossChart.locator('.chart-legend').textContent();
  expect(legend).toMatch(/Run 1 · SGD lr 0\.1 train/);
  expect(legend).toMatch(/Run 2 · Adam lr 0\.01 train/);
  expect(await rows.first().textContent()).toMatch(/3 ep/);
  // Hovering shows the exact values of every run at that epoch.
  await page.evaluate(() => window.scrollTo(0, 0));
  const box = (await lossChart.locator('.recharts-wrapper').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.4);
  await expect
    .poll(() => lossChart.locator('.recharts-tooltip-wrapper').textContent())
    .toMatch(/Run 1 · SGD lr 0\.1 train : \d\.\d+.*Run 2 · Adam lr 0\.01 train : \d\.\d+/);
  // The diff view names only what differs.
  await page.getByTestId('spec-diff').locator('summary').click();
  const diffRows = await page.getByTestId('spec-diff').locator('tbody tr').allTextContents();
  expect(diffRows).toEqual(['Optimizersgdadam', 'Learning rate0.10.01']);
  await page.close();
});

test('the loss-surface lab animates the chosen optimizers’ paths', async () => {
  const { page } = await openPage(url);
  await page.getByRole('tab', { name: 'Loss-surface lab' }).click();
  await page.locator('select[name="surface"]').selectOption('bowl');
  await page.locator('select[name="lab-speed"]').selectOption('15');
  const legendRows = page.getByTestId('lab-legend').locator('tbody tr');
  await expect.poll(() => legendRows.count(), { timeout: 30_000 }).toBe(4); // SGD, momentum, RMSProp, Adam
  const stepOf = async () => Number((await page.getByTestId('lab-step').textContent())!.match(/step (\d+)/)![1]);
  await expect.poll(stepOf, { timeout: 10_000 }).toBeGreaterThan(2);
  const first = await legendRows.allTextContents();
  await expect.poll(stepOf, { timeout: 10_000 }).toBeGreaterThan((await stepOf()) + 5);
  const later = await legendRows.allTextContents();
  // Every path moved on between the two looks, and they are not all in the same place.
  later.forEach((row, i) => expect(row).not.toBe(first[i]));
  expect(new Set(later.map((r) => r.match(/\(.*\)/)![0])).size).toBeGreaterThan(1);
  // Clicking the plot moves the start and recomputes the paths from there.
  await page.getByTestId('surface-canvas').click({ position: { x: 240, y: 60 } });
  await expect.poll(() => page.getByText(/^Start: \(-?0(\.0\d*)?, 2\.2\d*\)/).count()).toBe(1);
  await page.close();
});

test('a run too big for its backend is refused in the builder, naming what to reduce', async () => {
  const { page } = await openPage(
    quickLink((s) => {
      s.backend = 'wasm';
      s.dataset = { ...s.dataset, kind: 'names', samples: 50_000, contextLength: 128 };
      s.model = { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 6, dModel: 256, heads: 16, dropout: 0 };
      s.training.batchSize = 1024;
    }),
  );
  const memory = page.getByTestId('memory-estimate');
  await expect
    .poll(() => memory.textContent(), { timeout: 20_000 })
    .toMatch(/Memory ≈ [\d.]+ GB on wasm \(at most 2\.1 GB\)/);
  expect(await memory.getByRole('alert').textContent()).toMatch(
    /This run needs about [\d.]+ GB of memory, more than wasm can be given here .* lower the batch size \(1024\)/,
  );
  expect(await page.getByRole('button', { name: 'Train', exact: true }).isDisabled()).toBe(true);
  // A smaller batch fits.
  await page.locator('input[name="training.batchSize"]').fill('4');
  await expect.poll(() => memory.getByRole('alert').count()).toBe(0);
  expect(await page.getByRole('button', { name: 'Train', exact: true }).isDisabled()).toBe(false);
  await page.close();
});

test('a damaged shared link opens the default experiment and says why', async () => {
  const { page } = await openPage(`${url}#spec=not-a-real-spec`);
  await expect
    .poll(() => page.getByRole('alert').first().textContent())
    .toMatch(
      /The shared link could not be opened, so the default experiment is shown: the shared link is damaged: its spec could not be read\./,
    );
  expect(await page.locator('select[name="dataset.kind"]').inputValue()).toBe('circle');
  expect(await page.getByRole('button', { name: 'Train', exact: true }).isDisabled()).toBe(false);
  await page.close();
});

test('finished runs are kept across a reload (with their test score), and removing one forgets it', async () => {
  const { page } = await openPage(
    quickLink((s) => {
      s.backend = 'cpu';
      s.training.epochs = 4;
      s.dataset.testSplit = 0.2;
    }),
  );
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 30_000 }).toBe('Finished');
  const rows = page.getByTestId('runs-table').locator('tbody tr');
  // A row as a person reads it: the (editable) name, then the rest of the row.
  const rowTexts = async () =>
    Promise.all(
      (await rows.all()).map(
        async (r) => `${await r.locator('input.run-name-input').inputValue()} ${await r.textContent()}`,
      ),
    );
  const before = (await rowTexts())[0];
  expect(before).toMatch(
    /^Run 1 · Adam lr 0\.01 .*val loss \d\.\d{4}.*4 ep · test \(40 held out, once\): loss \d\.\d{4} · acc \d+\.\d%.*Finished/,
  );
  // A reload before every write has reached storage would find the run still training (interrupted).
  await expect.poll(() => page.getByTestId('stored-total').textContent(), { timeout: 10_000 }).toMatch(/all saved$/);
  await page.reload();
  await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(1);
  expect((await rowTexts())[0]).toBe(before);
  await expect
    .poll(() => page.getByTestId('loss-chart').locator('path.recharts-line-curve').count(), { timeout: 15_000 })
    .toBe(3);
  // New runs number on from the kept ones.
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => rows.count()).toBe(2);
  expect((await rowTexts())[0]).toMatch(/^Run 2 · /);
  await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 30_000 }).toBe('Finished');
  await page.getByRole('button', { name: 'Remove Run 1 · Adam lr 0.01' }).click();
  await expect.poll(() => page.getByTestId('stored-total').textContent(), { timeout: 10_000 }).toMatch(/all saved$/);
  await page.reload();
  await expect.poll(async () => (await rowTexts()).map((t) => t.slice(0, 6)), { timeout: 10_000 }).toEqual(['Run 2 ']);
  await page.close();
});

test('a sweep of learning rate × batch size: queued runs, a heatmap with the best cell, kept across a reload', async () => {
  const { page } = await openPage(
    quickLink((s) => {
      s.backend = 'cpu';
      s.training.epochs = 3;
    }),
  );
  await openPanel(page, 'Sweep');
  await page.locator('input[name="sweep-values-0"]').fill('0.01, 0.1');
  await page.locator('select[name="sweep-param-1"]').selectOption('batchSize');
  await page.locator('input[name="sweep-values-1"]').fill('16, 2000');
  expect(await page.getByRole('button', { name: /^Run sweep/ }).isDisabled()).toBe(true);
  expect(await page.getByRole('alert').filter({ hasText: 'Sweep cell' }).textContent()).toMatch(
    /Sweep cell lr 0\.01 · batch 2000: Batch size: /,
  );
  await page.locator('input[name="sweep-values-1"]').fill('16, 32');
  await page.getByRole('button', { name: 'Run sweep (4 runs)' }).click();
  const heatmap = page.getByTestId('sweep-heatmap');
  await expect
    .poll(() => page.getByTestId('sweep-results').locator('strong').first().textContent(), { timeout: 90_000 })
    .toMatch(/4 of 4 finished/);
  const cells = await heatmap.locator('button.sweep-cell').allTextContents();
  expect(cells).toHaveLength(4);
  expect(cells.filter((c) => c.endsWith('★'))).toHaveLength(1);
  for (const c of cells) expect(c).toMatch(/^\d\.\d{4}( ★)?$/);
  // Clicking a cell shows its run.
  await heatmap.getByRole('button', { name: /^lr 0\.1 · batch 32:/ }).click();
  expect(await page.locator('.run-status .run-name').textContent()).toMatch(/lr 0\.1 · batch 32$/);
  await openPanel(page, 'Runs');
  // In the runs list the sweep is one row until opened.
  const sweepRow = page.getByTestId('sweep-group');
  expect(await sweepRow.textContent()).toMatch(
    /^▸ Sweep of Learning rate × Batch size · 4 runs, 4 finished · best final val loss \d\.\d{4}$/,
  );
  expect(await page.getByTestId('runs-table').locator('tbody tr[data-run-id]:visible').count()).toBe(0);
  await sweepRow.getByRole('button', { expanded: false }).click();
  expect(await page.getByTestId('runs-table').locator('tbody tr[data-run-id]:visible').count()).toBe(4);
  await expect.poll(() => page.getByTestId('stored-total').textContent(), { timeout: 10_000 }).toMatch(/all saved$/);
  await page.reload();
  await openPanel(page, 'Sweep');
  await expect
    .poll(() => page.getByTestId('sweep-heatmap').locator('button.sweep-cell').allTextContents(), { timeout: 15_000 })
    .toEqual(cells);
  // A long sweep cancelled: its cells stop; Resume trains the unfinished ones to the end.
  await page.locator('input[name="training.epochs"]').fill('1000');
  await page.locator('input[name="sweep-values-0"]').fill('0.01, 0.1');
  await page.locator('select[name="sweep-param-1"]').selectOption('batchSize');
  await page.locator('input[name="sweep-values-1"]').fill('16');
  // With storage full, the person is told the grid will not survive a reload; the sweep goes on.
  await page.evaluate(`(() => {
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
      if (key.startsWith('nn-playground-sweep:')) throw new DOMException('full', 'QuotaExceededError');
      return setItem.call(this, key, value);
    };
  })()`);
  await page.getByRole('button', { name: 'Run sweep (2 runs)' }).click();
  await expect.poll(() => page.getByRole('button', { name: 'Cancel sweep' }).isEnabled()).toBe(true);
  await page.getByRole('button', { name: 'Cancel sweep' }).click();
  await expect
    .poll(() => page.getByTestId('notice').allTextContents())
    .toContainEqual(expect.stringMatching(/refused to save the sweeps’ tables.*will not come back after a reload/));
  await expect
    .poll(() => page.getByTestId('sweep-results').locator('strong').first().textContent(), { timeout: 30_000 })
    .toMatch(/Sweep 2 \(latest of 2\): [01] of 2 finished/);
  await expect.poll(() => page.getByRole('button', { name: 'Resume unfinished cells' }).isEnabled()).toBe(true);
  // A cell stopped after an epoch kept its model and continues from it; one that never started trains afresh.
  // (The first epoch's figures include its measured time: kept as they were by a continued run, new after a restart.)
  type Cell = { name: string; kept: number | null; epochs: number; first: string };
  const sweepRuns = `window.playground.runs().slice(-2).map((r) => ({ name: r.name, kept: r.model && r.model.epoch, epochs: r.epochs.length, first: JSON.stringify(r.epochs[0]) }))`;
  const stopped = await page.evaluate<Cell[]>(sweepRuns);
  await page.getByRole('button', { name: 'Resume unfinished cells' }).click();
  await expect
    .poll(() => page.getByTestId('sweep-results').locator('strong').first().textContent(), { timeout: 120_000 })
    .toMatch(/Sweep 2 \(latest of 2\): 2 of 2 finished/);
  const afresh = stopped.filter((c) => c.kept === null && c.epochs < 1000).map((c) => c.name);
  const notices = await page.getByTestId('notice').allTextContents();
  const restarted = notices.find((n) => n.includes('trained again from the start')) ?? '';
  for (const c of stopped.filter((c) => c.epochs < 1000))
    expect(restarted.includes(c.name), `${c.name} (kept model: epoch ${c.kept})`).toBe(afresh.includes(c.name));
  const finished = await page.evaluate<Cell[]>(sweepRuns);
  finished.forEach((c, k) => {
    expect(c.epochs).toBe(1000);
    if (stopped[k].kept !== null) expect(c.first).toBe(stopped[k].first);
  });
  await page.close();
}, 240_000);

test('kept sweeps: a damaged or oversized one is set aside with a notice, and two tabs keep each other’s', async () => {
  const context = await e2e.site.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const first = await e2e.openPage(
    quickLink((s) => {
      s.backend = 'cpu';
      s.training.epochs = 2;
    }),
    { context },
  );
  // As an older page (or an attacker with this origin's storage) left them: cells that do not
  // cover the grid (this blanked the page), and a 300 × 300 grid (this froze it).
  const huge = {
    id: 2,
    axes: [
      { param: 'learningRate', values: Array.from({ length: 300 }, (_, i) => (i + 1) / 1000) },
      { param: 'seed', values: Array.from({ length: 300 }, (_, i) => i) },
    ],
    cells: [],
  };
  await first.evaluate(
    (old) => localStorage.setItem('nn-playground-sweeps', old),
    JSON.stringify([{ id: 1, axes: [{ param: 'learningRate', values: [0.1] }], cells: [] }, huge]),
  );
  await first.reload();
  await expect
    .poll(() => first.getByTestId('notice').allTextContents())
    .toContainEqual(
      '2 kept sweeps could not be read and were set aside; their runs are still in the runs list.Dismiss',
    );
  await openPanel(first, 'Sweep');
  expect(await first.getByTestId('sweep-results').count()).toBe(0);
  // Two tabs, a sweep each: both are kept, neither writes over the other.
  const second = await e2e.openPage(first.url(), { context });
  for (const [tab, rate] of [
    [first, '0.01'],
    [second, '0.1'],
  ] as const) {
    await openPanel(tab, 'Sweep');
    await tab.locator('input[name="sweep-values-0"]').fill(rate);
    await tab.getByRole('button', { name: 'Run sweep (1 runs)' }).click();
    await expect
      .poll(() => tab.getByTestId('sweep-results').locator('strong').first().textContent(), { timeout: 60_000 })
      .toMatch(/1 of 1 finished/);
  }
  await first.reload();
  await openPanel(first, 'Sweep');
  await expect
    .poll(() => first.getByTestId('sweep-results').locator('strong').first().textContent(), { timeout: 15_000 })
    .toMatch(/\(latest of 2\): 1 of 1 finished/);
  expect(await accessibilityProblems(first)).toEqual([]);
  await context.close();
});

test('MNIST: the real digits load from the shipped files and an MLP trains on them', async () => {
  const { page } = await openPage(
    quickLink((s) => {
      s.backend = 'wasm';
      s.training.epochs = 2;
    }),
  );
  await page.locator('select[name="dataset.kind"]').selectOption('mnist');
  await page.locator('input[name="dataset.samples"]').fill('1000');
  expect(await page.getByTestId('param-total').textContent()).toMatch(/Total 6,442 parameters/); // 784·8+8 + 8·8+8 + 8·10+10
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 60_000 }).toBe('Finished');
  await expect.poll(() => page.getByTestId('accuracy-chart').locator('.latest').textContent()).toMatch(/val \d+\.\d%/);
  // The confusion matrix counts all 200 validation digits; the digits it got wrong are drawn.
  const cells = await page
    .getByTestId('confusion-matrix')
    .locator('tbody td[title]')
    .evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('title')!.split(': ')[1])));
  expect(cells).toHaveLength(100);
  expect(cells.reduce((a, b) => a + b, 0)).toBe(200);
  const wrong = cells.filter((_, i) => i % 11 !== 0).reduce((a, b) => a + b, 0);
  expect(await page.getByTestId('misclassified').locator('canvas').count()).toBe(Math.min(32, wrong));
  // The confusion matrix's cells keep their text readable whatever their colour.
  expect(await accessibilityProblems(page)).toEqual([]);
  await openPanel(page, 'Inside the network');
  await expect
    .poll(() => page.getByTestId('step-mode').textContent(), { timeout: 10_000 })
    .toMatch(/target \d; model says class \d/);
  // An MLP on digits shows what it predicts for a validation digit (and one drawn), with the pixels' saliency.
  await expect
    .poll(() => page.getByTestId('image-prediction').textContent(), { timeout: 10_000 })
    .toMatch(/^Validation image 1 · true class \d(\d\d?\d?\.\d%){3}$/);
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.close();
});

test('the CNN builder: shapes, parameters and a layer too many named where it is; a LeNet learns the digits', async () => {
  const { page } = await openPage(
    quickLink((s) => {
      s.backend = 'wasm';
      s.training.epochs = 2;
      s.training.optimizer.learningRate = 0.003;
    }),
  );
  await page.locator('select[name="dataset.kind"]').selectOption('mnist');
  await page.locator('select[name="model.kind"]').selectOption('cnn');
  await page.locator('input[name="dataset.samples"]').fill('1000');
  await page.locator('input[name="training.epochs"]').fill('2');
  const total = () => page.getByTestId('param-total').textContent();
  // LeNet: 5·5·6+6, 5·5·6·16+16, 7·7·16·120+120, 120·10+10.
  expect(await total()).toMatch(/Total 97,982 parameters/);
  const head = (i: number) => page.getByTestId(`cnn-layer-${i}`).locator('.layer-head').textContent();
  expect(await head(2)).toContain('Conv 3→ 14×14×16');
  // Three more 2×2 poolings: the third would shrink 1×1 maps, and is named; Train says what to fix.
  for (let i = 0; i < 3; i++) await page.getByRole('button', { name: '+ Pool', exact: true }).click();
  await expect
    .poll(() => page.getByTestId('cnn-layer-6').getByRole('alert').textContent())
    .toMatch(/^Pool 7: is too much: layer 7 \(max pool 2×2\) gets 1×1 images/);
  for (let i = 6; i >= 4; i--) await page.getByRole('button', { name: `Remove Pool ${i + 1}` }).click();
  // Global average pooling leaves 16 values for the dense layer: 16·120+120 instead of 784·120+120.
  await page.locator('select[name="model.head"]').selectOption('globalAverage');
  expect(await total()).toMatch(/Total 5,822 parameters/);
  await page.locator('select[name="model.head"]').selectOption('flatten');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 60_000 }).toBe('Finished');
  const accuracy = await page.getByTestId('accuracy-chart').locator('.latest').textContent();
  expect(Number(/val (\d+\.\d)%/.exec(accuracy!)![1])).toBeGreaterThan(80);
  expect(await page.getByTestId('misclassified').locator('canvas').count()).toBeGreaterThan(0);
  // Inside: a validation image's top classes; a drawn digit classified; a unit's receptive field; a value by hand.
  await openPanel(page, 'Inside the network');
  const prediction = page.getByTestId('image-prediction');
  await expect.poll(() => prediction.textContent(), { timeout: 15_000 }).toMatch(/^Validation image 1 · true class \d/);
  await page.getByRole('button', { name: 'Next validation image' }).click();
  await expect.poll(() => prediction.textContent()).toMatch(/^Validation image 2 · true class \d/);
  const pad = (await page.getByTestId('draw-digit').boundingBox())!;
  await page.mouse.move(pad.x + 56, pad.y + 15);
  await page.mouse.down();
  await page.mouse.move(pad.x + 56, pad.y + 100, { steps: 10 });
  await page.mouse.up();
  await expect.poll(() => prediction.textContent()).toMatch(/^Your drawing(\d\d+\.\d%){3}$/);
  expect(await page.locator('.pixel-outline').count()).toBe(0);
  await page.getByRole('img', { name: 'Conv 3, channel 1', exact: true }).hover();
  expect(await page.locator('.pixel-outline').count()).toBe(1);
  const step = await page.getByTestId('conv-step-sum').textContent();
  expect(Number(/difference ([\d.e+-]+)\)/.exec(step!)![1])).toBeLessThan(1e-5);
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.close();
});

test('Fashion-MNIST downloads when chosen, with its progress, is kept for the next visit, and is tested on its 10,000 test images', async () => {
  const context = await e2e.site.browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await e2e.openPage(
    quickLink((s) => {
      s.backend = 'wasm';
      s.training.epochs = 1;
    }),
    { context },
  );
  const downloads: string[] = [];
  page.on('request', (r) => {
    if (r.url().includes('fashion-mnist')) downloads.push(r.url());
  });
  await page.locator('select[name="dataset.kind"]').selectOption('fashionMnist');
  await page.locator('input[name="dataset.samples"]').fill('500');
  expect(await page.getByTestId('official-test').textContent()).toMatch(/the official 10,000 test images/);
  expect(downloads).toEqual([]); // nothing is fetched until a run needs it
  // Every text the download's progress shows, however briefly.
  await watchDataProgress(page);
  const train = async () => {
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 60_000 }).toBe('Finished');
  };
  await train();
  const seen = await dataProgressSeen(page);
  expect(seen.at(-1)).toMatch(/^Loading Fashion-MNIST clothing:\s+(\d+\.\d) MB of \1 MB$/);
  await expect
    .poll(() => page.getByTestId('run-result').first().textContent())
    .toMatch(/test \(10,000 held out, once\): loss \d\.\d+ · acc \d+\.\d%/);
  // Augmentation: a preview of training images as a batch sees them, made by the worker with training's own code.
  await page.locator('input[name="dataset.augment.shift"]').fill('2');
  await page.locator('input[name="dataset.augment.flip"]').check();
  await page.getByRole('button', { name: 'Preview what the network sees' }).click();
  const preview = page.getByTestId('augment-preview');
  await expect.poll(() => preview.getByRole('img').count(), { timeout: 15_000 }).toBe(32);
  const pixels = (name: string) =>
    preview
      .getByRole('img', { name, exact: true })
      .evaluate((c) => Array.from((c as HTMLCanvasElement).getContext('2d')!.getImageData(0, 0, 28, 28).data));
  const [stored, changedImage] = [await pixels('Training image 1'), await pixels('Training image 1, augmented')];
  expect(changedImage).toHaveLength(stored.length);
  expect(changedImage).not.toEqual(stored);
  // Kept by the browser: a new page's run reads it from there, not from the network.
  const again = await e2e.openPage(page.url(), { context });
  again.on('request', (r) => {
    if (r.url().includes('fashion-mnist')) downloads.push(r.url());
  });
  await again.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => again.getByTestId('phase').textContent(), { timeout: 60_000 }).toBe('Finished');
  expect(downloads).toHaveLength(1);
  expect(await accessibilityProblems(page)).toEqual([]);
  await context.close();
});

test('the recurrent builder: the cell (LSTM, GRU, RNN) sets the layers’ names and parameter counts; a GRU trains on copy', async () => {
  const { page } = await openPage(
    quickLink((s) => {
      s.backend = 'wasm';
      s.training.epochs = 2;
    }),
  );
  await page.locator('select[name="dataset.kind"]').selectOption('copy');
  await page.locator('select[name="model.kind"]').selectOption('lstm');
  const total = () => page.getByTestId('param-total').textContent();
  // 14 symbols, embedding 16, 64 units: 14·16 + G·64·(16 + 64 + biases) + 64·14 + 14.
  expect(await total()).toMatch(/Total 21,870 parameters/); // LSTM: 4 gate blocks, one bias
  await page.locator('select[name="model.cell"]').selectOption('gru');
  expect(await total()).toMatch(/Total 16,878 parameters/); // GRU: 3 blocks, two biases
  expect(await page.getByTestId('layer-0').locator('strong').textContent()).toBe('GRU 1');
  expect(await page.getByRole('button', { name: '+ Add GRU layer' }).count()).toBe(1);
  await page.locator('select[name="model.cell"]').selectOption('rnn');
  expect(await total()).toMatch(/Total 6,318 parameters/); // RNN: 1 block, one bias
  expect(await page.getByTestId('cost-table').textContent()).toContain('rnn 1');
  await page.locator('select[name="model.cell"]').selectOption('gru');
  await page.locator('input[name="dataset.samples"]').fill('400');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 120_000 }).toBe('Finished');
  const run = await page.evaluate<{ cell: string; epochs: number; names: string }>(
    '(() => { const r = window.playground.runs()[0]; return { cell: r.spec.model.cell, epochs: r.epochs.length, names: document.body.textContent } })()',
  );
  expect([run.cell, run.epochs]).toEqual(['gru', 2]);
  expect(run.names).toContain('GRU[64]');
  await page.close();
});

test('a transformer on names trains 2 epochs in the browser: the loss falls and text samples appear', async () => {
  const { page } = await openPage(
    quickLink((s) => {
      s.backend = 'wasm';
      s.training.epochs = 2;
    }),
  );
  await page.locator('select[name="dataset.kind"]').selectOption('names');
  // Names are tokens: the builder switches to a model that can read them.
  expect(await page.locator('select[name="model.kind"]').inputValue()).toBe('transformer');
  await page.locator('input[name="dataset.samples"]').fill('800');
  await page.locator('input[name="dataset.contextLength"]').fill('16');
  await page.locator('input[name="model.dModel"]').fill('32');
  await page.locator('input[name="model.heads"]').fill('3');
  await expect
    .poll(() => page.locator('[data-field="model.heads"] .field-error').textContent())
    .toMatch(/Heads: must divide dModel \(32\) evenly/);
  expect(await page.getByRole('button', { name: 'Train', exact: true }).isDisabled()).toBe(true);
  await page.locator('input[name="model.heads"]').fill('4');
  // 2 blocks of dModel 32 over 28 symbols and 16 positions: 28·32 + 16·32 + 2·(4·32² + 6·32 + 8·32² + 7·32) + 2·32 + 32·28.
  expect(await page.getByTestId('param-total').textContent()).toMatch(/Total 27,776 parameters/);
  expect(await page.getByTestId('cost-table').locator('tbody tr').count()).toBe(6);
  // The options change the count as they should: a tied head drops its 32·28 matrix, RMSNorm the
  // norms' biases (2 blocks × 2 norms + the final one, 32 each).
  await page.locator('input[name="model.tiedEmbeddings"]').check();
  await page.locator('select[name="model.norm"]').selectOption('rmsNorm');
  expect(await page.getByTestId('param-total').textContent()).toMatch(/Total 26,720 parameters/);
  expect(await page.getByTestId('transformer-summary').textContent()).toMatch(
    /RMSNorm → causal self-attention.*the token embedding, transposed, as the head/,
  );
  await page.locator('input[name="model.tiedEmbeddings"]').uncheck();
  await page.locator('select[name="model.norm"]').selectOption('layerNorm');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 120_000 }).toBe('Finished');
  const epochs = await page.evaluate<{ val: number; batches: number[] }[]>(
    'window.playground.runs()[0].epochs.map((e) => ({ val: e.valLoss, batches: e.batchLosses }))',
  );
  expect(epochs).toHaveLength(2);
  expect(epochs[1].val).toBeLessThan(epochs[0].val);
  expect(epochs[1].batches.at(-1)!).toBeLessThan(epochs[0].batches[0]);
  await expect.poll(() => page.getByTestId('text-sample').count()).toBe(2);
  expect((await page.getByTestId('text-sample').first().locator('pre').textContent())!.length).toBeGreaterThan(20);
  expect(await page.getByTestId('lm-figures').textContent()).toMatch(/nats\/char .* perplexity \d+\.\d\d/);
  expect(await page.getByTestId('loss-chart').locator('.latest').textContent()).toMatch(/ppl \d+\.\d\d/);
  await expect.poll(() => page.getByTestId('attention-heatmap').count()).toBe(1);
  await page.close();
});

test('byte pairs: chosen in the Data panel, sized and checked; a transformer trains on them and samples token by token', async () => {
  const { page } = await openPage(
    quickLink((s) => {
      s.backend = 'wasm';
      s.training.epochs = 2;
    }),
  );
  await page.locator('select[name="dataset.kind"]').selectOption('sotu');
  await page.locator('input[name="dataset.samples"]').fill('400');
  await page.locator('input[name="dataset.contextLength"]').fill('16');
  await page.locator('input[name="model.dModel"]').fill('16');
  await page.locator('input[name="model.heads"]').fill('2');
  await page.locator('select[name="dataset.tokenizer.kind"]').selectOption('bpe');
  await page.locator('input[name="dataset.tokenizer.vocabSize"]').fill('100');
  await expect
    .poll(() => page.locator('[data-field="dataset.tokenizer.vocabSize"] .field-error').textContent())
    .toMatch(/^Vocabulary size: must be .*256.*16384/);
  expect(await page.getByRole('button', { name: 'Train', exact: true }).isDisabled()).toBe(true);
  await page.locator('input[name="dataset.tokenizer.vocabSize"]').fill('300');
  // The input and output layers are as wide as the vocabulary asked for.
  expect(await page.locator('.layer-io').first().textContent()).toMatch(/16 tokens from 300 symbols/);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 120_000 }).toBe('Finished');
  expect(await page.getByTestId('loss-chart').textContent()).toMatch(/Loss \(nats per token\)/);
  expect(await page.getByTestId('lm-figures').textContent()).toMatch(/nats\/token .* next-token accuracy/);
  await expect.poll(() => page.getByTestId('text-sample').count()).toBe(2);
  // What the vocabulary learned: its size, the held-out text cut into tokens, the commonest tokens by count or rank.
  const tokens = page.getByTestId('tokens-view');
  expect(await tokens.textContent()).toMatch(
    /300 tokens: the 256 bytes and 44 pairs merged.* [\d.]+ tokens per character/,
  );
  expect(await tokens.locator('.token-excerpt span').count()).toBeGreaterThan(100);
  const firstRow = () => tokens.locator('tbody tr').first().locator('td').allTextContents();
  expect((await firstRow())[3]).toMatch(/^(byte|\d+)$/);
  await tokens.locator('select[name="tokens.order"]').selectOption('rank');
  expect((await firstRow())[3]).toBe('1');
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.locator('input[name="sampling.topP"]').fill('0.8');
  await page.locator('input[name="sampling.prompt"]').fill('The ');
  await page.getByRole('button', { name: 'Sample now' }).click();
  const asked = page.getByTestId('asked-sample');
  await expect
    .poll(() => asked.locator('.small.muted').textContent(), { timeout: 60_000 })
    .toMatch(/top-p 0.8 · shaded by how unlikely the model found each token/);
  expect(await asked.locator('pre').textContent()).toMatch(/^The /);
  expect(await asked.locator('.drawn').count()).toBe(240);
  // From the keyboard: the text is one tab stop, and the arrow keys read out each drawn token's probability.
  await asked.locator('pre').focus();
  await page.keyboard.press('ArrowRight');
  const picked = () => asked.getByTestId('picked-token').textContent();
  expect(await picked()).toMatch(/^Token 2 of 240: ".*": [\d.]+% likely to the model\. Likeliest: /);
  expect(await asked.locator('.drawn.picked').count()).toBe(1);
  await page.keyboard.press('End');
  expect(await picked()).toMatch(/^Token 240 of 240: /);
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.close();
});

test('Scale out shows, per strategy, what each device holds and sends as the engine figures it, the pipeline’s schedule, and names bad input', async () => {
  const spec = defaultSpec();
  spec.backend = 'cpu';
  spec.dataset = { ...spec.dataset, kind: 'names', ...datasetDefaults('names'), contextLength: 8 };
  spec.model = { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 2, dModel: 16, heads: 4, dropout: 0 };
  const { page } = await openPage(`${url}#spec=${encodeSpec(spec)}`);
  await openPanel(page, 'Scale out');
  const row = (strategy: string) => page.getByTestId('scale-table').locator(`tr[data-strategy="${strategy}"]`);
  const figures = scaleOut(spec, problemShape(spec, null)!, 2);
  for (const s of STRATEGIES) {
    const cells = await row(s).locator('td').allTextContents();
    const busiest = figures[s].loads.reduce((a, b) => (b.parameters > a.parameters ? b : a));
    expect(cells[0], s).toBe(formatCount(busiest.parameters));
    expect(cells[4], s).toBe(formatMemory(busiest.bytesSent));
  }
  // Two stages, 8 micro-batches (4 per stage): 16 forward and 16 backward cells, 1/9 of the step idle.
  const timeline = page.getByTestId('pipeline-timeline');
  expect(await timeline.locator('rect').count()).toBe(32);
  expect(await timeline.textContent()).toContain('2 stages, 8 micro-batches: each device idles 11% of the step');
  expect(await timeline.textContent()).toContain('Stage 1: block 1 ·');
  // Four devices: two blocks cannot make four stages; split the model over 2 and let 2 groups share batches.
  await page.getByLabel('Devices', { exact: true }).fill('4');
  await expect
    .poll(() => row('pipeline').textContent())
    .toBe('PipelineNot over 4: the model has only 2 layers (or blocks) to share out among 4 devices');
  await page.getByLabel('Tensor: devices per model').selectOption('2');
  expect(await page.getByTestId('scale-out').textContent()).toContain(
    'torchrun --nproc_per_node=4 train.py --parallel tensor --tensor-size 2',
  );
  const grouped = scaleOut(spec, problemShape(spec, null)!, 4, { tensorSize: 2 }).tensor.loads[0];
  expect(await row('tensor').locator('td').first().textContent()).toBe(formatCount(grouped.parameters));
  expect(await accessibilityProblems(page)).toEqual([]);
  // Bad input is named, and the figures stay those of the last good device count.
  await page.getByLabel('Devices', { exact: true }).fill('0');
  await expect
    .poll(() => page.getByRole('alert').filter({ hasText: 'Devices:' }).textContent())
    .toBe('Devices: a whole number from 1 to 64');
  expect(await page.getByTestId('scale-table').locator('caption').textContent()).toMatch(/^Per device \(4 devices;/);
  await page.getByLabel('Pipeline: micro-batches').fill('99');
  await expect
    .poll(() => page.getByRole('alert').filter({ hasText: 'Pipeline: micro-batches:' }).textContent())
    .toBe('Pipeline: micro-batches: a whole number from 1 to the batch size (16)');
  await page.close();
});
