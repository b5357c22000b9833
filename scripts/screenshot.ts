// Regenerates the README's pictures: docs/screenshot.png (the default experiment learning Live, the
// first screen at 1280×800), docs/phone.png (the same on a 390×844 phone), docs/transformer.png (a
// small transformer learning names on WASM), docs/lab.png (the loss-surface lab) and docs/scale-out.png (the
// Scale out tab for the transformer the builder offers on names, over 2 devices).
// Usage: npm run screenshot [-- seconds]
import type { Page } from 'playwright-core';
import { buildAndServe, launchChromium } from '../test/e2e/browser';
import { TRANSFORMER_OPTION_DEFAULTS, datasetDefaults, defaultSpec, encodeSpec } from '../src/experiment';

const seconds = Number(process.argv[2] ?? 45);
const { url, server } = await buildAndServe();
const browser = await launchChromium();

/** Wait until the run has paused or finished, so the picture is still. */
async function still(page: Page): Promise<void> {
  const pause = page.getByRole('button', { name: 'Pause', exact: true });
  if (await pause.isEnabled()) await pause.click();
  const started = Date.now();
  while (!['Paused', 'Finished'].includes((await page.getByTestId('phase').textContent()) ?? '')) {
    if (Date.now() - started > 30_000) throw new Error('training did not pause or finish within 30 s');
    await page.waitForTimeout(200);
  }
  await page.waitForTimeout(1500); // the last epoch's views and the network graph catch up
}

try {
  // The default experiment, as a newcomer opens it: Live, "auto", paused a few seconds in.
  for (const [name, viewport] of [
    ['screenshot', { width: 1280, height: 800 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    const page = await browser.newPage({ viewport });
    await page.goto(url);
    await page.getByRole('button', { name: 'Train', exact: true }).click();
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="epoch-count"]')?.textContent?.match(/Epoch (\d+)/)?.[1]) >= 25,
      undefined,
      { timeout: seconds * 1000 },
    );
    await still(page);
    console.log(name, await page.getByTestId('epoch-count').textContent());
    await page.screenshot({ path: `docs/${name}.png` });
    if (name === 'screenshot') {
      await page.getByRole('tab', { name: 'Loss-surface lab' }).click();
      await page.waitForTimeout(8000);
      await page.screenshot({ path: 'docs/lab.png' });
    }
    await page.close();
  }

  const spec = defaultSpec();
  spec.dataset = { ...spec.dataset, kind: 'names', ...datasetDefaults('names'), samples: 2000, contextLength: 16 };
  spec.model = { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 2, dModel: 48, heads: 4, dropout: 0 };
  spec.training = {
    ...spec.training,
    batchSize: 32,
    epochs: 200,
    optimizer: { ...spec.training.optimizer, learningRate: 3e-3 },
  };
  spec.backend = 'wasm';
  const lm = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await lm.goto(`${url}#spec=${encodeSpec(spec)}`);
  await lm.getByRole('button', { name: 'Train', exact: true }).click();
  await lm.waitForTimeout(seconds * 2000);
  await still(lm);
  console.log('transformer:', await lm.getByTestId('epoch-count').textContent());
  await lm.screenshot({ path: 'docs/transformer.png' });

  const scale = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await scale.goto(url);
  await scale.locator('select[name="dataset.kind"]').selectOption('names');
  await scale.locator('select[name="model.kind"]').selectOption('transformer');
  await scale.getByRole('tab', { name: 'Scale out' }).click();
  await scale.getByTestId('pipeline-timeline').waitFor();
  await scale.getByTestId('scale-out').screenshot({ path: 'docs/scale-out.png' });
} finally {
  await browser.close();
  await server.close();
}
