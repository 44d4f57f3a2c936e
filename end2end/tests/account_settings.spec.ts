import { test, expect } from './fixtures';
import { PASSWORD, logIn, logOut, signUp, uniqueEmail } from './support';

test('a learner changes the password and uses the new one', async ({ page }) => {
  const email = uniqueEmail('change');
  await signUp(page, email);
  await page.goto('/account');
  const newPassword = 'a fresher passphrase';

  await page.getByLabel('Current password').fill('not my password');
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByLabel('Repeat the new password').fill(newPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('This is not your current password.')).toBeVisible();

  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByLabel('Repeat the new password').fill(newPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Your password was changed.')).toBeVisible();

  await logOut(page);
  await logIn(page, email, PASSWORD);
  await expect(page.getByRole('alert')).toHaveText('Email or password is incorrect.');
  await logIn(page, email, newPassword);
  await expect(page.getByRole('banner').getByRole('link', { name: email })).toBeVisible();
});

test('a learner deactivates the account and cannot log in again', async ({ page }) => {
  const email = uniqueEmail('leaving');
  await signUp(page, email);
  await page.goto('/account');

  await page.getByLabel('Your password, to confirm').fill(PASSWORD);
  await page.getByRole('button', { name: 'Deactivate my account' }).click();
  await expect(page.getByText('Your account is deactivated')).toBeVisible();
  await expect(page.getByRole('banner').getByRole('link', { name: 'Log in' })).toBeVisible();

  await logIn(page, email);
  await expect(page.getByRole('alert')).toContainText('This account has been deactivated.');
});
