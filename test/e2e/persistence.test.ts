// Runs survive reloads, other tabs, damaged storage and full disks, and travel as files.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, expect, test } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { unzipSync } from 'fflate';
import { TRANSFORMER_OPTION_DEFAULTS, datasetDefaults, defaultSpec } from '../../src/experiment';
import { encodeSafetensors } from '../../src/export/safetensors';
import { readRunFile } from '../../src/export/runFile';
import { trainBpe } from '../../src/data/bpe';
import { cli, specFile, tempDir } from '../cliHarness';
import {} from './browser';
import { downloaded, epochCount, parseCsv, phaseOf, relativeGap, rows, saved, slowMlp, keptRunsSite } from './runPages';

const { e2e, link, openPage } = keptRunsSite();
let url: string;
let browser: Browser;
beforeAll(() => {
  ({ url, browser } = e2e.site);
});

const tinyTransformer = () =>
  link((s) => {
    s.dataset = { ...s.dataset, kind: 'names', ...datasetDefaults('names'), samples: 400, contextLength: 8 };
    s.model = { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 1, dModel: 16, heads: 2, dropout: 0 };
    s.training.batchSize = 32;
    s.training.epochs = 2;
  });

test('a run interrupted by a reload resumes from its checkpoint and ends on the uninterrupted curve', async () => {
  const { page } = await openPage(link(slowMlp));
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => epochCount(page), { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(10);
  await page.reload();
  // The run comes back interrupted, at the epoch of its last checkpoint (after epoch 1, then at most every 2 s).
  await expect
    .poll(() => phaseOf(page), { timeout: 10_000 })
    .toMatch(/^InterruptedInterrupted at epoch \d+: press Resume/);
  const at = Number((await phaseOf(page))!.match(/epoch (\d+)/)![1]);
  expect(at).toBeGreaterThanOrEqual(1);
  expect(at).toBeLessThan(24);
  // The main button reads Resume where the person looks (Train, beside it, starts a new run).
  expect(await page.getByTestId('phase').textContent()).toBe('Interrupted');
  const main = page.locator('.control-bar button.primary');
  expect(await main.textContent()).toBe('Resume');
  await main.click();
  await expect.poll(() => phaseOf(page), { timeout: 60_000 }).toBe('Finished');
  // The same experiment again, never interrupted.
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => rows(page).count()).toBe(2);
  await expect.poll(() => phaseOf(page), { timeout: 60_000 }).toBe('Finished');
  const [csv] = await downloaded(page, () => page.getByRole('button', { name: 'Metrics CSV' }).click());
  const table = parseCsv(csv.text);
  const runs = [...new Set(table.map((r) => r.run))];
  expect(runs).toHaveLength(2);
  const curve = (run: string) => table.filter((r) => r.run === run);
  const [resumed, whole] = runs.map(curve);
  expect(resumed.map((r) => Number(r.epoch))).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
  for (const [i, r] of resumed.entries()) {
    for (const column of ['trainLoss', 'valLoss', 'learningRate', 'step']) {
      expect(relativeGap(Number(r[column]), Number(whole[i][column])), `${column} at epoch ${i + 1}`).toBeLessThan(
        1e-6,
      );
    }
  }
  // After a reload, the inside-the-network views of a finished run are drawn from its kept model.
  await saved(page);
  await page.reload();
  await rows(page).first().getByRole('button', { name: 'view' }).click();
  await expect.poll(() => page.getByText('Run ended: showing its kept model.').count(), { timeout: 30_000 }).toBe(1);
  expect(await page.locator('input[name="example-index"]').count()).toBe(1);
  // Deleting its weights keeps the curves and says the model is gone.
  const sizeOf = async () =>
    (await rows(page).first().locator('.muted.small').first().textContent())!.match(/([\d.]+) KB kept/)![1];
  const before = Number(await sizeOf());
  await rows(page)
    .first()
    .getByRole('button', { name: /^Delete weights of/ })
    .click();
  await expect.poll(() => rows(page).first().textContent()).toContain('no model kept');
  expect(Number(await sizeOf())).toBeLessThan(before);
  await page.close();
});

