import { test, expect } from './fixtures';
import { logIn, logOut, resetLinkFor, signUp, uniqueEmail } from './support';

test('a learner who forgot the password resets it by email and logs in', async ({ page }) => {
  const email = uniqueEmail('forgot');
  await signUp(page, email);
  await logOut(page);

  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByText('If an account exists for that email')).toBeVisible();

  const link = await resetLinkFor(email);
  await page.goto(link);
  const newPassword = 'remembered at last';
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByLabel('Repeat the new password').fill(newPassword);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByText('Your password was changed. Log in with the new one.')).toBeVisible();

  await logIn(page, email, newPassword);
  await expect(page.getByRole('banner').getByRole('link', { name: email })).toBeVisible();

  // The link worked once.
  await logOut(page);
  await page.goto(link);
  await page.getByLabel('New password', { exact: true }).fill('a third passphrase');
  await page.getByLabel('Repeat the new password').fill('a third passphrase');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByRole('alert')).toContainText('invalid, already used or expired');
});

test('asking for a reset says the same for an unknown email', async ({ page }) => {
  await page.goto('/forgot-password');
  await page.getByLabel('Email').fill(uniqueEmail('stranger'));
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByText('If an account exists for that email')).toBeVisible();
});
