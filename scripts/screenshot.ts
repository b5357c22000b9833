// Regenerates docs/screenshot.png for the README: the default experiment after some epochs.
// Usage: npm run screenshot [-- seconds]
import { buildAndServe, launchChromium } from '../test/e2e/browser';

const seconds = Number(process.argv[2] ?? 45);
const { url, server } = await buildAndServe();
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 960 } });
  await page.goto(url);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await page.waitForTimeout(seconds * 1000);
  await page.getByRole('button', { name: 'Pause', exact: true }).click();
  await page.waitForTimeout(1500);
  console.log(await page.getByTestId('epoch-count').textContent(), 'on', await page.getByTestId('active-backend').textContent());
  await page.screenshot({ path: 'docs/screenshot.png', fullPage: true });
} finally {
  await browser.close();
  await server.close();
}
