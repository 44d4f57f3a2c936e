import { test, expect } from './fixtures';
import { PASSWORD, logIn, logOut, signUp, uniqueEmail } from './support';

test('a learner signs up, logs out and logs back in', async ({ page }) => {
  const email = uniqueEmail('signup');
  await signUp(page, email);
  await expect(page.getByText('Welcome to AcmeLearn!')).toBeVisible();

  await logOut(page);
  await logIn(page, email);
  await expect(page.getByRole('banner').getByRole('link', { name: email })).toBeVisible();
});

test('a wrong password gets one clear message and no session', async ({ page }) => {
  const email = uniqueEmail('wrong');
  await signUp(page, email);
  await logOut(page);

  await logIn(page, email, 'not the password at all');
  await expect(page.getByRole('alert')).toHaveText('Email or password is incorrect.');
  await expect(page.getByRole('banner').getByRole('link', { name: 'Log in' })).toBeVisible();

  await logIn(page, uniqueEmail('nobody'), PASSWORD);
  await expect(page.getByRole('alert')).toHaveText('Email or password is incorrect.');
});

test('sign-up mistakes are explained next to their fields', async ({ page }) => {
  await page.goto('/signup');
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByLabel('Password', { exact: true }).fill('short');
  await page.getByLabel('Repeat the password').fill('short');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByText('Enter a valid email address')).toBeVisible();
  await expect(page.getByText('Use at least 8 characters')).toBeVisible();
  await expect(page.getByRole('banner').getByRole('link', { name: 'Log in' })).toBeVisible();
});

test('a page that needs an account leads to login and back', async ({ page }) => {
  const email = uniqueEmail('return');
  await signUp(page, email);
  await logOut(page);

  await page.goto('/account');
  await expect(page).toHaveURL(/\/login\?next=\/account$/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByRole('heading', { name: 'Your account' })).toBeVisible();
});
