// Regenerates the README's pictures: docs/screenshot.png (the default experiment after some
// epochs on WebGPU), docs/lab.png (the loss-surface lab) and docs/transformer.png (a small
// transformer learning names on WASM). Usage: npm run screenshot [-- seconds]
import { buildAndServe, launchChromium } from '../test/e2e/browser';
import { TRANSFORMER_OPTION_DEFAULTS, datasetDefaults, defaultSpec, encodeSpec } from '../src/spec';

const seconds = Number(process.argv[2] ?? 45);
const { url, server } = await buildAndServe();
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  await page.goto(url);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.waitForTimeout(seconds * 1000);
  // The default run may already have finished its epochs; otherwise pause it for a still picture.
  const pause = page.getByRole('button', { name: 'Pause', exact: true });
  if (await pause.isEnabled()) await pause.click();
  const started = Date.now();
  while (!['Paused', 'Finished'].includes((await page.getByTestId('phase').textContent()) ?? '')) {
    if (Date.now() - started > 30_000) throw new Error('training did not pause or finish within 30 s');
    await page.waitForTimeout(200);
  }
  console.log(`paused after ${Date.now() - started} ms`);
  console.log(
    await page.getByTestId('epoch-count').textContent(),
    'on',
    await page.getByTestId('active-backend').textContent(),
  );
  await page.screenshot({ path: 'docs/screenshot.png' });
  await page.getByRole('tab', { name: 'Loss-surface lab' }).click();
  await page.waitForTimeout(8000);
  await page.screenshot({ path: 'docs/lab.png', clip: { x: 0, y: 0, width: 1440, height: 760 } });

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
  const lm = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  await lm.goto(`${url}#spec=${encodeSpec(spec)}`);
  await lm.getByRole('button', { name: 'Train', exact: true }).click();
  await lm.waitForTimeout(seconds * 2000);
  await lm.getByRole('button', { name: 'Pause', exact: true }).click();
  await lm.waitForTimeout(2000);
  console.log('transformer:', await lm.getByTestId('epoch-count').textContent());
  await lm.screenshot({ path: 'docs/transformer.png' });
} finally {
  await browser.close();
  await server.close();
}
