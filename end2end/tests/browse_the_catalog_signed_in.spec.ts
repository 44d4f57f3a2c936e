import { test, expect } from './fixtures';
import { logOut, signUp, uniqueEmail } from './support';

// A signed-in learner's course list is rendered for them on their first visit
// to an address and assembled after that: the visitor's page with their own
// header put in (server/src/signed_in_pages.rs). Either way it must show
// this learner only, hydrate without a fault, and work without JavaScript.
test('a signed-in learner browses the catalog under their own header and logs out from it', async ({ page }) => {
  const faults: string[] = [];
  page.on('pageerror', (error) => faults.push(error.message));
  page.on('console', (message) => {
    if (/hydrat|panicked/i.test(message.text())) faults.push(message.text());
  });

  const email = uniqueEmail('catalog');
  await signUp(page, email);
  const banner = page.getByRole('banner');
  for (const visit of ['rendered', 'assembled']) {
    const response = await page.goto('/courses?q=data');
    if (visit === 'assembled') expect(response?.headers()['x-page-cache'], visit).toBe('hit');
    await expect(banner.getByRole('link', { name: email }), visit).toBeVisible();
    await expect(banner.getByRole('link', { name: 'Log in' }), visit).toHaveCount(0);
    await expect(page.getByRole('list', { name: 'Courses' }).getByRole('listitem').first()).toBeVisible();
  }

  // The assembled page works like any other: a filter narrows the results
  // (in place with JavaScript, through the Apply button without). In place
  // means once hydrated: a change made before that is the Apply button's,
  // which is shown until then.
  if (test.info().project.name !== 'no-javascript') {
    await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
  }
  await page.getByLabel('Difficulty').selectOption({ label: 'Beginner' });
  if (test.info().project.name === 'no-javascript') {
    await page.getByRole('button', { name: 'Apply' }).click();
  }
  await expect(page).toHaveURL(/[?&]difficulty=beginner\b/);
  await expect(page.getByRole('list', { name: 'Courses' }).locator('.badge').first()).toHaveText('Beginner');
  await expect(banner.getByRole('link', { name: email })).toBeVisible();

  await logOut(page);
  await page.goto('/courses?q=data');
  await expect(banner.getByRole('link', { name: 'Log in' })).toBeVisible();
  await expect(banner.getByText(email)).toHaveCount(0);
  expect(faults, 'no page error and no hydration fault').toEqual([]);
});
