import { type Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { signUp, uniqueEmail } from './support';

// Text that closes a <textarea> and opens a script: if any page wrote it into
// its HTML as markup, the script would run and set window.__injected (or, with
// JavaScript off, the text would be cut short at the closing tag).
const HOSTILE = '</textarea><script>window.__injected = 1</script><b>bold</b> & more';

async function expectNothingRan(page: Page) {
  // With JavaScript off there is nothing to evaluate; the value checks suffice.
  if (test.info().project.name !== 'no-javascript') {
    expect(await page.evaluate(() => (window as unknown as { __injected?: number }).__injected)).toBeUndefined();
  }
  await expect(page.locator('script:not([src])', { hasText: '__injected' })).toHaveCount(0);
  await expect(page.locator('b', { hasText: 'bold' })).toHaveCount(0);
}

test('a learner whose goal, question and feedback look like code reads them back as typed', async ({ page }) => {
  await signUp(page, uniqueEmail('markup'));

  await page.getByLabel('Learning goal').fill(HOSTILE);
  await page.getByRole('checkbox', { name: 'python', exact: true }).check();
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByText('Saved. Your profile is now at version 2.')).toBeVisible();
  await page.reload();
  await expect(page.getByLabel('Learning goal')).toHaveValue(HOSTILE);
  await expectNothingRan(page);

  // A question the catalog has nothing about comes back in the address and
  // in the box; a link anyone could send a learner.
  await page.goto(`/recommendations?off_topic=${encodeURIComponent(HOSTILE)}`);
  await expect(page.getByLabel('What do you want to learn? (optional)')).toHaveValue(HOSTILE);
  await expectNothingRan(page);

  await page.getByLabel('What do you want to learn? (optional)').fill('python');
  await page.getByRole('button', { name: 'Recommend courses' }).click();
  const card = page.locator('article.recommendation');
  await card.getByRole('radio', { name: '3 stars' }).check();
  await card.getByLabel('Feedback (optional)').fill(HOSTILE);
  await card.getByRole('button', { name: 'Save rating' }).click();
  await expect(card.getByText('Rating saved: 3 stars')).toBeVisible();
  await page.reload();
  await expect(page.locator('article.recommendation').getByLabel('Feedback (optional)')).toHaveValue(HOSTILE);
  await expectNothingRan(page);
});
