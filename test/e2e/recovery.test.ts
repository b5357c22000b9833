// A run outlives what goes wrong under it: a worker that dies, hangs or is sent nonsense, a GPU that is lost.
import { beforeAll, expect, test } from 'vitest';
import type { Browser } from 'playwright-core';
import { defaultSpec, encodeSpec } from '../../src/experiment';
import { autoKey } from '../../src/engine/autoKey';
import { AUTO_STORAGE_KEY } from '../../src/state/autoBackend';
import { activeBackend, openPanel } from './browser';
import { epochCount, phaseOf, slowMlp, keptRunsSite } from './runPages';

const { e2e, link, openPage } = keptRunsSite();
let url: string;
let browser: Browser;
beforeAll(() => {
  ({ url, browser } = e2e.site);
});

test('when the training worker dies, its run is interrupted with the reason and resumes in a fresh worker', async () => {
  const { page } = await openPage(link(slowMlp));
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => epochCount(page), { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(8);
  const worker = page.workers().find((w) => w.url().includes('training.worker'))!;
  await worker.evaluate(() => {
    setTimeout(() => {
      throw new Error('simulated failure');
    });
  });
  await expect
    .poll(() => phaseOf(page), { timeout: 10_000 })
    .toMatch(
      /^InterruptedThe training worker crashed: Uncaught Error: simulated failure\. Interrupted at epoch \d+: press Resume/,
    );
  await page.getByRole('button', { name: /^Resume from epoch \d+: Run 1/ }).click();
  await expect.poll(() => phaseOf(page), { timeout: 60_000 }).toBe('Finished');
  expect(await epochCount(page)).toBe(24);
  // The one console error is the failure itself.
  e2e.allowErrors(/simulated failure/);
  await page.close();
});

test('a malformed message to the training worker is refused with a reason; the worker lives on and trains', async () => {
  const { page } = await openPage(
    link((s) => {
      s.dataset.samples = 200;
      s.training.epochs = 3;
    }),
  );
  await expect
    .poll(() => page.workers().some((w) => w.url().includes('training.worker')), { timeout: 30_000 })
    .toBe(true);
  const worker = page.workers().find((w) => w.url().includes('training.worker'))!;
  // As a bug in the page would send them: nothing at all, and a start without its spec.
  await worker.evaluate(() => {
    const deliver = (data: unknown) =>
      (self as unknown as { onmessage: (e: MessageEvent) => void }).onmessage(new MessageEvent('message', { data }));
    deliver(null);
    deliver({ type: 'start', runId: 99, stepFirst: false, sampling: { temperature: 1, attentionText: null } });
  });
  await expect
    .poll(() => page.getByTestId('notice').allTextContents())
    .toEqual([
      'The training worker refused a message from the page (the message must be an object); it goes on.Dismiss',
      'The training worker refused a message from the page (start.spec is missing); it goes on.Dismiss',
    ]);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => phaseOf(page), { timeout: 60_000 }).toBe('Finished');
  expect(await epochCount(page)).toBe(3);
  await page.close();
});

