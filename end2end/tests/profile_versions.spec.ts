import { test, expect } from './fixtures';
import { signUp, uniqueEmail } from './support';

test('a learner fills the profile, changes level, and sees the history', async ({ page }) => {
  await signUp(page, uniqueEmail('profile'));
  await expect(page.getByText('Version 1 ·')).toBeVisible();

  await page.getByLabel('Learning goal').fill('Move into data engineering');
  await page.getByLabel('Current level').selectOption({ label: 'Beginner' });
  await page.getByLabel('Hours per week').fill('6');
  await page.getByRole('checkbox', { name: 'python', exact: true }).check();
  await page.getByRole('checkbox', { name: 'sql', exact: true }).check();
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByText('Saved. Your profile is now at version 2.')).toBeVisible();
  await expect(page.getByText('interests: + python, + sql')).toBeVisible();

  await page.getByLabel('Current level').selectOption({ label: 'Intermediate' });
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByText('Saved. Your profile is now at version 3.')).toBeVisible();
  await expect(page.getByText('level: beginner → intermediate')).toBeVisible();

  await page.getByRole('link', { name: 'See how your profile changed' }).click();
  const versions = page.getByRole('list', { name: 'Profile versions' }).getByRole('listitem').filter({
    has: page.getByRole('heading'),
  });
  await expect(versions).toHaveCount(3);
  await expect(versions.first()).toContainText('Version 3');
  await expect(versions.first()).toContainText('level: beginner → intermediate');
  await expect(versions.nth(1)).toContainText('goal changed');
  await expect(versions.nth(1)).toContainText('now: Move into data engineering');
  await expect(versions.last()).toContainText('Profile created when you signed up.');
});

test('saving without changes creates no version', async ({ page }) => {
  await signUp(page, uniqueEmail('same'));
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByText('Nothing changed, so no new version was saved (still version 1).')).toBeVisible();
});

test('invalid hours are explained and nothing is saved', async ({ page }) => {
  await signUp(page, uniqueEmail('hours'));
  await page.getByLabel('Learning goal').fill('Ship a data pipeline');
  await page.getByRole('checkbox', { name: 'python', exact: true }).check();
  await page.getByLabel('Hours per week').fill('500');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByText('Hours per week must be between 1 and 168')).toBeVisible();
  if (test.info().project.name === 'hydrated') {
    // The form keeps what was typed, ticked interests too, and their chips follow.
    await expect(page.getByLabel('Hours per week')).toHaveValue('500');
    await expect(page.getByLabel('Learning goal')).toHaveValue('Ship a data pipeline');
    await expect(page.getByRole('checkbox', { name: 'python', exact: true })).toBeChecked();
    await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
    await expect(page.getByRole('list', { name: 'Chosen interests' }).getByRole('listitem')).toHaveText(['python×']);
  }

  await page.goto('/profile');
  await expect(page.getByText('Version 1 ·')).toBeVisible();
  await expect(page.getByLabel('Hours per week')).toHaveValue('');
});

test('a form from another tab is refused with a clear message', async ({ page, context }) => {
  await signUp(page, uniqueEmail('tabs'));
  const otherTab = await context.newPage();
  await otherTab.goto('/profile');
  await otherTab.getByLabel('Hours per week').fill('3');
  await otherTab.getByRole('button', { name: 'Save profile' }).click();
  await expect(otherTab.getByText('now at version 2')).toBeVisible();

  await page.getByLabel('Hours per week').fill('9');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByRole('alert')).toContainText('changed elsewhere');
});

test('interests can be found by typing and removed as chips @needs-wasm', async ({ page }) => {
  await signUp(page, uniqueEmail('picker'));
  await expect(page.locator('html[data-hydrated]')).toHaveCount(1);
  await page.getByRole('searchbox', { name: 'Find a topic' }).fill('pyth');
  await expect(page.getByRole('checkbox', { name: 'python', exact: true })).toBeVisible();
  await expect(page.getByRole('checkbox', { name: 'sql', exact: true })).toBeHidden();
  await page.getByRole('checkbox', { name: 'python', exact: true }).check();
  const chips = page.getByRole('list', { name: 'Chosen interests' });
  await expect(chips.getByRole('listitem')).toHaveText(['python×']);
  await chips.getByRole('button', { name: 'Remove python' }).click();
  await expect(chips.getByRole('listitem')).toHaveCount(0);
  await expect(page.getByRole('checkbox', { name: 'python', exact: true })).not.toBeChecked();
});