test('a finished language model is sampled and trained further after a reload; its weights load into a fresh browser', async () => {
  const { page } = await openPage(tinyTransformer());
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => phaseOf(page), { timeout: 120_000 }).toBe('Finished');
  await saved(page);
  await page.reload();
  await expect.poll(() => phaseOf(page), { timeout: 10_000 }).toBe('Finished');
  // Greedy sampling (temperature 0) from the kept model.
  await page.locator('input[name="sampling.temperature"]').fill('0');
  await page.locator('input[name="sampling.prompt"]').fill('.ma');
  await page.getByRole('button', { name: 'Sample now' }).click();
  const asked = page.getByTestId('asked-sample').locator('pre');
  await expect.poll(() => asked.textContent(), { timeout: 60_000 }).toMatch(/^ma/);
  const greedy = await asked.textContent();
  // Top-k and top-p: the sample says how it was drawn, and each drawn character its probability and the likeliest others.
  await page.locator('select[name="sampling.topK"]').selectOption('3');
  await page.locator('input[name="sampling.topP"]').fill('0.9');
  await page.getByRole('button', { name: 'Sample now' }).click();
  await expect
    .poll(() => page.getByTestId('asked-sample').locator('.small.muted').textContent(), { timeout: 60_000 })
    .toMatch(/^On demand · temperature 0 · top-k 3 · top-p 0.9 · shaded by how unlikely/);
  expect(await asked.textContent()).toBe(greedy); // temperature 0: the likeliest still, whatever the cut
  const drawn = asked.locator('.drawn');
  expect(await drawn.count()).toBeGreaterThan(10);
  expect(await drawn.first().getAttribute('title')).toMatch(
    /^".+": [\d.]+% likely to the model\. Likeliest: (".+" [\d.]+%, ){4}".+" [\d.]+%$/,
  );
  // The attention view answers a typed text from the kept model too.
  await page.locator('input[name="attention.text"]').fill('.anna');
  await page.getByRole('button', { name: 'Show', exact: true }).click();
  await expect.poll(() => page.getByTestId('attention-heatmap').getAttribute('aria-label')).toMatch(/layer 1, head 1/);
  const [heatmap] = await downloaded(page, () =>
    page.locator('.attention').getByRole('button', { name: 'Download PNG' }).click(),
  );
  expect(heatmap.name).toBe('attention-layer-1-head-1.png');
  expect(readFileSync(heatmap.path).subarray(1, 4).toString()).toBe('PNG');

  // Its weights, downloaded with its spec, give the very same greedy sample in a fresh browser.
  const files = await downloaded(page, () => page.getByRole('button', { name: /^Download weights of Run 1/ }).click());
  expect(files.map((f) => f.name).sort()).toEqual(
    [expect.stringMatching(/\.safetensors$/), expect.stringMatching(/\.spec\.json$/)].sort(),
  );
  const weights = files.find((f) => f.name.endsWith('.safetensors'))!;
  const fresh = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const other = await openPage(url, fresh);
  await other.page.locator('input[aria-label="Weights file to load"]').setInputFiles(weights.path);
  await expect.poll(() => rows(other.page).count()).toBe(1);
  // Evaluated as it came: the same data and weights score what the run that made them scored last.
  const lastScore = (await rows(page).first().getByTestId('run-result').textContent())!.replace(/ · 2 ep$/, '');
  expect(lastScore).toMatch(/^val [\d.]+ nats\/char · ppl [\d.]+ · acc [\d.]+%$/);
  await expect
    .poll(() => rows(other.page).first().getByTestId('run-result').textContent(), { timeout: 30_000 })
    .toBe(`${lastScore} · as loaded`);
  await other.page.locator('input[name="sampling.temperature"]').fill('0');
  await other.page.locator('input[name="sampling.prompt"]').fill('.ma');
  await other.page.getByRole('button', { name: 'Sample now' }).click();
  await expect
    .poll(() => other.page.getByTestId('asked-sample').locator('pre').textContent(), { timeout: 60_000 })
    .toBe(greedy);
  // Weights that do not fit the experiment they are loaded into are refused, naming the tensor and both shapes.
  const foreign = encodeSafetensors([{ name: 'layers.0.weight', shape: [3, 8], values: new Float32Array(24) }]);
  await other.page
    .locator('input[aria-label="Weights file to load"]')
    .setInputFiles({ name: 'foreign.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(foreign) });
  await expect
    .poll(() => other.page.getByTestId('notice').allTextContents())
    .toContainEqual(
      "foreign.safetensors does not fit: The weights do not fit this model: the tensor layers.0.weight has shape [3, 8], but this model's is [2, 8].Dismiss",
    );
  await expect.poll(() => rows(other.page).count()).toBe(1);
  await fresh.close();

  // Continue training the kept model for one more epoch: the curve goes on to epoch 3.
  await rows(page).first().locator('input[aria-label^="More epochs for"]').fill('1');
  await page.getByRole('button', { name: /^Continue Run 1/ }).click();
  // The row says "Finished" until the click has taken effect (it first reads the kept model back),
  // so wait for the third epoch itself, then for the end.
  await expect.poll(() => page.getByTestId('epoch-count').textContent(), { timeout: 120_000 }).toBe('Epoch 3 / 3');
  await expect.poll(() => phaseOf(page), { timeout: 60_000 }).toBe('Finished');
  await page.close();
});

test('two tabs: distinct run ids, and a run finished in one appears in the other', async () => {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const quick = link((s) => {
    s.training.epochs = 3;
    s.dataset.samples = 200;
  });
  const a = await openPage(quick, context);
  const b = await openPage(quick, context);
  await Promise.all([a, b].map((t) => t.page.getByRole('button', { name: 'Train', exact: true }).click()));
  for (const t of [a, b]) await expect.poll(() => rows(t.page).count(), { timeout: 30_000 }).toBe(2);
  for (const t of [a, b]) {
    await expect
      .poll(async () => (await rows(t.page).getByTestId('run-phase').allTextContents()).join(), { timeout: 30_000 })
      .toBe('Finished,Finished');
  }
  const ids = async (p: Page) =>
    (await rows(p).evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-run-id')))).sort();
  expect(new Set(await ids(a.page)).size).toBe(2);
  expect(await ids(b.page)).toEqual(await ids(a.page));
  // And after a reload both are still there, once each.
  await saved(a.page);
  await a.page.reload();
  await expect.poll(() => ids(a.page)).toEqual(await ids(b.page));
  // A run training in a third tab shows as such; when that tab is closed mid-run, it becomes interrupted.
  const c = await openPage(link(slowMlp), context);
  await c.page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => epochCount(c.page), { timeout: 60_000, interval: 100 }).toBeGreaterThanOrEqual(8);
  await expect.poll(() => phaseOf(b.page), { timeout: 10_000 }).toBe('In another tab');
  await c.page.close();
  await expect
    .poll(() => phaseOf(b.page), { timeout: 15_000 })
    .toMatch(/^InterruptedInterrupted at epoch \d+: press Resume/);
  await context.close();
});

test('a fast run with many batches an epoch, reloaded mid-run, loses no more than about the save interval', async () => {
  // 3,200 training points in batches of 4: 800 batch losses an epoch, kept with the run.
  const { page } = await openPage(
    link((s) => {
      s.dataset.samples = 4000;
      s.training.batchSize = 4;
      s.training.epochs = 5000;
    }),
  );
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => epochCount(page), { timeout: 60_000, interval: 200 }).toBeGreaterThanOrEqual(5);
  // Train on a while (the run and its figures grow), noting when the page showed each epoch.
  const seen: [number, number][] = [];
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    seen.push([Date.now(), await epochCount(page)]);
    await page.waitForTimeout(200);
  }
  const reloadedAt = Date.now();
  await page.reload();
  await expect.poll(() => phaseOf(page), { timeout: 15_000 }).toMatch(/^InterruptedInterrupted at epoch \d+/);
  const kept = Number((await phaseOf(page))!.match(/Interrupted at epoch (\d+)/)![1]);
  // What was lost: the time since the page first showed the epoch it came back at.
  const shownAt = seen.find(([, epoch]) => epoch >= kept)?.[0] ?? reloadedAt;
  const lostSeconds = (reloadedAt - shownAt) / 1000;
  // A checkpoint about every second, and one write under way on top of it: about 2 s at most.
  expect(lostSeconds, `kept epoch ${kept}; the page showed ${seen.at(-1)![1]} at the reload`).toBeLessThan(2.5);
  await page.close();
}, 90_000);

