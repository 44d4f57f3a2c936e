import { type Page } from '@playwright/test';
import { test, expect } from './fixtures';

// The catalog comes from data/courses.json, imported by the server at start-up.

async function courseCount(page: Page): Promise<number> {
  const text = await page.getByRole('status').filter({ hasText: /course/ }).first().innerText();
  const match = text.match(/(\d+) courses?/);
  if (!match) throw new Error(`no course count in “${text}”`);
  return Number(match[1]);
}

async function chooseDifficulty(page: Page, label: string) {
  await page.getByLabel('Difficulty').selectOption({ label });
  // With JavaScript the choice applies itself; without, the Apply button submits the GET form.
  if (test.info().project.name === 'no-javascript') {
    await page.getByRole('button', { name: 'Apply' }).click();
  }
}

test('a learner browses the catalog and narrows it by difficulty', async ({ page }) => {
  await page.goto('/courses');
  await expect(page.getByRole('heading', { level: 1, name: 'Course catalog' })).toBeVisible();

  const courses = page.getByRole('list', { name: 'Courses' }).getByRole('listitem').filter({
    has: page.getByRole('heading', { level: 2 }),
  });
  const everything = await courseCount(page);
  expect(everything).toBeGreaterThanOrEqual(60);
  // Twenty to a page.
  await expect(courses).toHaveCount(20);
  await expect(page.getByRole('navigation', { name: 'Pages' })).toContainText('Page 1 of');

  await chooseDifficulty(page, 'Advanced');
  await expect(page).toHaveURL(/[?&]difficulty=advanced\b/);
  await expect.poll(() => courseCount(page)).toBeLessThan(everything);
  const advanced = await courseCount(page);
  expect(advanced).toBeGreaterThan(0);
  await expect(courses).toHaveCount(Math.min(advanced, 20));
  const badges = courses.locator('.badge');
  await expect(badges).toHaveCount(Math.min(advanced, 20));
  for (const badge of await badges.all()) {
    await expect(badge).toHaveText('Advanced');
  }

  await chooseDifficulty(page, 'Any difficulty');
  await expect.poll(() => courseCount(page)).toBe(everything);
});

test('a shared link reproduces the filtered view, and a bad one explains itself', async ({ page }) => {
  await page.goto('/courses?difficulty=beginner');
  await expect(page.getByLabel('Difficulty')).toHaveValue('beginner');
  const beginner = await courseCount(page);
  expect(beginner).toBeGreaterThan(0);

  await page.goto('/courses?difficulty=wizard');
  await expect(page.getByText('“wizard” is not a difficulty')).toBeVisible();
  expect(await courseCount(page)).toBeGreaterThan(beginner);
});

test('filtering happens in place, without reloading the page @needs-wasm', async ({ page }) => {
  // Hydration mismatches and panics surface as console errors.
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.goto('/courses');
  // Wait for hydration: the WASM marks the document once it is live.
  await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
  await page.evaluate(() => ((window as unknown as { stayedOnPage: boolean }).stayedOnPage = true));

  await chooseDifficulty(page, 'Intermediate');
  await expect(page).toHaveURL(/difficulty=intermediate/);
  await expect(page.locator('.course-list .badge').first()).toHaveText('Intermediate');
  await expect(page.locator('.course-list .badge', { hasNotText: 'Intermediate' })).toHaveCount(0);
  const stayed = await page.evaluate(
    () => (window as unknown as { stayedOnPage?: boolean }).stayedOnPage === true,
  );
  expect(stayed, 'the list changed without a full page load').toBe(true);
  expect(consoleErrors).toEqual([]);
});

test('an unknown address shows a helpful not-found page', async ({ page }) => {
  const response = await page.goto('/no-such-page');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Browse the catalog' }).click();
  await expect(page).toHaveURL(/\/courses$/);
});

test('health probes answer JSON', async ({ request }) => {
  const live = await request.get('/healthz');
  expect(live.status()).toBe(200);
  expect(await live.json()).toEqual({ status: 'ok' });
  const ready = await request.get('/readyz');
  expect(ready.status()).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ok', database: 'ok' });
});
