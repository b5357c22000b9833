// The person's own data: points drawn on the plane, their CSV tables, and the loss-surface lab, kept in links and storage.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { unzipSync, zipSync } from 'fflate';
import { beforeAll, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { TRANSFORMER_OPTION_DEFAULTS, datasetDefaults } from '../../src/experiment';
import { deriveSeed, generate2d, Rng } from '../../src/data';
import { decodeOwnImages } from '../../src/data/ownImages';
import { cnnOnOwnImages, stripes, stripesZip } from '../helpers/imageFiles';
import { tempDir } from '../cliHarness';
import { accessibilityProblems, openPanel } from './browser';
import { dataProgressSeen, downloaded, phaseOf, saved, keptRunsSite, watchDataProgress } from './runPages';

const { e2e, link, openPage } = keptRunsSite();

/** A zip of one class folder of images. */
const oneClassZip = () =>
  zipSync(Object.fromEntries(Object.entries(unzipSync(stripesZip(6))).filter(([name]) => name.includes('/across/'))));
let url: string;
let browser: Browser;
beforeAll(() => {
  ({ url, browser } = e2e.site);
});

test('the loss-surface lab is part of the link: a reload and a shared link open it as it was; a damaged one says why', async () => {
  const { page } = await openPage(url);
  await page.getByRole('tab', { name: 'Loss-surface lab' }).click();
  await page.locator('select[name="surface"]').selectOption('himmelblau');
  await page.locator('input[name="lab-adam"]').uncheck();
  await page.locator('input[name="lab-nesterov"]').check();
  await page.getByTestId('surface-canvas').click({ position: { x: 240, y: 60 } });
  await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#lab=/);
  const start = await page.getByText(/^Start: \(/).textContent();
  expect(start).not.toBe(`Start: (-0.5, -0.3) — click the plot to move it.`);
  const settingsOf = async (p: Page) => ({
    surface: await p.locator('select[name="surface"]').inputValue(),
    start: await p.getByText(/^Start: \(/).textContent(),
    chosen: await p
      .locator('input[name^="lab-"][type="checkbox"]')
      .evaluateAll((boxes) => boxes.map((b) => (b as HTMLInputElement).checked)),
  });
  const before = await settingsOf(page);
  await page.reload();
  expect(await page.getByRole('tab', { name: 'Loss-surface lab' }).getAttribute('aria-selected')).toBe('true');
  expect(await settingsOf(page)).toEqual(before);
  const shared = await openPage(page.url());
  expect(await settingsOf(shared.page)).toEqual(before);
  // Back on the playground, the address bar holds the experiment again.
  await page.getByRole('tab', { name: 'Playground' }).click();
  await expect.poll(() => page.evaluate(() => location.hash)).toMatch(/^#spec=/);
  const wrong = Buffer.from(JSON.stringify({ surface: 'moon' })).toString('base64url');
  const damaged = await openPage(`${url}#lab=${wrong}`);
  await expect
    .poll(() => damaged.page.getByRole('alert').first().textContent())
    .toMatch(
      /^The lab link could not be opened, so the lab's defaults are shown: Surface: must be one of bowl, rosenbrock, beale, himmelblau, saddle \(lab\.surface\); Conditioning κ: must be/,
    );
  expect(await damaged.page.locator('select[name="surface"]').inputValue()).toBe('bowl');
  for (const p of [page, shared.page, damaged.page]) await p.close();
});

test('the plane shows the data being edited at once, and a run’s boundary only over the data it trained on', async () => {
  const { page } = await openPage(
    link((s) => {
      s.training.epochs = 3;
    }),
  );
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => phaseOf(page), { timeout: 30_000 }).toBe('Finished');
  const title = page.locator('h2', { hasText: 'Decision boundary' });
  await expect.poll(() => title.textContent()).toMatch(/^Decision boundary · Run 1/);
  // Pictures: the boundary and a line chart as PNG, the line chart as SVG with its legend.
  const isPng = (path: string) =>
    readFileSync(path).subarray(1, 4).toString() === 'PNG' && readFileSync(path).length > 1000;
  const [boundary] = await downloaded(page, () =>
    page.locator('figure.boundary').getByRole('button', { name: 'Download PNG' }).click(),
  );
  expect(boundary.name).toBe('decision-boundary.png');
  expect(isPng(boundary.path)).toBe(true);
  const lossTitle = (await page.getByTestId('loss-chart').locator('h3').textContent())!;
  const [png] = await downloaded(page, () =>
    page.getByRole('button', { name: `Download ${lossTitle} as PNG` }).click(),
  );
  expect(isPng(png.path)).toBe(true);
  const [svg] = await downloaded(page, () =>
    page.getByRole('button', { name: `Download ${lossTitle} as SVG` }).click(),
  );
  expect(svg.text).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  expect(svg.text).toContain('recharts-line-curve');
  expect(svg.text).toContain('>validation</text>');
  await page.locator('select[name="dataset.kind"]').selectOption('xor');
  await expect.poll(() => title.textContent()).toBe('Decision boundary');
  await page.locator('select[name="dataset.kind"]').selectOption('circle');
  await expect.poll(() => title.textContent()).toMatch(/^Decision boundary · Run 1/);
  // Choosing the run in the list shows its own data and boundary whatever is being edited.
  await page.locator('input[name="dataset.noise"]').fill('0.1');
  await expect.poll(() => title.textContent()).toBe('Decision boundary');
  await page.getByRole('button', { name: 'view', exact: true }).click();
  await expect.poll(() => title.textContent()).toMatch(/^Decision boundary · Run 1/);
  await page.close();
});

test('your own CSV: a broken row is named, a fixed file trains to a confusion matrix, a numeric target to a scatter; links need the table', async () => {
  const lines = ['x,y,colour,label'];
  for (let i = 0; i < 150; i++) {
    const c = i % 3;
    lines.push(
      `${(c * 3 + ((i * 7) % 5) / 10).toFixed(2)},${(-c * 2 + ((i * 3) % 7) / 10).toFixed(2)},${['red', 'green', 'blue'][c]},${['a', 'b', 'c'][c]}`,
    );
  }
  const good = lines.join('\n');
  const broken = [...lines.slice(0, 7), '0.5,oops,red,a', ...lines.slice(8)].join('\n');
  const { page } = await openPage(
    link((s) => {
      s.training.epochs = 20;
    }),
  );
  await page.locator('select[name="dataset.kind"]').selectOption('userTable');
  const upload = page.locator('input[type="file"][accept^=".csv"]');
  await upload.setInputFiles({ name: 'broken.csv', mimeType: 'text/csv', buffer: Buffer.from(broken) });
  await expect
    .poll(() => page.locator('[data-field="dataset.csv"] .field-error').textContent())
    .toBe('Your table: row 8, column "y": "oops" is not a number.');
  expect(await page.getByRole('button', { name: 'Train', exact: true }).isDisabled()).toBe(true);
  await upload.setInputFiles({ name: 'blobs.csv', mimeType: 'text/csv', buffer: Buffer.from(good) });
  await expect
    .poll(() => page.getByTestId('table-summary').textContent())
    .toMatch(
      /^150 rows × 4 columns \(blobs\.csv\)\. Predicting “label” as 3 classes \(a, b, c\) from 5 inputs \(text columns one-hot encoded\)/,
    );
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => phaseOf(page), { timeout: 60_000 }).toBe('Finished');
  const matrix = page.getByTestId('confusion-matrix');
  expect(await matrix.locator('thead th').allTextContents()).toEqual(['t\\p', 'a', 'b', 'c', 'recall']);
  // A numeric target: regression, shown as predicted against true.
  await page.locator('select[name="dataset.table.target"]').selectOption('x');
  // x has 15 distinct values, so Automatic makes classes of them; the person overrides it.
  await expect.poll(() => page.getByTestId('table-summary').textContent()).toMatch(/Predicting “x” as 15 classes/);
  await page.locator('select[name="dataset.table.task"]').selectOption('regression');
  await expect
    .poll(() => page.getByTestId('table-summary').textContent())
    .toMatch(/Predicting “x” as a number \(regression\)/);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => phaseOf(page), { timeout: 60_000 }).toBe('Finished');
  await expect
    .poll(() => page.getByTestId('scatter-canvas').getAttribute('aria-label'))
    .toBe('Predicted against true value for 30 validation rows');
  // The table stays in this browser across a reload, and is never in the link: a fresh browser is asked for its own.
  await saved(page);
  await page.reload();
  await expect
    .poll(() => page.getByTestId('table-summary').textContent())
    .toMatch(/^150 rows × 4 columns \(blobs\.csv\)/);
  const fresh = await browser.newContext();
  const other = await openPage(page.url(), fresh);
  // It is asked for, not flagged: no field is marked invalid before the person has touched it.
  const ask = other.page.locator('.control-bar .awaiting-data');
  await expect.poll(() => ask.textContent()).toBe('Add your table to train');
  expect(await other.page.locator('.field-invalid, [aria-invalid="true"]').count()).toBe(0);
  expect(await other.page.locator('.invalid-count').count()).toBe(0);
  expect(await other.page.getByRole('button', { name: 'Train', exact: true }).isDisabled()).toBe(true);
  await ask.click();
  expect(await other.page.evaluate(() => document.activeElement?.id)).toBe('user-csv');
  // Something typed is the person's: a table too small to read is flagged.
  await other.page.locator('#user-csv').fill('x');
  await expect.poll(() => other.page.locator('[data-field="dataset.csv"].field-invalid').count()).toBe(1);
  expect(await ask.count()).toBe(0);
  await fresh.close();
  await page.close();
});

test('your own images: a zip or a folder of class folders is decoded, summarised, trained on by a CNN, kept; problems are named', async () => {
  const dir = tempDir('own-images');
  const zip = join(dir, 'stripes.zip');
  writeFileSync(zip, stripesZip(30));
  const { page } = await openPage(
    link((s) => {
      s.backend = 'wasm';
      cnnOnOwnImages(s, 16, 6);
    }),
  );
  // Nothing given yet: asked for, not flagged.
  await expect.poll(() => page.locator('.control-bar .awaiting-data').textContent()).toBe('Add your images to train');
  expect(await page.locator('.field-invalid').count()).toBe(0);
  // One class is not enough, and says which it found.
  await page
    .locator('#user-images-zip')
    .setInputFiles({ name: 'one.zip', mimeType: 'application/zip', buffer: Buffer.from(oneClassZip()) });
  await expect
    .poll(() => page.locator('[data-field="dataset.images"] .field-error').textContent())
    .toBe(
      "Your images: only one class (“across”) was found: put each class's images in a folder of its own, at least two.",
    );
  expect(await page.getByRole('button', { name: 'Train', exact: true }).isDisabled()).toBe(true);
  await page.locator('#user-images-zip').setInputFiles(zip);
  const summary = page.getByTestId('own-images-summary');
  await expect
    .poll(() => summary.locator('.field-hint').first().textContent())
    .toMatch(
      /^60 images in 2 classes \(stripes\.zip\), each cropped to its central square; .* 1 file was left out: stripes\/README\.txt: not an image/,
    );
  expect(await summary.locator('.own-class-name').allTextContents()).toEqual(['across (30)', 'down (30)']);
  expect(await summary.getByRole('img').first().getAttribute('aria-label')).toBe(
    'The first 6 images of across, at 16×16 in colour',
  );
  // Inside the network is open before the run starts: it waits for the model, then shows a colour image's classes.
  await openPanel(page, 'Inside the network');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => page.getByTestId('phase').textContent(), { timeout: 60_000 }).toBe('Finished');
  await expect
    .poll(() => page.getByTestId('image-prediction').textContent(), { timeout: 15_000 })
    .toMatch(/^Validation image 1 · true class (across|down)/);
  expect(await page.getByText('this run kept no model').allTextContents()).toEqual([]);
  await openPanel(page, 'Runs');
  const matrix = page.getByTestId('confusion-matrix');
  expect(await matrix.locator('thead th').allTextContents()).toEqual(['t\\p', 'across', 'down', 'recall']);
  // Augmentation: a flip is allowed (these are not digits), and the preview shows them in colour as a batch sees them.
  await page.locator('input[name="dataset.augment.shift"]').fill('2');
  await page.locator('input[name="dataset.augment.flip"]').check();
  await page.getByRole('button', { name: 'Preview what the network sees' }).click();
  await expect.poll(() => page.getByTestId('augment-preview').locator('canvas').count()).toBe(32);
  // The download for the CLI is the kept images with their class names.
  const [file] = await downloaded(page, () =>
    page.getByRole('button', { name: 'Download for the CLI (.imgz)' }).click(),
  );
  expect(file.name).toBe('stripes.imgz');
  const back = decodeOwnImages(gunzipSync(readFileSync(file.path)), 'download');
  expect([back.n, back.classes]).toEqual([60, ['across', 'down']]);
  // Kept in this browser across a reload.
  await saved(page);
  await page.reload();
  await expect.poll(() => summary.locator('.own-class-name').allTextContents()).toEqual(['across (30)', 'down (30)']);
  expect(await page.getByRole('button', { name: 'Train', exact: true }).isDisabled()).toBe(false);
  // A folder chosen the same way: its class folders are the classes.
  const folder = join(dir, 'shapes');
  for (const [name, bytes] of Object.entries(unzipSync(stripesZip(6, 2, 'shapes'))))
    if (name.startsWith('shapes/') && name.endsWith('.png')) {
      mkdirSync(join(dir, dirname(name)), { recursive: true });
      writeFileSync(join(dir, name), bytes);
    }
  await page.locator('#user-images-folder').setInputFiles(folder);
  await expect
    .poll(() => summary.locator('.field-hint').first().textContent())
    .toMatch(/^12 images in 2 classes \(shapes\)/);
  // Or files picked class by class: each class named, then its files chosen.
  await page.getByText('Or pick files class by class').click();
  const rng = new Rng(5);
  for (const [name, across] of [
    ['rows', true],
    ['columns', false],
  ] as const) {
    await page.locator('#own-class-name').fill(name);
    await page.getByLabel('Add images to this class').setInputFiles(
      Array.from({ length: 5 }, (_, i) => ({
        name: `${i}.png`,
        mimeType: 'image/png',
        buffer: Buffer.from(stripes(rng, 20, 20, across)),
      })),
    );
  }
  await page.getByRole('button', { name: 'Use these 10 images' }).click();
  await expect.poll(() => summary.locator('.own-class-name').allTextContents()).toEqual(['columns (5)', 'rows (5)']);
  expect(await accessibilityProblems(page)).toEqual([]);
  await page.close();
});

