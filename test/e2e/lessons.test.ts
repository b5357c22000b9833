// The Lessons menu: every lesson opens from it, trains (or races) in the browser, and says that its
// run showed the numbers it promises.
import { expect, test } from 'vitest';
import { LESSONS } from '../../src/experiment';
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

test('opening lessons keeps the person’s own experiment, which the banner brings back', async () => {
  const page = await e2e.openPage(e2e.site.url);
  const epochs = page.locator('input[name="training.epochs"]');
  await epochs.fill('37');
  const [first, second] = LESSONS.filter((l) => l.target.kind === 'experiment');
  for (const lesson of [first, second]) {
    await page.getByRole('button', { name: 'Lessons' }).click();
    await page.getByRole('button', { name: `Open lesson: ${lesson.title}` }).click();
    if (lesson.target.kind === 'experiment')
      expect(await epochs.inputValue()).toBe(String(lesson.target.spec.training.epochs));
  }
  // The second lesson replaced the first's experiment: what comes back is the person's own.
  expect(await accessibilityProblems(page), 'the lesson banner').toEqual([]);
  await page.getByRole('button', { name: 'Back to your experiment' }).click();
  expect(await epochs.inputValue()).toBe('37');
  expect(await page.getByTestId('lesson-banner').count()).toBe(0);
  await page.close();
});
