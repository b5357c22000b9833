// Regenerates the README's pictures: docs/screenshot.png (the default experiment after some
// epochs on WebGPU) and docs/lab.png (the loss-surface lab). Usage: npm run screenshot [-- seconds]
import { buildAndServe, launchChromium } from '../test/e2e/browser';

const seconds = Number(process.argv[2] ?? 45);
const { url, server } = await buildAndServe();
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
  await page.goto(url);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.waitForTimeout(seconds * 1000);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  const started = Date.now();
  while ((await page.getByTestId('phase').textContent()) !== 'Paused') {
    if (Date.now() - started > 30_000) throw new Error('training did not pause within 30 s');
    await page.waitForTimeout(200);
  }
  console.log(`paused after ${Date.now() - started} ms`);
  console.log(await page.getByTestId('epoch-count').textContent(), 'on', await page.getByTestId('active-backend').textContent());
  await page.screenshot({ path: 'docs/screenshot.png' });
  await page.getByRole('tab', { name: 'Loss-surface lab' }).click();
  await page.waitForTimeout(8000);
  await page.screenshot({ path: 'docs/lab.png', clip: { x: 0, y: 0, width: 1440, height: 760 } });
} finally {
  await browser.close();
  await server.close();
}
