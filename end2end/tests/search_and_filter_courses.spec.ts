import { type Page } from '@playwright/test';
import { test, expect } from './fixtures';

// The catalog comes from data/courses.json, imported by the server at start-up.

const noJavaScript = () => test.info().project.name === 'no-javascript';

/** The number of matching courses, once the results for the current address are in. */
async function courseCount(page: Page): Promise<number> {
  await expect(page.locator('.results[aria-busy="true"]')).toHaveCount(0);
  const text = await page.locator('.result-count').innerText();
  const match = text.match(/(\d+) courses?/);
  return match ? Number(match[1]) : 0;
}

function courseCards(page: Page) {
  return page.getByRole('list', { name: 'Courses' }).getByRole('listitem').filter({
    has: page.getByRole('heading', { level: 2 }),
  });
}

function tagChips(page: Page) {
  return page.getByRole('list', { name: 'Tag filters' }).getByRole('listitem');
}

async function addTag(page: Page, tag: string) {
  await page.getByLabel('Add a tag').fill(tag);
  await page.getByLabel('Add a tag').press('Enter');
}

async function chooseDifficulty(page: Page, label: string) {
  await page.getByLabel('Difficulty').selectOption({ label });
  if (noJavaScript()) await page.getByRole('button', { name: 'Apply' }).click();
}

test('a learner searches, narrows by tags and difficulty, and the address keeps the view', async ({
  page,
}) => {
  await page.goto('/courses');
  await page.getByLabel('Search').fill('data');
  await page.getByLabel('Search').press('Enter');
  await expect(page).toHaveURL(/[?&]q=data\b/);
  const searched = await courseCount(page);
  expect(searched).toBeGreaterThan(1);
  await expect(courseCards(page).locator('mark').first()).toBeVisible();

  await addTag(page, 'python');
  await expect(tagChips(page)).toHaveCount(1);
  await addTag(page, 'data analysis');
  await expect(tagChips(page)).toHaveCount(2);
  await expect(page).toHaveURL(/tag=python/);
  await expect(page).toHaveURL(/tag=data(\+|%20)analysis/);
  await expect(courseCards(page).locator('.tags', { hasNotText: 'data analysis' })).toHaveCount(0);
  const tagged = await courseCount(page);
  expect(tagged).toBeGreaterThan(0);
  expect(tagged).toBeLessThanOrEqual(searched);
  // Both tags, not either: every card carries both.
  for (const card of await courseCards(page).all()) {
    await expect(card.getByRole('link', { name: 'Courses tagged python', exact: true })).toBeVisible();
    await expect(card.getByRole('link', { name: 'Courses tagged data analysis', exact: true })).toBeVisible();
  }

  await chooseDifficulty(page, 'Beginner');
  await expect(page).toHaveURL(/difficulty=beginner/);
  await expect(courseCards(page).first()).toBeVisible();
  await expect(courseCards(page).locator('.badge', { hasNotText: 'Beginner' })).toHaveCount(0);
  const narrowed = await courseCount(page);

  await page.reload();
  await expect(page.getByLabel('Search')).toHaveValue('data');
  await expect(page.getByLabel('Difficulty')).toHaveValue('beginner');
  await expect(tagChips(page)).toHaveCount(2);
  expect(await courseCount(page)).toBe(narrowed);

  await page.goBack();
  await expect(page).not.toHaveURL(/difficulty=beginner/);
  await expect(page.getByLabel('Difficulty')).toHaveValue('');
  await expect(tagChips(page)).toHaveCount(2);
  await expect.poll(() => courseCount(page)).toBe(tagged);

  // Taking a tag away widens the view again.
  await page.getByRole('link', { name: 'Remove the tag python' }).click();
  await expect(tagChips(page)).toHaveCount(1);
  await expect.poll(() => courseCount(page)).toBeGreaterThanOrEqual(tagged);

  // Open a course, then follow one of its tags back into the catalog.
  const firstTitle = courseCards(page).first().getByRole('heading', { level: 2 }).getByRole('link');
  const title = (await firstTitle.innerText()).trim();
  await firstTitle.click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(title);
  await expect(page.getByRole('heading', { name: 'Syllabus' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Skills you will gain' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Related courses' })).toBeVisible();
  await page
    .getByRole('list', { name: 'Tags' })
    .getByRole('link', { name: 'Courses tagged data analysis', exact: true })
    .click();
  await expect(page).toHaveURL(/\/courses\?tag=data(\+|%20)analysis$/);
  await expect(tagChips(page)).toHaveCount(1);
  await expect(tagChips(page)).toContainText('data analysis');
});

test('a mistyped search still finds the courses, and says what it searched for', async ({ page }) => {
  await page.goto('/courses?q=pyhton');
  await expect(page.getByText('Did you mean')).toBeVisible();
  await expect(page.getByRole('link', { name: 'python', exact: true }).first()).toBeVisible();
  expect(await courseCount(page)).toBeGreaterThan(0);
  await expect(courseCards(page).first().locator('mark').first()).toHaveText(/python/i);
});

test('nothing matching offers ways to widen the search', async ({ page }) => {
  await page.goto('/courses?q=python&tag=leadership&difficulty=advanced');
  await expect(page.getByText('No courses match.')).toBeVisible();
  await page.getByRole('link', { name: 'Remove the tag “leadership”' }).click();
  await expect.poll(() => courseCount(page)).toBeGreaterThan(0);
  await expect(page).not.toHaveURL(/leadership/);
});

test('odd addresses are corrected with a note, never an error page', async ({ page }) => {
  const response = await page.goto(
    `/courses?difficulty=expert&min_hours=-3&max_hours=abc&sort=sideways&page=99999&tag=no-such-tag&q=${'x'.repeat(10_000)}`,
  );
  expect(response?.status()).toBe(200);
  await expect(page.getByText('“expert” is not a difficulty')).toBeVisible();
  await expect(page.getByText('There is no tag “no-such-tag”')).toBeVisible();
  await expect(page.getByText('cut to its first 200 characters')).toBeVisible();
});

test('an unknown course address shows a not-found page', async ({ page }) => {
  const response = await page.goto('/courses/no-such-course-here');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { level: 1, name: 'Course not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Browse the catalog' }).click();
  await expect(page).toHaveURL(/\/courses$/);
});

test('the tag index lists tags by category with counts', async ({ page }) => {
  await page.goto('/tags');
  await expect(page.getByRole('heading', { level: 1, name: 'Browse by tag' })).toBeVisible();
  await expect(page.getByRole('heading', { level: 2, name: 'Data', exact: true })).toBeVisible();
  await page.getByRole('link', { name: 'sql', exact: true }).click();
  await expect(page).toHaveURL(/\/courses\?tag=sql$/);
  expect(await courseCount(page)).toBeGreaterThanOrEqual(2);
});