test('a damaged stored run is skipped with one message; one left "running" without a checkpoint shows as interrupted', async () => {
  const { page } = await openPage(
    link((s) => {
      s.training.epochs = 2;
    }),
  );
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => phaseOf(page), { timeout: 30_000 }).toBe('Finished');
  await saved(page);
  await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('nn-playground');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error ?? new Error('indexedDB.open failed'));
    });
    const store = db.transaction('runs', 'readwrite').objectStore('runs');
    const good = await new Promise<Record<string, unknown>>((resolve) => {
      const r = store.getAll();
      r.onsuccess = () => resolve(r.result[0]);
    });
    store.put({ ...good, id: 7, spec: {} });
    store.put({ ...good, id: 8, epochs: 'x' });
    store.put({ ...good, id: [7, 1] }); // a key no run has: an array
    store.put({ ...good, id: 9, name: 'Left running', phase: 'running', model: null });
    await new Promise((r) => (store.transaction.oncomplete = r));
    db.close();
  });
  await page.reload();
  await expect
    .poll(() => page.getByTestId('notice').allTextContents(), { timeout: 10_000 })
    .toEqual([expect.stringMatching(/^3 saved runs could not be read and were skipped\./)]);
  await expect.poll(() => rows(page).count()).toBe(2);
  const phases = await rows(page).getByTestId('run-phase').allTextContents();
  expect(phases).toContain('InterruptedInterrupted before its first checkpoint: it cannot be resumed; train it again.');
  expect(phases).toContain('Finished');
  // The app works: it trains.
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => rows(page).count()).toBe(3);
  // Skipped records are set aside, so the message does not come back.
  await page.reload();
  await expect.poll(() => rows(page).count(), { timeout: 10_000 }).toBe(3);
  expect(await page.getByTestId('notice').count()).toBe(0);
  await page.close();
});

