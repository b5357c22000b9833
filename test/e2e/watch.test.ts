// Watching a network learn: one screen at 1280×800 and on a phone, every epoch drawn in Live
// mode, "auto" starting at once without timing a software GPU, charts that overlay only runs
// that can be compared, and the main button that continues a run.
import { beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import {
  TRANSFORMER_OPTION_DEFAULTS,
  datasetDefaults,
  defaultSpec,
  encodeSpec,
  type ExperimentSpec,
} from '../../src/experiment';
import { accessibilityProblems, activeBackend, e2eSite, openPanel } from './browser';

const e2e = e2eSite();
let url: string;
beforeAll(() => {
  ({ url } = e2e.site);
});

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

function link(edit: (s: ExperimentSpec) => void): string {
  const spec = defaultSpec();
  edit(spec);
  return `${url}#spec=${encodeSpec(spec)}`;
}

const epochCount = async (page: Page) =>
  Number((await page.getByTestId('epoch-count').textContent())!.match(/Epoch (\d+)/)![1]);

type Box = { x: number; y: number; width: number; height: number };

/** Each element's box on the screen, by name; a missing element fails the test that asks for it. */
async function boxes(page: Page, selectors: Record<string, string>): Promise<Record<string, Box>> {
  const out: Record<string, Box> = {};
  for (const [name, selector] of Object.entries(selectors)) {
    const box = await page.locator(selector).first().boundingBox();
    expect(box, `${name} (${selector}) is on the page`).not.toBeNull();
    out[name] = box!;
  }
  return out;
}

/** The boxes that reach past the window (without scrolling), by name. */
function outside(all: Record<string, Box>, view: { width: number; height: number }): string[] {
  return Object.entries(all)
    .filter(([, b]) => b.x < 0 || b.y < 0 || b.x + b.width > view.width + 0.5 || b.y + b.height > view.height + 0.5)
    .map(
      ([name, b]) => `${name} at ${Math.round(b.x)},${Math.round(b.y)} ${Math.round(b.width)}×${Math.round(b.height)}`,
    );
}

const ESSENTIALS = {
  train: '.control-bar button.primary',
  pause: '.control-bar button:text-is("Pause")',
  step: '.control-bar button:text-is("Step")',
  epoch: '[data-testid="epoch-count"]',
  dataset: 'select[name="dataset.kind"]',
  modelKind: 'select[name="model.kind"]',
  optimizer: 'select[name="training.optimizer.kind"]',
  learningRate: 'input[name="training.optimizer.learningRate"]',
  lossCurve: '[data-testid="loss-chart"]',
  moreViews: '.workbench-tabs',
};

test('the default experiment, Live on "auto": one screen at 1280×800, every epoch drawn, nothing moves, no software GPU timed', async () => {
  const page = await e2e.openPage(url, { viewport: DESKTOP, speed: 'live' });
  const before = await boxes(page, { boundary: '[data-testid="boundary-canvas"]', loss: '[data-testid="loss-chart"]' });
  // Every epoch the boundary canvas draws is recorded as it happens.
  await page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="boundary-canvas"]')!;
    const drawn: number[] = [];
    (window as unknown as { drawnEpochs: number[] }).drawnEpochs = drawn;
    new MutationObserver(() => {
      const epoch = Number(canvas.dataset.epoch);
      if (epoch > 0) drawn.push(epoch);
    }).observe(canvas, { attributes: true, attributeFilter: ['data-epoch'] });
  });
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => epochCount(page), { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(3);
  const during = await boxes(page, {
    ...ESSENTIALS,
    layer: '[data-testid="layer-0"]',
    boundary: '[data-testid="boundary-canvas"]',
    network: '[data-testid="network-graph"]',
    neuronMaps: '[data-testid="neuron-maps"]',
  });
  expect(outside(during, DESKTOP), 'essentials past the first screen').toEqual([]);
  // Starting a run moved nothing.
  for (const name of ['boundary', 'loss'] as const)
    expect([during[name === 'loss' ? 'lossCurve' : name].x, during[name === 'loss' ? 'lossCurve' : name].y]).toEqual([
      before[name].x,
      before[name].y,
    ]);
  await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 120_000 }).toBe('Finished');
  // Live: the boundary of every one of the 50 epochs reached the screen, in order.
  const drawn = await page.evaluate(() => (window as unknown as { drawnEpochs: number[] }).drawnEpochs);
  expect([...new Set(drawn)]).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  // "Auto" timed the CPU backends only: SwiftShader is a software GPU.
  expect(['wasm', 'cpu']).toContain(await activeBackend(page));
  await openPanel(page, 'Compute cost');
  const measured = await page.getByTestId('auto-measured').textContent();
  expect(measured).toMatch(/webgpu: not timed, a software GPU \(SwiftShader\)/);
  expect(measured).not.toMatch(/webgpu [\d.]+ ms/);
  expect(await accessibilityProblems(page), 'after a Live run').toEqual([]);
  await page.close();
});

