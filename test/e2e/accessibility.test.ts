// Everyone can use it: axe-core on what a person opens, a phone screen, a keyboard, and the
// Content-Security-Policy the site ships (every other e2e test also runs under it).
import { beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import {
  TRANSFORMER_OPTION_DEFAULTS,
  datasetDefaults,
  defaultSpec,
  encodeSpec,
  type ExperimentSpec,
} from '../../src/experiment';
import {
  accessibilityProblems,
  activeBackend,
  e2eSite,
  horizontalOverflow,
  openPanel,
  type WorkbenchPanel,
} from './browser';

const e2e = e2eSite();
let url: string;
beforeAll(() => {
  ({ url } = e2e.site);
});

function link(edit: (s: ExperimentSpec) => void = () => {}): string {
  const spec = defaultSpec();
  spec.backend = 'cpu';
  spec.dataset.samples = 200;
  spec.training.epochs = 2;
  edit(spec);
  return `${url}#spec=${encodeSpec(spec)}`;
}

const names = (model: ExperimentSpec['model']) =>
  link((s) => {
    s.dataset = { ...s.dataset, kind: 'names', ...datasetDefaults('names'), samples: 300, contextLength: 8 };
    s.model = model;
    s.training.batchSize = 32;
  });

async function trainToEnd(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 90_000, interval: 250 }).toBe('Finished');
}