test('when storage is full the person is told what was not saved, and training goes on', async () => {
  const { page } = await openPage(
    link((s) => {
      s.training.epochs = 30;
      s.dataset.samples = 300;
      s.training.batchSize = 8;
    }),
  );
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin: new URL(url).origin, quotaSize: 1 });
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect
    .poll(() => page.getByTestId('notice').first().textContent(), { timeout: 30_000 })
    .toMatch(
      /^Run 1 · Adam lr 0\.01 \(.*\) could not be saved: the browser’s storage for this site is full \(\d+(\.\d)? (B|KB)\)\. Training goes on.*Free space by deleting runs or just their weights/,
    );
  await expect.poll(() => phaseOf(page), { timeout: 60_000 }).toBe('Finished');
  expect(await epochCount(page)).toBe(30);
  // "All saved" is never said of writes the browser refused.
  await expect
    .poll(() => page.getByTestId('stored-total').textContent())
    .toMatch(/· 1 run not saved \(the browser refused: storage full\)$/);
  await page.close();
});

test('runs exported as a file import into a fresh browser with identical curves; a damaged file changes nothing; 1,000 runs import whole and survive a reload', async () => {
  const { page } = await openPage(
    link((s) => {
      s.training.epochs = 3;
      s.dataset.samples = 200;
    }),
  );
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => phaseOf(page), { timeout: 30_000 }).toBe('Finished');
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => phaseOf(page), { timeout: 30_000 }).toBe('Finished');
  const [file] = await downloaded(page, () => page.getByRole('button', { name: 'Export shown runs' }).click());
  const [csv] = await downloaded(page, () => page.getByRole('button', { name: 'Metrics CSV' }).click());
  const legend = await page.getByTestId('loss-chart').locator('.chart-legend').textContent();

  const fresh = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const other = await openPage(url, fresh);
  // A damaged file first: a message naming the field, and nothing added.
  const damaged = JSON.parse(file.text);
  damaged.runs[1].epochs[0].valLoss = 'x';
  await other.page.locator('input[aria-label="Run file to import"]').setInputFiles({
    name: 'damaged.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(damaged)),
  });
  await expect
    .poll(() => other.page.getByTestId('notice').textContent())
    .toBe(
      'The file was not imported (nothing was changed): runs[1].epochs[0].valLoss must be a number (got "x").Dismiss',
    );
  expect(await other.page.getByTestId('runs-table').count()).toBe(0);
  // Dropped on the page.
  const dropped = await other.page.evaluateHandle((text) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([text], 'runs.json', { type: 'application/json' }));
    return transfer;
  }, file.text);
  await other.page.dispatchEvent('.app', 'drop', { dataTransfer: dropped });
  await expect.poll(() => rows(other.page).count()).toBe(2);
  await expect.poll(() => other.page.getByTestId('loss-chart').locator('.chart-legend').textContent()).toBe(legend);
  const [csvAgain] = await downloaded(other.page, () =>
    other.page.getByRole('button', { name: 'Metrics CSV' }).click(),
  );
  // Same figures; the run column holds this browser's new ids.
  const strip = (text: string) => parseCsv(text).map(({ run: _r, ...rest }) => rest);
  expect(strip(csvAgain.text)).toEqual(strip(csv.text));
  // Imported with their models: they continue training here.
  await rows(other.page).first().locator('input[aria-label^="More epochs for"]').fill('2');
  await rows(other.page)
    .first()
    .getByRole('button', { name: /^Continue/ })
    .click();
  await expect.poll(() => other.page.getByTestId('epoch-count').textContent(), { timeout: 30_000 }).toBe('Epoch 5 / 5');
  await fresh.close();

  // The most a file may hold: read in a worker, the first 20 shown, saved in batches, all kept.
  const many = JSON.parse(file.text);
  many.runs = Array.from({ length: 1000 }, (_, i) => many.runs[i % 2]);
  const manyPath = join(tempDir('e2e-import'), 'runs.json');
  writeFileSync(manyPath, JSON.stringify(many));
  const third = await openPage(url, await browser.newContext({ viewport: { width: 1400, height: 1000 } }));
  await third.page.locator('input[aria-label="Run file to import"]').setInputFiles(manyPath);
  await expect
    .poll(() => third.page.getByTestId('notice').allTextContents(), { timeout: 60_000 })
    .toContainEqual('Imported 1000 runs; the first 20 are shown on the charts (tick others in the Runs panel).Dismiss');
  expect(await rows(third.page).count()).toBe(1000);
  expect(await third.page.locator('input[aria-label^="Show "][aria-label$=" on the charts"]:checked').count()).toBe(20);
  await expect
    .poll(() => third.page.getByTestId('stored-total').textContent(), { timeout: 120_000 })
    .toMatch(/all saved$/);
  await third.page.reload();
  await expect.poll(() => rows(third.page).count(), { timeout: 30_000 }).toBe(1000);
  await third.page.context().close();
  await page.close();
});