test('when WebGPU loses its device, an "auto" run goes on with the next backend from its checkpoint and finishes', async () => {
  const spec = defaultSpec();
  spec.dataset.samples = 200;
  spec.training.batchSize = 32;
  spec.training.epochs = 12;
  const { page } = await openPage(`${url}#spec=${encodeSpec(spec)}`);
  // "Auto" would measure this tiny model fastest on wasm or cpu here (software WebGPU): as on a
  // machine with a GPU, this browser has measured it fastest on WebGPU before.
  const device = await page.evaluate(() => `${navigator.userAgent} · ${navigator.hardwareConcurrency} threads`);
  const measured = [
    { backend: 'webgpu', msPerStep: 1 },
    { backend: 'wasm', msPerStep: 2 },
  ];
  await page.evaluate(
    ([key, entries]) => localStorage.setItem(key, entries),
    [AUTO_STORAGE_KEY, JSON.stringify([[autoKey(spec, device), { backend: 'webgpu', measured }]])],
  );
  await page.reload();
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => activeBackend(page), { timeout: 60_000 }).toBe('webgpu');
  await expect.poll(() => epochCount(page), { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(3);
  const worker = page.workers().find((w) => w.url().includes('training.worker'))!;
  await worker.evaluate(() =>
    (self as unknown as { playgroundDebug: { loseGpuDevice: () => void } }).playgroundDebug.loseGpuDevice(),
  );
  await expect
    .poll(() => page.getByTestId('notice').allTextContents(), { timeout: 30_000 })
    .toContainEqual(
      expect.stringMatching(
        /^WebGPU stopped working \(.+\) during Run 1 · Adam lr 0\.01: it goes on with the next backend from epoch \d+/,
      ),
    );
  await expect.poll(() => phaseOf(page), { timeout: 60_000 }).toBe('Finished');
  expect(await epochCount(page)).toBe(12);
  // The browser's next backend after WebGPU is WebGL.
  expect(await activeBackend(page)).toBe('webgl');
  await openPanel(page, 'Compute cost');
  expect(await page.getByTestId('backend-fallbacks').textContent()).toMatch(
    /webgpu: stopped working earlier in this tab/,
  );
  // What the lost device printed on its way out.
  e2e.allowErrors(/lost|destroyed|GPU/i);
  await page.close();
});

test('when WebGPU chosen by hand loses its device, the run fails and goes on on WebAssembly in one click', async () => {
  const spec = defaultSpec();
  spec.backend = 'webgpu';
  spec.dataset.samples = 200;
  spec.training.batchSize = 32;
  spec.training.epochs = 12;
  const { page } = await openPage(`${url}#spec=${encodeSpec(spec)}`);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => epochCount(page), { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(3);
  const worker = page.workers().find((w) => w.url().includes('training.worker'))!;
  await worker.evaluate(() =>
    (self as unknown as { playgroundDebug: { loseGpuDevice: () => void } }).playgroundDebug.loseGpuDevice(),
  );
  const go = page.getByTestId('run-error').getByRole('button', { name: /^Continue on WebAssembly from epoch \d+$/ });
  await expect.poll(() => go.count(), { timeout: 30_000 }).toBe(1);
  expect(await page.getByTestId('run-error').textContent()).toMatch(/^Training failed\. Run 1/);
  const from = Number((await go.textContent())!.match(/epoch (\d+)/)![1]);
  await go.click();
  await expect.poll(() => phaseOf(page), { timeout: 60_000 }).toBe('Finished');
  expect(await epochCount(page)).toBe(12);
  expect(await activeBackend(page)).toBe('wasm');
  expect(from).toBeGreaterThanOrEqual(1);
  e2e.allowErrors(/lost|destroyed|GPU/i);
  await page.close();
});

test('a worker busy without yielding lives on; one that stops answering is ended, and its run resumes in a fresh worker', async () => {
  // The watchdog waits 10 s; 3 s here, so a hang is noticed quickly and 8 s of work outlasts it.
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await context.addInitScript(() => {
    (window as unknown as { playgroundStallMs: number }).playgroundStallMs = 3000;
  });
  const { page } = await openPage(link(slowMlp), context);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => epochCount(page), { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(4);
  const worker = page.workers().find((w) => w.url().includes('training.worker'))!;
  type Debug = { playgroundDebug: { busyFor: (ms: number) => void } };
  // 8 s of tf ops in one go, longer than the watchdog waits: each kernel says the worker is alive.
  await worker.evaluate(() => setTimeout(() => (self as unknown as Debug).playgroundDebug.busyFor(8000)));
  await page.waitForTimeout(9000);
  expect(await phaseOf(page)).toBe('Training');
  await worker.evaluate(() => {
    setTimeout(() => {
      for (;;) {
        /* stuck, as an endless loop would be */
      }
    });
  });
  await expect
    .poll(() => phaseOf(page), { timeout: 30_000 })
    .toMatch(/^InterruptedThe training worker stopped answering for 3 s\. Interrupted at epoch \d+: press Resume/);
  await page.getByRole('button', { name: /^Resume from epoch \d+: Run 1/ }).click();
  await expect.poll(() => phaseOf(page), { timeout: 60_000 }).toBe('Finished');
  expect(await epochCount(page)).toBe(24);
  await context.close();
});