test('Live: a long epoch draws its batch losses on the loss curve before it ends', async () => {
  const page = await e2e.openPage(
    link((s) => {
      s.backend = 'cpu';
      s.dataset = { ...s.dataset, kind: 'reverse', ...datasetDefaults('reverse') };
      s.model = { kind: 'lstm', cell: 'gru', embedding: 4, layers: [{ units: 4, dropout: 0 }] };
      s.training.batchSize = 2; // 1,600 batches: an epoch of seconds
      s.training.epochs = 1;
    }),
    { viewport: DESKTOP, speed: 'live' },
  );
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const latest = page.getByTestId('loss-chart').locator('.latest');
  await expect
    .poll(() => latest.textContent().catch(() => ''), { timeout: 30_000, interval: 50 })
    .toMatch(/^epoch 1 so far: batch loss \d+\.\d{4}$/);
  expect(await epochCount(page)).toBe(0);
  // The batch line is drawn: the plot has a line and the legend names it.
  await expect.poll(() => page.getByTestId('loss-chart').locator('.recharts-line path').count()).toBeGreaterThan(0);
  expect(await page.getByTestId('loss-chart').textContent()).toContain('batch');
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect.poll(() => page.getByTestId('phase').textContent()).toBe('Stopped');
  expect(await accessibilityProblems(page), 'a partial epoch drawn').toEqual([]);
  await page.close();
});

test('a transformer on names: its samples, the loss curve and the controls fit one screen at 1280×800', async () => {
  const page = await e2e.openPage(
    link((s) => {
      s.backend = 'wasm';
      s.dataset = { ...s.dataset, kind: 'names', ...datasetDefaults('names'), samples: 400, contextLength: 16 };
      s.model = { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 1, dModel: 16, heads: 2, dropout: 0 };
      s.training.batchSize = 32;
      s.training.epochs = 2;
    }),
    { viewport: DESKTOP },
  );
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 90_000 }).toBe('Finished');
  const all = await boxes(page, {
    ...ESSENTIALS,
    width: 'input[name="model.dModel"]',
    samples: '[data-testid="text-sample"]',
  });
  expect(outside(all, DESKTOP), 'essentials past the first screen').toEqual([]);
  expect(await accessibilityProblems(page), 'a transformer run').toEqual([]);
  await page.close();
});

test('on a phone the boundary and the loss curve are within one screen of Train, and the controls stay in reach', async () => {
  const page = await e2e.openPage(
    link((s) => (s.backend = 'cpu')),
    { viewport: PHONE },
  );
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 60_000 }).toBe('Finished');
  await page.evaluate(() => window.scrollTo(0, 0));
  const at = await boxes(page, {
    train: '.control-bar button.primary',
    boundary: '[data-testid="boundary-canvas"]',
    lossCurve: '[data-testid="loss-chart"]',
  });
  const reach = at.train.y + PHONE.height;
  for (const name of ['boundary', 'lossCurve'])
    expect(at[name].y + at[name].height, `${name} ends within a screen of Train (${reach})`).toBeLessThanOrEqual(reach);
  // Far down the page, Train is still on the screen.
  await page.evaluate(() => window.scrollTo(0, 2500));
  const train = (await page.locator('.control-bar button.primary').boundingBox())!;
  expect(train.y).toBeGreaterThanOrEqual(0);
  expect(train.y + train.height).toBeLessThanOrEqual(PHONE.height);
  await page.close();
});

