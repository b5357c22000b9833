// What a newcomer waits for and sees, measured in the app in headless Chromium: for the default
// experiment in Live mode on "auto", the time from pressing Train to the first drawn epoch, how
// many epochs' boundaries reached the screen, main-thread long tasks and frames; for the names
// transformer on "auto" (its defaults), the time until training starts and until its first epoch
// is drawn. Each on a fresh page (nothing measured earlier is kept), medians over rounds.
import type { Browser, Page } from 'playwright-core';
import { SPEED_STORAGE_KEY } from '../src/state/viewStore';
import { median } from './median';

/** Page-side recorders: long tasks, frames, each drawn boundary epoch and each epoch-count change, with times. */
const RECORDERS = `
  window.longTasks = [];
  window.frames = 0;
  window.drawn = [];
  window.counted = [];
  window.trainedAt = null;
  window.lossDrawnAt = null;
  new PerformanceObserver((list) => list.getEntries().forEach((e) => window.longTasks.push(e.duration)))
    .observe({ type: 'longtask', buffered: true });
  (function tick() { window.frames++; requestAnimationFrame(tick); })();
  addEventListener('DOMContentLoaded', () => {
    new MutationObserver(() => {
      const canvas = document.querySelector('[data-testid="boundary-canvas"]');
      const epoch = canvas ? Number(canvas.dataset.epoch) : 0;
      if (epoch > 0 && window.drawn.at(-1)?.[0] !== epoch) window.drawn.push([epoch, performance.now()]);
      const count = document.querySelector('[data-testid="epoch-count"]')?.textContent ?? '';
      const n = Number((count.match(/Epoch (\\d+)/) ?? [])[1] ?? 0);
      if (n > 0 && window.counted.at(-1)?.[0] !== n) window.counted.push([n, performance.now()]);
      const phase = document.querySelector('[data-testid="phase"]')?.textContent;
      if (phase === 'Training' && window.trainedAt === null) window.trainedAt = performance.now();
      // The loss curve's first line on the screen (in Live mode a long epoch's batches, before it ends).
      if (window.lossDrawnAt === null && document.querySelector('[data-testid="loss-chart"] .recharts-line path'))
        window.lossDrawnAt = performance.now();
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-epoch'] });
  });
`;

interface Recorded {
  longTasks: number[];
  frames: number;
  drawn: [number, number][];
  counted: [number, number][];
  trainedAt: number | null;
  lossDrawnAt: number | null;
}

async function freshPage(browser: Browser, url: string, speed: 'live' | 'fast'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.addInitScript(`localStorage.setItem(${JSON.stringify(SPEED_STORAGE_KEY)}, ${JSON.stringify(speed)});`);
  await page.addInitScript(RECORDERS);
  await page.goto(url);
  await page.waitForTimeout(2000); // let the page settle
  return page;
}

/** Press Train (after resetting the recorders); the page time it was pressed at. */
async function pressTrain(page: Page): Promise<number> {
  const t0 = await page.evaluate(() => {
    const w = window as unknown as Recorded;
    w.longTasks = [];
    w.frames = 0;
    return performance.now();
  });
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  return t0;
}

const recorded = (page: Page): Promise<Pick<Recorded, 'counted' | 'trainedAt' | 'lossDrawnAt'>> =>
  page.evaluate(() => {
    const w = window as unknown as Recorded;
    return { counted: w.counted, trainedAt: w.trainedAt, lossDrawnAt: w.lossDrawnAt };
  });

export interface WatchFigures {
  default: {
    epochs: number[];
    drawnEpochs: number[];
    firstDrawnMs: number[];
    seconds: number[];
    longTasks: number[];
    longestTaskMs: number[];
    fps: number[];
    backend: string[];
  };
  names: { startMs: number[]; firstLossMs: number[]; firstEpochMs: number[]; backend: string[] };
}