test('a run file written by the CLI overlays in the app, and its "Export as PyTorch" zip holds the files the CLI exports', async () => {
  const spec = defaultSpec();
  spec.backend = 'cpu';
  spec.training.epochs = 3;
  spec.dataset.samples = 200;
  const dir = tempDir('e2e-cli');
  const path = specFile(dir, spec);
  expect((await cli(['train', path, '--out', join(dir, 'cli.json')])).status).toBe(0);
  expect((await cli(['export-pytorch', path, '--out', join(dir, 'program')])).status).toBe(0);

  const { page } = await openPage(url);
  await page.locator('input[aria-label="Run file to import"]').setInputFiles(join(dir, 'cli.json'));
  await expect.poll(() => rows(page).count()).toBe(1);
  expect(await rows(page).first().locator('input.run-name-input').inputValue()).toBe('CLI · Adam lr 0.01 · seed 42');
  await expect.poll(() => page.getByTestId('epoch-count').textContent()).toBe('Epoch 3 / 3');
  expect(await phaseOf(page)).toBe('Finished');
  const [zip] = await downloaded(page, () => page.getByRole('button', { name: /^Export as PyTorch/ }).click());
  expect(zip.name).toBe('CLI-Adam-lr-0.01-seed-42-pytorch.zip');
  const files = unzipSync(new Uint8Array(readFileSync(zip.path)));
  const names = ['train.py', 'parallel.py', 'README.md', 'spec.json', 'init.safetensors', 'data.safetensors'];
  expect(Object.keys(files).sort()).toEqual(names.map((n) => `CLI-Adam-lr-0.01-seed-42-pytorch/${n}`).sort());
  for (const n of names) {
    expect(
      Buffer.from(files[`CLI-Adam-lr-0.01-seed-42-pytorch/${n}`]).equals(readFileSync(join(dir, 'program', n))),
      n,
    ).toBe(true);
  }
  await page.close();
});

