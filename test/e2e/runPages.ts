// Helpers shared by the browser tests of kept runs (persistence, recovery, your own data): links to small
// experiments, reading the runs list and the control bar, and files the page downloads.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { MLP_OPTION_DEFAULTS, defaultSpec, encodeSpec, type ExperimentSpec } from '../../src/experiment';
import { e2eSite } from './browser';

/** The served site and Chromium for one file, with links to small experiments and pages opened on them. */
export function keptRunsSite() {
  const e2e = e2eSite();
  return {
    e2e,
    link: (edit: (s: ExperimentSpec) => void) => specLink(e2e.site.url, edit),
    openPage: async (target: string, context?: BrowserContext): Promise<{ page: Page }> => ({
      page: await e2e.openPage(target, { context }),
    }),
  };
}

/** A link to the default experiment on the cpu backend, then `edit`ed. */
export function specLink(url: string, edit: (s: ExperimentSpec) => void): string {
  const spec = defaultSpec();
  spec.backend = 'cpu';
  edit(spec);
  return `${url}#spec=${encodeSpec(spec)}`;
}

/** An MLP slow enough on cpu (≈ 0.3 s an epoch) to reload in the middle of it. */
export function slowMlp(s: ExperimentSpec): void {
  s.dataset.samples = 2000;
  s.training.batchSize = 8;
  s.training.epochs = 24;
  s.training.schedule = { ...s.training.schedule, kind: 'cosine', minLearningRate: 0.001 };
  s.model = {
    ...MLP_OPTION_DEFAULTS,
    kind: 'mlp',
    hidden: [
      { units: 8, activation: 'tanh', dropout: 0.2 },
      { units: 8, activation: 'tanh', dropout: 0 },
    ],
  };
}

export const rows = (page: Page) => page.getByTestId('runs-table').locator('tbody tr');
export const phaseOf = (page: Page, i = 0) => rows(page).nth(i).getByTestId('run-phase').textContent();
/** Wait until the app says every write reached storage (a reload before that may lose the last ones). */
export const saved = (page: Page) =>
  expect.poll(() => page.getByTestId('stored-total').textContent(), { timeout: 10_000 }).toMatch(/all saved$/);
export const epochCount = async (page: Page) =>
  Number((await page.getByTestId('epoch-count').textContent())!.match(/Epoch (\d+)/)![1]);

/** Quoted CSV cells as the export writes them. */
export function parseCsv(text: string): Record<string, string>[] {
  const lines = text
    .trim()
    .split('\n')
    .map((l) =>
      [...l.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)]
        .slice(0, -1)
        .map((m) => m[1].replace(/^"|"$/g, '').replace(/""/g, '"')),
    );
  return lines.slice(1).map((cells) => Object.fromEntries(lines[0].map((h, i) => [h, cells[i]])));
}

/** The files a click makes the page download, with their text. */
export async function downloaded(
  page: Page,
  click: () => Promise<void>,
): Promise<{ name: string; text: string; path: string }[]> {
  const files: { name: string; text: string; path: string }[] = [];
  const seen = new Promise<void>((resolve) => {
    page.on('download', async (d) => {
      const path = await d.path();
      files.push({ name: d.suggestedFilename(), text: readFileSync(path, 'utf8'), path });
      resolve();
    });
  });
  await click();
  await seen;
  await page.waitForTimeout(300); // a second file (the spec beside the weights) may follow
  return files;
}

export const relativeGap = (a: number, b: number) => Math.abs(a - b) / Math.max(1e-12, Math.abs(b));

/** From now on, keep every text the control bar's data progress shows, however briefly (read by dataProgressSeen). */
export async function watchDataProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = ((window as unknown as { progressSeen: string[] }).progressSeen = []);
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid="data-progress"]')?.textContent;
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

export const dataProgressSeen = (page: Page) =>
  page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