test('a big table is read beside the page with its progress, and a kept one only when its experiment is opened', async () => {
  const header = Array.from({ length: 20 }, (_, c) => (c === 19 ? 'label' : `f${c}`)).join(',');
  const lines = [header];
  for (let r = 0; r < 60_000; r++)
    lines.push(Array.from({ length: 20 }, (_, c) => (c === 19 ? String(r % 2) : ((r * (c + 3)) % 997) / 10)).join(','));
  const path = join(tempDir('e2e-table'), 'big.csv');
  writeFileSync(path, lines.join('\n'));
  const { page } = await openPage(url);
  const fileWorkers = () => page.workers().filter((w) => w.url().includes('files.worker')).length;
  await page.locator('select[name="dataset.kind"]').selectOption('userTable');
  await page.locator('input[type="file"][accept^=".csv"]').setInputFiles(path);
  await expect
    .poll(() => page.getByTestId('table-summary').textContent(), { timeout: 60_000 })
    .toMatch(/^60,000 rows × 20 columns \(big\.csv\)\. Predicting “label” as 2 classes \(0, 1\) from 19 inputs/);
  expect(fileWorkers()).toBe(1);
  // The text box shows the table's start, which cannot be edited.
  expect(await page.locator('#user-csv').getAttribute('readonly')).not.toBeNull();
  const kept = () =>
    page.evaluate(
      () =>
        new Promise<boolean>((resolve) => {
          const open = indexedDB.open('nn-playground');
          open.onsuccess = () => {
            const get = open.result.transaction('userData').objectStore('userData').get('table');
            get.onsuccess = () => resolve(get.result?.csv instanceof Blob);
            get.onerror = () => resolve(false);
          };
          open.onerror = () => resolve(false);
        }),
    );
  await expect.poll(kept).toBe(true);
  // Another experiment: after a reload the kept table is not read at all…
  await page.locator('select[name="dataset.kind"]').selectOption('circle');
  await page.reload();
  await expect.poll(() => page.getByRole('button', { name: 'Train', exact: true }).isEnabled()).toBe(true);
  await page.waitForTimeout(1000);
  expect(fileWorkers()).toBe(0);
  // …until its experiment is opened.
  await page.locator('select[name="dataset.kind"]').selectOption('userTable');
  await expect
    .poll(() => page.getByTestId('table-summary').textContent(), { timeout: 60_000 })
    .toMatch(/^60,000 rows × 20 columns \(big\.csv\)/);
  expect(fileWorkers()).toBe(1);
  await page.close();
});