test('the charts overlay comparable runs only, say what they hide, and a lesson starts with a clean chart', async () => {
  const page = await e2e.openPage(
    link((s) => {
      s.backend = 'cpu';
      s.training.epochs = 2;
    }),
  );
  const train = () => page.getByRole('button', { name: 'Train', exact: true }).click();
  const finished = () =>
    expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 60_000 }).toBe('Finished');
  const legend = page.getByTestId('loss-chart').locator('.chart-legend li');
  await train();
  await finished();
  // The main bar continues a finished run for the experiment's epochs.
  await page.getByRole('button', { name: 'Continue +2' }).click();
  await expect.poll(() => page.getByTestId('epoch-count').textContent(), { timeout: 60_000 }).toBe('Epoch 4 / 4');
  await finished();
  await page.locator('select[name="dataset.kind"]').selectOption('xor');
  await train();
  await finished();
  // Circle and XOR losses are different problems: the XOR run is drawn alone.
  await expect.poll(() => legend.allTextContents()).toEqual(['batch', 'train', 'validation']);
  const hidden = page.getByTestId('hidden-runs');
  expect(await hidden.textContent()).toBe('1 run on other data hidden · show');
  await hidden.getByRole('button', { name: 'show' }).click();
  // Shown on request, each label names its data.
  await expect
    .poll(() => legend.allTextContents())
    .toEqual([
      'Run 1 · Adam lr 0.01 · Circle (classification) train',
      'Run 1 · Adam lr 0.01 · Circle (classification) validation',
      'Run 2 · Adam lr 0.01 · XOR (classification) train',
      'Run 2 · Adam lr 0.01 · XOR (classification) validation',
    ]);
  await page.getByRole('button', { name: 'Lessons' }).click();
  await page
    .getByRole('button', { name: /^Open lesson: / })
    .first()
    .click();
  // A lesson's chart and status line start clean: its own epochs, no run yet.
  expect(await page.getByTestId('phase').textContent()).toBe('Ready');
  expect(await page.getByTestId('epoch-count').textContent()).toMatch(/^Epoch 0 \/ \d+$/);
  await expect.poll(() => page.getByTestId('loss-chart').textContent()).toContain('No data yet: press Train.');
  expect(await hidden.textContent()).toBe('2 from before this lesson hidden · show');
  expect(await accessibilityProblems(page), 'a lesson opened over earlier runs').toEqual([]);
  await page.close();
});

test('"auto" says what it is timing while it measures, and Skip starts training at once', async () => {
  const page = await e2e.openPage(
    link((s) => {
      s.dataset = { ...s.dataset, kind: 'names', ...datasetDefaults('names'), samples: 400, contextLength: 32 };
      s.model = { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 2, dModel: 64, heads: 4, dropout: 0 };
      s.training.batchSize = 64;
      s.training.epochs = 1;
    }),
  );
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  const progress = page.getByTestId('auto-progress');
  await expect.poll(() => progress.count(), { timeout: 30_000, interval: 20 }).toBe(1);
  expect(await progress.textContent()).toMatch(/^Choosing a backend: timing (wasm|cpu)…/);
  await progress.getByRole('button', { name: 'Skip' }).click();
  await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 90_000 }).toBe('Finished');
  await openPanel(page, 'Compute cost');
  expect(await page.getByTestId('auto-measured').textContent()).toMatch(/\(cut short: you skipped\)/);
  await page.close();
});
