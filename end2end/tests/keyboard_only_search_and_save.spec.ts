import { test, expect } from './fixtures';
import { signUp, uniqueEmail } from './support';

// Everything by keyboard: focus is visible, and after a search or a save it
// lands somewhere that makes sense.

const noJavaScript = () => test.info().project.name === 'no-javascript';

test('a keyboard user skips to the content and searches the catalog', async ({ page }) => {
  await page.goto('/courses');
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  const search = page.getByLabel('Search', { exact: true });
  await expect(search).toBeFocused();
  await expect(search).toHaveCSS('outline-style', 'solid');

  await page.keyboard.type('sql');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/[?&]q=sql\b/);
  await expect(page.locator('.result-count')).toHaveText(/\d+ courses?/);
  // The live app swaps the results in place: the search box keeps focus.
  if (!noJavaScript()) await expect(search).toBeFocused();

  // Tab reaches the first course; its link shows focus.
  const firstCourse = page.getByRole('list', { name: 'Courses' }).getByRole('link').first();
  await firstCourse.focus();
  await expect(firstCourse).toHaveCSS('outline-style', 'solid');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/courses\/[a-z0-9-]+$/);
});

test('after saving the profile by keyboard, focus is on what the save did', async ({ page }) => {
  await signUp(page, uniqueEmail('keyboard'));
  await page.getByLabel('Hours per week').focus();
  await page.keyboard.type('5');
  await page.keyboard.press('Enter');
  const saved = page.getByRole('status').filter({ hasText: 'Saved. Your profile is now at version 2.' });
  await expect(saved).toBeVisible();
  await expect(saved).toBeFocused();
});
