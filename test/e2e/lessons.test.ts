// The Lessons menu: every lesson opens from it, trains (or races) in the browser, and says that its
// run showed the numbers it promises.
import { expect, test } from 'vitest';
import { LESSONS } from '../../src/spec';
import { accessibilityProblems, e2eSite } from './browser';

const e2e = e2eSite();

test('every lesson opens from the menu, trains, and its run shows what the lesson says', async () => {
  const page = await e2e.openPage(e2e.site.url);
  await page.getByRole('button', { name: 'Lessons' }).click();
  expect(await page.getByTestId('lessons').locator('li').count()).toBe(LESSONS.length);
  expect(await accessibilityProblems(page), 'the lessons menu').toEqual([]);
  for (const lesson of LESSONS) {
    if (!(await page.getByTestId('lessons').isVisible())) await page.getByRole('button', { name: 'Lessons' }).click();
    await page.getByRole('button', { name: `Open lesson: ${lesson.title}` }).click();
    const banner = page.getByTestId('lesson-banner');
    expect(await banner.textContent()).toContain(lesson.title);
    if (lesson.target.kind === 'experiment') {
      // wasm keeps the run quick and steady here; the verdict ignores the backend.
      await page.locator('select[name="backend"]').selectOption('wasm');
      await page.getByRole('button', { name: 'Train', exact: true }).click();
    }
    await expect.poll(() => banner.getByTestId('lesson-result').count(), { timeout: 120_000, interval: 250 }).toBe(1);
    expect(await banner.getByTestId('lesson-result').textContent(), lesson.id).toMatch(/^✓ As the lesson says/);
  }
  expect(await accessibilityProblems(page), 'a lesson’s verdict').toEqual([]);
  await page.close();
}, 600_000);
