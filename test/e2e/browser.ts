// Helpers for the end-to-end tests: build once, serve dist/ on 127.0.0.1 (test/setup/e2e-site.ts does it once
// for every file), drive Debian's Chromium, fail a test on any console error, and check pages with axe-core.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import { build, preview, type PreviewServer } from 'vite';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

import { SPEED_STORAGE_KEY } from '../../src/state/viewStore';
import { findChromium } from './chromium';

export const CHROMIUM = findChromium() ?? '/usr/bin/chromium';

export async function buildAndServe(): Promise<{ url: string; server: PreviewServer }> {
  await build({ logLevel: 'warn' });
  const server = await preview({ preview: { host: '127.0.0.1', port: 0, strictPort: false }, logLevel: 'warn' });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  return { url: `http://127.0.0.1:${address.port}/`, server };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--enable-unsafe-webgpu',
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export const DESKTOP = { width: 1400, height: 1000 };

/**
 * The built site (served by the e2e project's global set-up) and Chromium started for one test file. Every page opened through
 * `openPage` has its console watched: any error (a CSP violation included) fails the test that
 * opened it, unless the test names it in `allowErrors` (e.g. a failure it causes on purpose).
 */
export function e2eSite() {
  const site = { url: '', browser: null as unknown as Browser };
  let errors: string[] = [];
  let allowed: RegExp[] = [];
  beforeAll(async () => {
    site.url = inject('siteUrl');
    site.browser = await launchChromium();
  });
  afterAll(async () => {
    await site.browser?.close();
  });
  afterEach(() => {
    const unexpected = errors.filter((e) => !allowed.some((a) => a.test(e)));
    errors = [];
    allowed = [];
    expect(unexpected.join('\n'), 'console errors').toBe('');
  });
  return {
    site,
    /** Errors matching these are expected in the current test. */
    allowErrors(...patterns: RegExp[]) {
      allowed.push(...patterns);
    },
    async openPage(
      target: string,
      opts: {
        context?: BrowserContext;
        viewport?: { width: number; height: number };
        cores?: number;
        /** Live paces every epoch to be watched; the tests train Fast unless they are about Live. */
        speed?: 'live' | 'fast';
      } = {},
    ): Promise<Page> {
      const page = opts.context
        ? await opts.context.newPage()
        : await site.browser.newPage({ viewport: opts.viewport ?? DESKTOP });
      // The page's navigator.hardwareConcurrency (not its workers'), as on a machine with that many.
      if (opts.cores) {
        const cdp = await page.context().newCDPSession(page);
        await cdp.send('Emulation.setHardwareConcurrencyOverride', { hardwareConcurrency: opts.cores });
      }
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      // "Leave the page while a run is being saved?": the tests that reload mid-run mean to leave.
      page.on('dialog', (d) => void (d.type() === 'beforeunload' ? d.accept() : d.dismiss()));
      await page.addInitScript(
        ([key, speed]) => {
          if (!localStorage.getItem(key)) localStorage.setItem(key, speed);
        },
        [SPEED_STORAGE_KEY, opts.speed ?? 'fast'],
      );
      await page.goto(target);
      return page;
    },
  };
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's serious and critical findings (and content outside landmarks) on the page as it is now, one line each
 * ("color-contrast: .muted — Fix any of the following…"), so a failure says what to fix.
 */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  // Injected as a script element's text from the test, which the page's policy does not govern.
  await page.evaluate(AXE_SOURCE);
  const results = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            ctx: unknown,
            opts: unknown,
          ) => Promise<{
            violations: { id: string; impact: string; nodes: { target: string[]; failureSummary: string }[] }[];
          }>;
        };
      }
    ).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  return (
    results.violations
      // Serious and critical findings, and content left outside every landmark (moderate, but it
      // leaves screen-reader users without a way to jump to it).
      .filter((v) => v.impact === 'serious' || v.impact === 'critical' || v.id === 'region')
      .flatMap((v) =>
        v.nodes.map((n) => `${v.id}: ${n.target.join(' ')} — ${n.failureSummary.split('\n').slice(0, 2).join(' ')}`),
      )
  );
}

/** No part of the page reaches past the window's width (a phone must never scroll sideways). */
export async function horizontalOverflow(
  page: Page,
): Promise<{ scrollWidth: number; innerWidth: number; widest: string[] }> {
  return page.evaluate(() => {
    const innerWidth = window.innerWidth;
    const widest = [...document.querySelectorAll<HTMLElement>('body *')]
      .filter((el) => el.getBoundingClientRect().right > innerWidth + 0.5 && getComputedStyle(el).position !== 'fixed')
      .slice(0, 8)
      .map(
        (el) =>
          `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : ''} → ${Math.round(el.getBoundingClientRect().right)}`,
      );
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth, widest };
  });
}

/** The panels one click away under the first screen. */
export type WorkbenchPanel =
  'Runs' | 'Compare optimizers' | 'Sweep' | 'Compute cost' | 'Scale out' | 'Inside the network';

/** Open a panel of the workbench (its tab reads e.g. "Runs (3)"). */
export async function openPanel(page: Page, name: WorkbenchPanel): Promise<void> {
  await page.getByRole('tab', { name: new RegExp(`^${name}( \\(\\d+\\))?$`) }).click();
}

/** The backend a run trains on, as the control bar's data says it (its text is in plain words). */
export function activeBackend(page: Page): Promise<string | null> {
  return page.getByTestId('active-backend').getAttribute('data-backend');
}