test('a byte-pair model’s weights file carries its merges: loaded, the text is read with them, not learned again', async () => {
  const spec = defaultSpec();
  spec.backend = 'cpu';
  spec.dataset = { ...spec.dataset, kind: 'names', ...datasetDefaults('names'), samples: 300, contextLength: 8 };
  spec.dataset.tokenizer = { kind: 'bpe', vocabSize: 300 };
  spec.model = { ...TRANSFORMER_OPTION_DEFAULTS, kind: 'transformer', layers: 1, dModel: 16, heads: 2, dropout: 0 };
  spec.training = { ...spec.training, batchSize: 32, epochs: 1 };
  const dir = tempDir('e2e-bpe');
  expect((await cli(['train', specFile(dir, spec), '--out', join(dir, 'run.json')])).status).toBe(0);
  const read = readRunFile(readFileSync(join(dir, 'run.json'), 'utf8'));
  if (!read.ok) throw new Error(JSON.stringify(read.errors));
  const { run, checkpoint } = read.runs[0];
  const weightsWith = (merges: ArrayLike<number>, name: string) => {
    const path = join(dir, `${name}.safetensors`);
    const about = { format: 'nn-playground-weights', spec: JSON.stringify(spec), epoch: '1', run: name };
    writeFileSync(
      path,
      encodeSafetensors(checkpoint!.weights, { ...about, merges: JSON.stringify(Array.from(merges)) }),
    );
    return path;
  };
  const valOf = async (page: Page) => {
    const result = rows(page).first().getByTestId('run-result');
    await expect.poll(() => result.textContent(), { timeout: 30_000 }).toMatch(/as loaded$/);
    return Number(/^val ([\d.]+) nats\/token/.exec((await result.textContent())!)![1]);
  };
  // With its own merges: it scores what its run scored, and samples text.
  const { page } = await openPage(url);
  await page.locator('input[aria-label="Weights file to load"]').setInputFiles(weightsWith(checkpoint!.merges!, 'own'));
  await expect.poll(() => rows(page).count()).toBe(1);
  const own = await valOf(page);
  expect(Math.abs(own - run.epochs.at(-1)!.valLoss)).toBeLessThan(2e-3);
  await page.locator('input[name="sampling.prompt"]').fill('.ma');
  await page.getByRole('button', { name: 'Sample now' }).click();
  await expect
    .poll(() => page.getByTestId('asked-sample').locator('pre').textContent(), { timeout: 60_000 })
    .toMatch(/^ma./);
  await page.close();
  // With other (valid) merges, learned from the speeches: the names read as other tokens, and it scores otherwise.
  // So the file's merges are what the app reads the text with (learning them again would give the run's own).
  const speeches = trainBpe(readFileSync('datasets/sotu.txt', 'utf8').slice(0, 50_000), 300).merges;
  const other = await openPage(url);
  await other.page.locator('input[aria-label="Weights file to load"]').setInputFiles(weightsWith(speeches, 'other'));
  await expect.poll(() => rows(other.page).count()).toBe(1);
  expect(Math.abs((await valOf(other.page)) - own)).toBeGreaterThan(5e-3);
  await other.page.close();
});