test('points drawn on the plane: click adds, shift-click the other class, right-click removes; they are in the link and train', async () => {
  const { page } = await openPage(
    link((s) => {
      s.dataset.samples = 200;
      s.training.epochs = 3;
    }),
  );
  const plane = page.getByTestId('boundary-canvas');
  const box = (await plane.boundingBox())!;
  const at = (x1: number, x2: number) => ({ x: ((x1 + 6) / 12) * box.width, y: ((6 - x2) / 12) * box.height });
  const hint = () => page.locator('[data-field="dataset.validationSplit"] .field-hint').textContent();
  expect(await hint()).toBe('160 train / 40 validation');
  await plane.click({ position: at(0, 0) });
  await plane.click({ position: at(5.5, 5.5), modifiers: ['Shift'] });
  await expect.poll(() => page.getByTestId('drawn-count').textContent()).toBe('2 points added, 0 removed by hand.');
  expect(await hint()).toBe('162 train / 40 validation');
  // Right-click on a point drawn by hand takes it away; on a generated one, that one.
  await plane.click({ position: at(0, 0), button: 'right' });
  await expect.poll(() => page.getByTestId('drawn-count').textContent()).toBe('1 point added, 0 removed by hand.');
  const generated = generate2d('circle', 200, 0.3, deriveSeed(42, 'data'));
  await plane.click({ position: at(generated.x[0], generated.x[1]), button: 'right' });
  await expect.poll(() => page.getByTestId('drawn-count').textContent()).toBe('1 point added, 1 removed by hand.');
  // The edits are part of the experiment: a reload (the link) keeps them, and a run trains on them.
  await page.reload();
  await expect.poll(() => page.getByTestId('drawn-count').textContent()).toBe('1 point added, 1 removed by hand.');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => phaseOf(page), { timeout: 30_000 }).toBe('Finished');
  await expect.poll(() => page.locator('h2', { hasText: 'Decision boundary' }).textContent()).toMatch(/· Run 1/);
  await page.locator('input[name="show-validation"]').uncheck();
  await expect.poll(() => page.locator('figure.boundary figcaption').textContent()).toMatch(/Filled dots: training\./);
  // Regenerate: a fresh sample (the next seed), without the hand-made changes.
  await page.getByRole('button', { name: 'Regenerate' }).click();
  await expect.poll(() => page.locator('input[name="seed"]').inputValue()).toBe('43');
  expect(await page.getByTestId('drawn-count').count()).toBe(0);
  await page.close();
});