test('the site ships a strict Content-Security-Policy: in its page, and from the preview server', async () => {
  const response = await fetch(url);
  // Cross-origin isolated (wasm threads need it); workers alone may start blob: workers (those threads).
  expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
  expect(response.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  const html = await response.clone().text();
  const script = /src="\/(assets\/index-[\w-]+\.js)"/.exec(html)?.[1] ?? '';
  const worker =
    /assets\/training\.worker-[\w-]+\.js/.exec(await (await fetch(new URL(script, url))).text())?.[0] ?? '';
  expect(worker).not.toBe('');
  const workerPolicy = (await fetch(new URL(worker, url))).headers.get('content-security-policy') ?? '';
  expect(workerPolicy).toMatch(/worker-src 'self' blob:/);
  expect(workerPolicy).toMatch(/script-src 'self' 'wasm-unsafe-eval' blob:(;|$)/);
  const header = response.headers.get('content-security-policy') ?? '';
  const meta = (
    /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(await response.text())?.[1] ?? ''
  ).replace(/&#39;/g, "'");
  for (const policy of [header, meta]) {
    expect(policy).toMatch(/script-src 'self' 'wasm-unsafe-eval'(;|$)/);
    expect(policy).toMatch(/worker-src 'self'/);
    expect(policy).not.toMatch(/'unsafe-eval'|script-src[^;]*'unsafe-inline'/);
  }
  // The page itself cannot evaluate text as code (what the cpu backend's optimizer once did).
  const page = await e2e.openPage(link());
  e2e.allowErrors(/Content Security Policy|unsafe-eval/);
  // An inline script and a string timer (evaluated later, by the page itself, not by the test's
  // DevTools call): the policy must stop both.
  const evalBlocked = await page.evaluate(
    () =>
      new Promise<boolean>((resolve) => {
        const script = document.createElement('script');
        script.textContent = 'window.__inline = true';
        document.head.append(script);
        (setTimeout as unknown as (code: string, ms: number) => void)('window.__evaled = true', 0);
        setTimeout(() => {
          const w = window as unknown as { __inline?: boolean; __evaled?: boolean };
          resolve(!w.__inline && !w.__evaled);
        }, 200);
      }),
  );
  expect(evalBlocked).toBe(true);
  await page.close();
});

test('axe-core finds no serious problem: first load, each model kind after a run, the inside view, the lab', async () => {
  const page = await e2e.openPage(link());
  await expect.poll(() => activeBackend(page), { timeout: 60_000 }).toBe('cpu');
  expect(await accessibilityProblems(page), 'first load').toEqual([]);
  await trainToEnd(page);
  // The network panel shows the kept model's graph and maps; every panel of the workbench is checked.
  await expect.poll(() => page.getByTestId('network-graph').count(), { timeout: 20_000 }).toBe(1);
  for (const panel of [
    'Runs',
    'Compare optimizers',
    'Sweep',
    'Compute cost',
    'Scale out',
    'Inside the network',
  ] as WorkbenchPanel[]) {
    await openPanel(page, panel);
    expect(await accessibilityProblems(page), `after an MLP run, ${panel} open`).toEqual([]);
  }
  await page.getByRole('tab', { name: 'Loss-surface lab' }).click();
  await expect.poll(() => page.getByTestId('lab-legend').count(), { timeout: 30_000 }).toBe(1);
  expect(await accessibilityProblems(page), 'the lab').toEqual([]);
  await page.close();
  for (const [label, target] of [
    ['an LSTM', names({ kind: 'lstm', cell: 'lstm', embedding: 8, layers: [{ units: 16, dropout: 0 }] })],
    [
      'a transformer',
      names({ ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 1, dModel: 16, heads: 2, dropout: 0 }),
    ],
  ] as const) {
    const p = await e2e.openPage(target);
    await trainToEnd(p);
    await expect.poll(() => p.getByTestId('lm-figures').count(), { timeout: 20_000 }).toBe(1);
    expect(await accessibilityProblems(p), `after ${label} run`).toEqual([]);
    await p.close();
  }
});

test('on a phone (390 × 844) nothing overflows sideways, panels stack in working order, and the lab plot fits', async () => {
  const phone = { width: 390, height: 844 };
  const page = await e2e.openPage(link(), { viewport: phone });
  await expect.poll(() => activeBackend(page), { timeout: 60_000 }).toBe('cpu');
  await trainToEnd(page);
  const overflow = await horizontalOverflow(page);
  expect(overflow.widest, 'elements past the right edge').toEqual([]);
  expect(overflow.scrollWidth).toBeLessThanOrEqual(phone.width);
  // The result first, right under Train: the boundary and the curves; then the network, the model, the data, training.
  const top = (name: RegExp) =>
    page
      .getByRole('region', { name })
      .first()
      .evaluate((el) => el.getBoundingClientRect().top);
  const order = await Promise.all(
    [/^Decision boundary/, /^Learning curves$/, /^Network$/, /^Model/, /^Data/, /^Training details$/].map(top),
  );
  expect(order).toEqual([...order].sort((a, b) => a - b));
  await page.getByRole('tab', { name: 'Loss-surface lab' }).click();
  await expect.poll(() => page.getByTestId('lab-legend').count(), { timeout: 30_000 }).toBe(1);
  expect((await horizontalOverflow(page)).widest, 'lab elements past the right edge').toEqual([]);
  const plot = await page.getByTestId('surface-canvas').boundingBox();
  expect(plot!.x).toBeGreaterThanOrEqual(0);
  expect(plot!.x + plot!.width).toBeLessThanOrEqual(phone.width);
  await page.close();
});

test('a keyboard moves the lab’s start point and picks a weight in the network graph', async () => {
  const page = await e2e.openPage(link());
  await page.getByRole('tab', { name: 'Loss-surface lab' }).click();
  const start = () => page.getByTestId('lab-start').textContent();
  const before = await start();
  await page.getByTestId('surface-canvas').focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Shift+ArrowUp');
  // The bowl's window is [−3, 3]²: right 2% (0.12), up 10% (0.6) from (−2.6, 1.6).
  expect(before).toMatch(/Start: \(-2\.6, 1\.6\)/);
  await expect.poll(start).toMatch(/Start: \(-2\.48, 2\.2\)/);

  await page.getByRole('tab', { name: 'Playground' }).click();
  await trainToEnd(page);
  await expect.poll(() => page.getByTestId('network-graph').count(), { timeout: 20_000 }).toBe(1);
  const picker = page.getByRole('group', { name: 'Pick a weight' });
  await picker.locator('select[name="weight-layer"]').selectOption({ index: 1 });
  await picker.locator('select[name="weight-from"]').selectOption('3');
  await picker.locator('select[name="weight-to"]').selectOption('5');
  await expect.poll(() => page.getByTestId('weight-info').textContent()).toMatch(/w\[3→5\]/);
  await openPanel(page, 'Inside the network');
  expect(await page.getByTestId('chain-rule').textContent()).toMatch(/w\[3→5\]/);
  // The workbench's tabs: one tab stop, and the arrow keys (Home, End) move between them.
  const selected = (name: RegExp) => page.getByRole('tab', { name }).getAttribute('aria-selected');
  await page.getByRole('tab', { name: 'Inside the network' }).focus();
  await page.keyboard.press('Home');
  await expect.poll(() => selected(/^Runs/)).toBe('true');
  await page.keyboard.press('ArrowLeft');
  await expect.poll(() => selected(/^Inside the network$/)).toBe('true');
  expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Inside the network');
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => selected(/^Runs/)).toBe('true');
  await page.close();
});