test('a database that lacks a store (damaged, or made by something else) is repaired, and runs are kept', async () => {
  const page = await e2e.site.browser.newPage();
  page.on('pageerror', (e) => {
    throw e;
  });
  // Before the app opens it: the database at the app's version with the runs store only.
  await page.addInitScript(() => {
    if (localStorage.getItem('crafted')) return;
    localStorage.setItem('crafted', '1');
    const r = indexedDB.open('nn-playground', 4);
    r.onupgradeneeded = () => r.result.createObjectStore('runs', { keyPath: 'id' });
    r.onsuccess = () => r.result.close();
  });
  await page.goto(
    link((s) => {
      s.training.epochs = 3;
      s.dataset.samples = 200;
    }),
  );
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await expect.poll(() => phaseOf(page), { timeout: 30_000 }).toBe('Finished');
  await saved(page);
  expect(await page.getByTestId('notice').count()).toBe(0);
  await page.reload();
  await expect.poll(() => phaseOf(page), { timeout: 10_000 }).toBe('Finished');
  expect(await page.getByTestId('run-result').textContent()).toMatch(/ · 3 ep$/);
  await page.close();
});

test('runs kept before epochs had a store of their own (database version 3) load with their curves, and keep them after a write', async () => {
  const spec = defaultSpec();
  const epochs = [1, 2, 3].map((n) => ({
    epoch: n,
    step: n * 25,
    batchLosses: [0.7 / n, 0.6 / n],
    trainLoss: 0.65 / n,
    valLoss: 0.7 / n,
    trainAccuracy: 0.5 + n / 10,
    valAccuracy: 0.5 + n / 10,
    valExactMatch: null,
    trainEvaluated: 400,
    ms: 10,
    examplesPerSec: 40000,
    gflop: 0.001,
    gflopPerSec: 0.1,
    cumulativeGflop: 0.001 * n,
    cumulativeMs: 10 * n,
    learningRate: 0.01,
    layers: [{ name: 'dense 1', weightNorm: 1, gradNorm: 0.1 }],
    numTensors: 20,
    tensorBytes: 4000,
    gpuBytes: null,
    gpuBytesAllocated: null,
  }));
  const legacy = {
    id: 77,
    name: 'Run 1 · kept long ago',
    color: '#0072b2',
    spec,
    phase: 'completed',
    message: null,
    backend: { active: 'cpu', fallbacks: [] },
    epochs,
    views: {},
    samples: [],
    visible: true,
    model: null,
    test: null,
  };
  const page = await e2e.site.browser.newPage({ viewport: { width: 1400, height: 1000 } });
  // The database as version 3 of the app left it, before the app opens it.
  await page.addInitScript((record) => {
    if (localStorage.getItem('legacy')) return;
    localStorage.setItem('legacy', '1');
    const r = indexedDB.open('nn-playground', 3);
    r.onupgradeneeded = () => {
      const d = r.result;
      d.createObjectStore('runs', { keyPath: 'id' }).put(record);
      d.createObjectStore('checkpoints', { keyPath: 'id' });
      d.createObjectStore('setAside', { autoIncrement: true });
      d.createObjectStore('userData');
    };
    r.onsuccess = () => r.result.close();
  }, legacy);
  await page.goto(url);
  const result = () => page.getByTestId('run-result').first().textContent();
  await expect.poll(result, { timeout: 10_000 }).toBe('val loss 0.2333 · acc 80.0% · 3 ep');
  // Its next write (hiding it from the charts) moves its epochs to the new store; nothing is lost.
  await page.getByRole('checkbox', { name: /^Show Run 1 · kept long ago/ }).uncheck();
  await saved(page);
  const kept = await page.evaluate(async () => {
    const d = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('nn-playground');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error ?? new Error('indexedDB.open failed'));
    });
    const all = (store: string) =>
      new Promise<{ epochs: unknown[] }[]>((resolve) => {
        const r = d.transaction(store).objectStore(store).getAll();
        r.onsuccess = () => resolve(r.result as { epochs: unknown[] }[]);
      });
    const [runs, chunks] = [await all('runs'), await all('epochs')];
    d.close();
    return { inline: runs[0].epochs.length, chunked: chunks.map((c) => c.epochs.length) };
  });
  expect(kept).toEqual({ inline: 0, chunked: [3] });
  await page.reload();
  await expect.poll(result, { timeout: 10_000 }).toBe('val loss 0.2333 · acc 80.0% · 3 ep');
  expect(await page.getByTestId('notice').count()).toBe(0);
  await page.close();
});