export async function watchFigures(browser: Browser, url: string, rounds: number): Promise<WatchFigures> {
  const out: WatchFigures = {
    default: {
      epochs: [],
      drawnEpochs: [],
      firstDrawnMs: [],
      seconds: [],
      longTasks: [],
      longestTaskMs: [],
      fps: [],
      backend: [],
    },
    names: { startMs: [], firstLossMs: [], firstEpochMs: [], backend: [] },
  };
  for (let r = 0; r < rounds; r++) {
    const page = await freshPage(browser, url, 'live');
    const t0 = await pressTrain(page);
    const deadline = Date.now() + 120_000;
    while ((await page.getByTestId('phase').textContent()) !== 'Finished' && Date.now() < deadline)
      await page.waitForTimeout(200);
    const w = await page.evaluate(() => {
      const x = window as unknown as Recorded & {
        playground: { runs: () => { epochs: unknown[]; backend: { active: string } | null }[] };
      };
      const run = x.playground.runs()[0];
      return {
        longTasks: x.longTasks,
        frames: x.frames,
        drawn: x.drawn,
        epochs: run.epochs.length,
        backend: run.backend?.active ?? '?',
        now: performance.now(),
      };
    });
    const d = out.default;
    d.epochs.push(w.epochs);
    d.drawnEpochs.push(new Set(w.drawn.map(([e]) => e)).size);
    d.firstDrawnMs.push(w.drawn.length ? w.drawn[0][1] - t0 : NaN);
    d.seconds.push((w.now - t0) / 1000);
    d.longTasks.push(w.longTasks.length);
    d.longestTaskMs.push(w.longTasks.length ? Math.max(...w.longTasks) : 0);
    d.fps.push(w.frames / ((w.now - t0) / 1000));
    d.backend.push(w.backend);
    await page.close();

    // The names transformer as a newcomer gets it: pick the data, the builder picks the model.
    const lm = await freshPage(browser, url, 'live');
    await lm.locator('select[name="dataset.kind"]').selectOption('names');
    const t1 = await pressTrain(lm);
    const until = Date.now() + 300_000;
    let x = await recorded(lm);
    while (!x.counted.length && Date.now() < until) {
      await lm.waitForTimeout(200);
      x = await recorded(lm);
    }
    out.names.startMs.push(x.trainedAt === null ? NaN : x.trainedAt - t1);
    out.names.firstLossMs.push(x.lossDrawnAt === null ? NaN : x.lossDrawnAt - t1);
    out.names.firstEpochMs.push(x.counted.length ? x.counted[0][1] - t1 : NaN);
    out.names.backend.push((await lm.getByTestId('active-backend').getAttribute('data-backend')) ?? '?');
    await lm.close();
    console.log(`watch round ${r + 1}/${rounds} done`);
  }
  return out;
}

export function printWatchFigures(f: WatchFigures, rounds: number): void {
  const d = f.default;
  console.log(`\nWatching it learn (fresh page each time, "auto", medians of ${rounds}):`);
  console.table([
    {
      what: 'default experiment, Live',
      backend: d.backend.join('/'),
      'Train → first drawn epoch (ms)': Math.round(median(d.firstDrawnMs)),
      'epochs drawn / trained': `${median(d.drawnEpochs)} / ${median(d.epochs)}`,
      'frames per epoch': (median(d.drawnEpochs) / median(d.epochs)).toFixed(2),
      'run (s)': median(d.seconds).toFixed(1),
      'long tasks > 50 ms': `${median(d.longTasks)} (longest ${Math.round(median(d.longestTaskMs))} ms)`,
      fps: median(d.fps).toFixed(0),
    },
  ]);
  console.table([
    {
      what: 'names transformer (its defaults)',
      backend: f.names.backend.join('/'),
      'Train → training starts (ms)': Math.round(median(f.names.startMs)),
      'Train → first loss drawn (ms)': Math.round(median(f.names.firstLossMs)),
      'Train → first drawn epoch (ms)': Math.round(median(f.names.firstEpochMs)),
    },
  ]);
  console.log(
    '(targets: every epoch drawn, no long task from drawing; first drawn epoch ≤ 1.5 s default, ≤ 5 s names)',
  );
}
