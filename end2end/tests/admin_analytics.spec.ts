import { test, expect } from './fixtures';
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { logIn, signUp, uniqueEmail } from './support';

/** The release server binary `make test` runs, for its admin commands. */
function server(...args: string[]): string {
  const command = process.env.E2E_SERVER_COMMAND;
  if (!command) throw new Error('E2E_SERVER_COMMAND is not set; run through `make test`');
  return execFileSync(command.split(' ')[0], args, { env: process.env, encoding: 'utf8' });
}

test('a learner is refused the admin pages', async ({ page }) => {
  await signUp(page, uniqueEmail('nosy'));
  const response = await page.goto('/admin');
  expect(response?.status()).toBe(403);
  await expect(page.getByText('You do not have access to this page.')).toBeVisible();
  await expect(page.getByRole('banner').getByRole('link', { name: 'Admin', exact: true })).toHaveCount(0);
});

test('an admin reads the dashboard on demo data, changes the period, downloads a CSV and deactivates a user', async ({ page }) => {
  // Seeding and refreshing the analytics take a few seconds of their own.
  test.setTimeout(90_000);
  // Demo learners of a seed of this test's own, so parallel runs do not meet.
  const seed = String(randomInt(1_000_000, 2_000_000_000));
  server('seed-demo', '--users', '300', '--days', '200', '--seed', seed);
  const email = uniqueEmail('admin');
  await signUp(page, email);
  server('create-admin', '--email', email);
  await logIn(page, email);
  await page.getByRole('banner').getByRole('link', { name: 'Admin', exact: true }).click();

  await expect(page.getByRole('heading', { name: 'Product analytics' })).toBeVisible();
  for (const panel of ['1. Level progression', '2. Interest trends', '3. Model comparison',
    '4. Does personalisation improve?', '5. Churn signals', '6. Course popularity', '7. Segments']) {
    await expect(page.getByRole('heading', { name: panel })).toBeVisible();
  }
  await expect(page.getByRole('img', { name: /Average rating by model/ })).toBeVisible();
  await expect(page.getByRole('cell', { name: 'gpt-4o-mini' }).first()).toBeVisible();

  const today = new Date();
  const from = new Date(today.getTime() - 60 * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel('From', { exact: true }).fill(from);
  await page.getByRole('button', { name: 'Show this period' }).click();
  await expect(page).toHaveURL(new RegExp(`from=${from}`));
  await expect(page.getByLabel('From', { exact: true })).toHaveValue(from);

  const downloading = page.waitForEvent('download');
  await page.getByRole('region', { name: '3. Model comparison' }).getByRole('link', { name: 'Download CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toMatch(/^acmelearn-models-.*\.csv$/);
  const csv = readFileSync(await download.path(), 'utf8');
  expect(csv.split('\n')[0]).toBe('model,level,recommendations,rated,with_feedback,average_rating,stars_1,stars_2,stars_3,stars_4,stars_5');
  expect(csv).toContain('builtin-v1,all,');

  await page.goto('/admin/users');
  const learner = `learner-${seed}-7@demo.acmelearn.invalid`;
  await page.getByLabel('Email contains').fill(learner);
  await page.getByRole('button', { name: 'Search' }).click();
  const row = page.getByRole('row').filter({ hasText: learner });
  await expect(row.getByRole('cell', { name: 'active', exact: true })).toBeVisible();
  await row.getByRole('button', { name: `Deactivate ${learner}` }).click();
  await expect(page.getByRole('row').filter({ hasText: learner }).getByRole('cell', { name: 'deactivated' })).toBeVisible();
  await page.getByRole('link', { name: learner }).click();
  await expect(page.getByRole('heading', { name: learner })).toBeVisible();
  await expect(page.getByText(/deactivated · demo learner/)).toBeVisible();
});