test('a plane full of hand-drawn points says a click adds no more', async () => {
  const { page } = await openPage(
    link((s) => {
      s.dataset.drawn.added = Array.from({ length: 2000 }, (_, i) => [
        ((i % 40) - 20) / 4,
        (Math.floor(i / 40) - 25) / 5,
        i % 2,
      ]);
    }),
  );
  const count = page.getByTestId('drawn-count');
  await expect
    .poll(() => count.textContent())
    .toBe(
      '2000 points added, 0 removed by hand. That is the most a plane takes (2,000): a click adds no more; right-click removes some to make room.',
    );
  await page.getByTestId('boundary-canvas').click({ position: { x: 20, y: 20 } });
  await page.waitForTimeout(300);
  expect(await count.textContent()).toMatch(/^2000 points added/);
  await page.close();
});

test('your own text: an 8 MB file is counted beside the page, its size and alphabet shown; byte pairs read an alphabet a character model refuses; kept across a reload', async () => {
  const { page } = await openPage(
    link((s) => {
      s.backend = 'wasm';
      s.dataset = { ...s.dataset, kind: 'userText', ...datasetDefaults('userText'), samples: 300, contextLength: 16 };
      s.model = { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 1, dModel: 16, heads: 2, dropout: 0 };
      s.training.epochs = 1;
    }),
  );
  // The speeches eight times over (8.2 MB, more than an earlier 2 MB limit), then 300 Chinese characters.
  const speeches = readFileSync('datasets/sotu.txt', 'utf8');
  const hanzi = Array.from({ length: 300 }, (_, i) => String.fromCharCode(0x4e00 + i)).join('');
  const text = speeches.repeat(8) + hanzi;
  await page
    .locator('#user-text ~ .row input[type="file"]')
    .setInputFiles({ name: 'big.txt', mimeType: 'text/plain', buffer: Buffer.from(text) });
  const stats = page.getByTestId('user-text-stats');
  const counted = new RegExp(
    `^8\\.\\d MB, ${[...text].length.toLocaleString('en-US')} characters, ${new Set(text).size.toLocaleString('en-US')} distinct \\(big\\.txt\\); the box shows its start`,
  );
  await expect.poll(() => stats.textContent(), { timeout: 60_000 }).toMatch(counted);
  expect(await page.locator('#user-text').getAttribute('readonly')).not.toBeNull();
  // Characters: the alphabet is too big, and the message says what reads it.
  const error = page.locator('[data-field="dataset.text"] .field-error');
  expect(await error.textContent()).toMatch(
    /different characters; a character model allows at most 200 \(byte pairs, under Tokens, read any text\)/,
  );
  expect(await page.getByRole('button', { name: 'Train', exact: true }).isDisabled()).toBe(true);
  await page.locator('select[name="dataset.tokenizer.kind"]').selectOption('bpe');
  await page.locator('input[name="dataset.tokenizer.vocabSize"]').fill('300');
  await expect.poll(() => error.count()).toBe(0);
  // Every text the control bar's progress shows while the byte pairs of 7 MB are learned and the text is cut into
  // tokens, however briefly.
  await watchDataProgress(page);
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => phaseOf(page), { timeout: 120_000 }).toBe('Finished');
  const seen = await dataProgressSeen(page);
  // The merges as they are learned, then (a big text) how far cutting it into tokens has come.
  expect(seen.some((s) => /^Byte pairs\s+\d+%$/.test(s))).toBe(true);
  expect(seen.at(-1)).toMatch(/^Tokenizing\s+\d+%$/);
  expect(seen.some((s) => /^Tokenizing\s+([1-9]\d?)%$/.test(s))).toBe(true); // 7 MB: reported every MB
  expect(seen.every((s) => /^(Byte pairs|Tokenizing)\s+\d+%$/.test(s))).toBe(true);
  expect(await accessibilityProblems(page)).toEqual([]);
  // Kept in this browser (IndexedDB, not the link): counted again after a reload.
  await page.reload();
  await expect.poll(() => stats.textContent(), { timeout: 60_000 }).toMatch(counted);
  expect(page.url().length).toBeLessThan(4000);
  await page.close();
});

test('text kept by an earlier version (in localStorage) is moved into IndexedDB, not lost', async () => {
  const { page } = await openPage(url);
  const text = 'An earlier visit kept this text. '.repeat(40);
  await page.evaluate(
    (kept) => localStorage.setItem('nn-playground.userText', JSON.stringify({ text: kept, source: 'old.txt' })),
    text,
  );
  await page.goto(
    link((s) => {
      s.dataset = { ...s.dataset, kind: 'userText', ...datasetDefaults('userText') };
      s.model = { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 1, dModel: 16, heads: 2, dropout: 0 };
    }),
  );
  await page.reload(); // a new link changes only the hash: load the app afresh, as a later visit does
  const stats = page.getByTestId('user-text-stats');
  await expect.poll(() => stats.textContent()).toMatch(/^1\.3 KB, 1,320 characters, \d+ distinct \(old\.txt\)/);
  expect(await page.locator('#user-text').inputValue()).toBe(text);
  await expect.poll(() => page.evaluate(() => localStorage.getItem('nn-playground.userText'))).toBeNull();
  // Kept where it went: a reload shows it again.
  await page.reload();
  await expect.poll(() => stats.textContent()).toMatch(/\(old\.txt\)/);
  await page.close();
});
