import { test, expect } from './fixtures';
import { signUp, uniqueEmail } from './support';

// On a 390 px phone the header is one line: the brand, Courses, For you and
// a Menu that holds the rest (a <details>, so it opens without JavaScript).

test.use({ viewport: { width: 390, height: 844 } });

const noJavaScript = () => test.info().project.name === 'no-javascript';

test('on a phone the header stays one line and the account is in the menu', async ({ page }) => {
  const email = uniqueEmail('phone-header-with-a-long-address');
  // Signed up on a wide screen (signUp looks for the email in the header),
  // then the same page on the phone.
  await page.setViewportSize({ width: 1280, height: 800 });
  await signUp(page, email);
  await page.setViewportSize({ width: 390, height: 844 });
  const banner = page.getByRole('banner');
  const menu = banner.locator('details.nav-menu');
  await expect(banner.getByRole('link', { name: 'Courses' })).toBeVisible();
  await expect(banner.getByRole('link', { name: email })).toBeHidden();

  const box = (await banner.boundingBox())!;
  expect(box.height, 'one line of header').toBeLessThan(70);
  // The items laid out in the header's row: an island's wrapper has no box of
  // its own (display: contents), its contents stand in the row.
  const items = '.site-nav > :not(leptos-island):visible, .site-nav > leptos-island > :visible';
  const middles = await banner.locator(items).evaluateAll((items) =>
    items.map((item) => {
      const box = item.getBoundingClientRect();
      return box.top + box.height / 2;
    }),
  );
  expect(middles.length).toBeGreaterThanOrEqual(3);
  expect(Math.max(...middles) - Math.min(...middles), 'everything in the header sits on one line').toBeLessThan(8);

  await menu.getByText('Menu').click();
  await expect(menu.getByRole('link', { name: email })).toBeVisible();
  await expect(menu.getByRole('link', { name: 'Profile' })).toBeVisible();
  await menu.getByRole('link', { name: 'Tags' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Browse by tag' })).toBeVisible();
  // The menu closes on the next page, with or without JavaScript.
  await expect(menu.getByRole('link', { name: email })).toBeHidden();

  await menu.getByText('Menu').click();
  await menu.getByRole('button', { name: 'Log out' }).click();
  // Logged out when the home page shows with the menu closed again.
  await expect(page).toHaveURL(/\/$/);
  await expect(menu).not.toHaveAttribute('open');
  await menu.getByText('Menu').click();
  await expect(menu.getByRole('link', { name: 'Log in' })).toBeVisible();
});

test('Escape closes the phone menu and returns focus to it @needs-wasm', async ({ page }) => {
  await page.goto('/courses');
  await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
  const menu = page.getByRole('banner').locator('details.nav-menu');
  await menu.locator('summary').focus();
  await page.keyboard.press('Enter');
  await expect(menu.getByRole('link', { name: 'Log in' })).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(menu.getByRole('link', { name: 'Tags' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(menu.getByRole('link', { name: 'Log in' })).toBeHidden();
  await expect(menu.locator('summary')).toBeFocused();
});

test('on a phone the catalog shows the search and folds the other filters away', async ({ page }) => {
  await page.goto('/courses');
  const search = page.getByLabel('Search', { exact: true });
  await expect(search).toBeVisible();
  await expect(page.getByLabel('Difficulty')).toBeHidden();
  // The first course starts on the first screen.
  const firstCourse = page.getByRole('list', { name: 'Courses' }).getByRole('listitem').first();
  expect((await firstCourse.boundingBox())!.y).toBeLessThan(844);

  const toggle = page.locator('details.more-filters > summary');
  await expect(toggle).toHaveText('Filters');
  await toggle.click();
  await page.getByLabel('Difficulty').selectOption({ label: 'Advanced' });
  if (noJavaScript()) await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/difficulty=advanced/);
  await expect(toggle).toHaveText('Filters · 1 active');
  // Without JavaScript the page came back with the filters folded again.
  if (noJavaScript()) await toggle.click();
  await page.getByLabel('Add a tag').fill('python');
  await page.getByLabel('Add a tag').press('Enter');
  await expect(page).toHaveURL(/tag=python/);
  await expect(toggle).toHaveText('Filters · 2 active');
  await expect(page.getByRole('list', { name: 'Tag filters' }).getByRole('listitem')).toHaveCount(1);
});

test('on a wide screen every filter shows without a toggle', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto('/courses?difficulty=beginner');
  await expect(page.getByLabel('Difficulty')).toBeVisible();
  await expect(page.getByLabel('Sort by')).toBeVisible();
  await expect(page.locator('details.more-filters > summary')).toBeHidden();
  await expect(page.getByRole('banner').getByRole('button', { name: 'Log out' })).toHaveCount(0);
  await expect(page.getByRole('banner').getByRole('link', { name: 'Tags' })).toBeVisible();
});
