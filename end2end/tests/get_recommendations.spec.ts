import { type Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { signUp, uniqueEmail } from './support';

async function fillProfile(page: Page) {
  await page.getByLabel('Learning goal').fill('Build reliable data pipelines');
  await page.getByLabel('Current level').selectOption({ label: 'Beginner' });
  await page.getByLabel('Hours per week').fill('6');
  await page.getByRole('checkbox', { name: 'python', exact: true }).check();
  await page.getByRole('checkbox', { name: 'sql', exact: true }).check();
  await page.getByRole('checkbox', { name: 'data engineering', exact: true }).check();
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByText('Saved. Your profile is now at version 2.')).toBeVisible();
}

test('a learner asks, reads why, rates with feedback, and finds it in the history', async ({ page }) => {
  await signUp(page, uniqueEmail('recommend'));
  await fillProfile(page);

  await page.getByRole('banner').getByRole('link', { name: 'For you' }).click();
  await expect(page.getByRole('heading', { name: 'Courses for you' })).toBeVisible();
  await expect(page.getByText('10 of 10 requests left')).toBeVisible();
  await page.getByLabel('What do you want to learn? (optional)').fill('I want to get into data engineering');
  await page.getByRole('button', { name: 'Recommend courses' }).click();

  const card = page.locator('article.recommendation');
  await expect(card.getByText('You asked: I want to get into data engineering')).toBeVisible();
  // The picks, best match first (the learning path below lists them again).
  const courses = card.locator('.recommended-courses').getByRole('listitem');
  const count = await courses.count();
  // Only courses that answer the question: no padding with unrelated ones.
  expect(count).toBeGreaterThanOrEqual(2);
  expect(count).toBeLessThanOrEqual(10);
  // Every course says why, citing the learner's own words and pace.
  for (let index = 0; index < count; index++) {
    await expect(courses.nth(index).locator('.why')).toContainText('at your 6 hours a week');
  }
  await expect(card.getByText(/as you asked/).first()).toBeVisible();
  // The same courses as an order of study, with the reason for each place.
  const path = card.getByRole('region', { name: 'Learning path' });
  await expect(path.getByRole('listitem')).toHaveCount(count);
  await expect(path.getByText(/^Start here/)).toBeVisible();
  await expect(card.getByText(/from profile version 2 · by builtin-v1/)).toBeVisible();
  await expect(page.getByText('9 of 10 requests left')).toBeVisible();

  await card.getByRole('radio', { name: '4 stars' }).check();
  await card.getByLabel('Feedback (optional)').fill('Helpful; more SQL please.');
  await card.getByRole('button', { name: 'Save rating' }).click();
  await expect(card.getByText('Rating saved: 4 stars')).toBeVisible();

  await page.reload();
  const reloaded = page.locator('article.recommendation');
  await expect(reloaded.getByRole('radio', { name: '4 stars' })).toBeChecked();
  await expect(reloaded.getByLabel('Feedback (optional)')).toHaveValue('Helpful; more SQL please.');
  await expect(reloaded.getByText(/You rated this 4 stars|Rating saved: 4 stars/)).toBeVisible();

  await page.getByRole('link', { name: 'Your earlier recommendations' }).click();
  const history = page.getByRole('list', { name: 'Earlier recommendations' });
  await expect(history.getByText('You asked: I want to get into data engineering')).toBeVisible();
  await expect(history.getByText(/from profile version 2 · by builtin-v1/)).toBeVisible();
  await expect(history.getByRole('radio', { name: '4 stars' })).toBeChecked();
});

test('a question the catalog cannot help with gets a polite answer', async ({ page }) => {
  await signUp(page, uniqueEmail('poem'));
  await page.goto('/recommendations');
  await page.getByLabel('What do you want to learn? (optional)').fill('write me a poem');
  await page.getByRole('button', { name: 'Recommend courses' }).click();
  await expect(page.getByText('nothing in it is about “write me a poem”')).toBeVisible();
  await expect(page.locator('article.recommendation')).toHaveCount(0);
  await expect(page.getByText('10 of 10 requests left')).toBeVisible();
});

test('an empty profile is guided to fill it and gets labelled popular picks', async ({ page }) => {
  await signUp(page, uniqueEmail('empty'));
  await page.goto('/recommendations');
  await expect(page.getByRole('link', { name: 'Add your interests and a goal' })).toBeVisible();
  await page.getByRole('button', { name: 'Recommend courses' }).click();
  const card = page.locator('article.recommendation');
  await expect(card.getByText('Popular picks, not personalised')).toBeVisible();
  await expect(card.locator('.badge.difficulty-beginner').first()).toBeVisible();
  await expect(card.locator('.difficulty-advanced')).toHaveCount(0);
});

test('recommendations need a login', async ({ page }) => {
  await page.goto('/recommendations');
  await expect(page).toHaveURL(/\/login\?next=(%2F|\/)recommendations$/);
});
