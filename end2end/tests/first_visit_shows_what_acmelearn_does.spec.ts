import { test, expect } from './fixtures';
import { signUp, uniqueEmail } from './support';

// The home page is where most people land: it says what AcmeLearn does,
// leads into the catalog, and brings a learner back to where they were.

test('a first-time visitor sees what AcmeLearn does and searches the catalog from it', async ({ page }) => {
  const response = await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Find the course to take next' })).toBeVisible();
  const features = page.getByRole('region', { name: 'What you get' }).getByRole('heading', { level: 3 });
  await expect(features).toHaveText([
    'Picks with reasons',
    'A catalog you can search',
    'Your progress over time',
    'Works offline',
  ]);
  // Light: the page itself is small and carries no images.
  const html = await response!.text();
  expect(html.length, 'the home page HTML stays small').toBeLessThan(30_000);
  await expect(page.locator('main img')).toHaveCount(0);

  await page.getByRole('searchbox', { name: 'Search the catalog' }).fill('python');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await expect(page).toHaveURL(/\/courses\?q=python$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Course catalog' })).toBeVisible();
  await expect(page.getByLabel('Search', { exact: true })).toHaveValue('python');
  await expect(page.locator('.result-count')).toHaveText(/\d+ courses?/);
});

test('a visitor finds a real course at each level and a way to sign up', async ({ page }) => {
  await page.goto('/');
  const starters = page.getByRole('list', { name: 'A course at each level' }).getByRole('listitem').filter({
    has: page.getByRole('heading', { level: 3 }),
  });
  await expect(starters).toHaveCount(3);
  await expect(starters.locator('.badge')).toHaveText(['Beginner', 'Intermediate', 'Advanced']);
  await expect(page.getByText(/From a catalog of \d+ courses across \d+ tags\./)).toBeVisible();
  await expect(page.getByRole('link', { name: 'Sign up for your picks' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Welcome back' })).toHaveCount(0);

  const title = await starters.first().getByRole('heading', { level: 3 }).innerText();
  await starters.first().getByRole('link', { name: title }).click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
});

test('a returning learner finds their profile gaps and latest picks on the home page', async ({ page }) => {
  await signUp(page, uniqueEmail('home'));
  await page.getByRole('banner').getByRole('link', { name: 'AcmeLearn' }).click();
  const welcome = page.getByRole('region', { name: 'Welcome back' });
  await expect(welcome.getByText('0 of 4 parts filled in · version 1')).toBeVisible();
  await expect(welcome.getByText('Add your interests to get better picks.')).toBeVisible();
  await expect(welcome.getByText('You have not asked for recommendations yet.')).toBeVisible();
  await expect(page.getByRole('link', { name: 'Get recommendations' })).toBeVisible();

  await welcome.getByRole('link', { name: 'Complete your profile' }).click();
  await page.getByRole('checkbox', { name: 'python', exact: true }).check();
  await page.getByRole('checkbox', { name: 'sql', exact: true }).check();
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByText('Saved. Your profile is now at version 2.')).toBeVisible();

  await page.goto('/recommendations');
  await page.getByRole('button', { name: 'Recommend courses' }).click();
  await expect(page.locator('article.recommendation')).toBeVisible();
  const first = await page.locator('article.recommendation .recommended-course h3').first().innerText();

  await page.goto('/');
  await expect(welcome.getByText('1 of 4 parts filled in · version 2')).toBeVisible();
  await expect(welcome.getByText('Say what you want to learn, in your own words.')).toBeVisible();
  await expect(welcome.getByRole('heading', { name: 'Your latest recommendation' })).toBeVisible();
  await expect(welcome.getByRole('listitem').first().getByRole('link')).toHaveText(first);
  await welcome.getByRole('link', { name: /See (all \d+ picks|them) and rate them/ }).click();
  await expect(page).toHaveURL(/\/recommendations$/);
});
