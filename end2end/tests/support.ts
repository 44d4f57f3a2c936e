import { expect, type Page } from '@playwright/test';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

export const PASSWORD = 'a sturdy passphrase';

/** A fresh address per test, so journeys never share data. */
export function uniqueEmail(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}@example.test`;
}

export async function signUp(page: Page, email: string, password = PASSWORD) {
  await page.goto('/signup');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Repeat the password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/profile\?welcome=1$/);
  await expect(page.getByRole('banner').getByRole('link', { name: email })).toBeVisible();
}

export async function logIn(page: Page, email: string, password = PASSWORD) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

export async function logOut(page: Page) {
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('banner').getByRole('link', { name: 'Log in' })).toBeVisible();
}

/**
 * The reset link the server emailed to `email`. Without SMTP, `make test`
 * has the server write each email as an .eml file into MAIL_OUTBOX_DIR.
 */
export async function resetLinkFor(email: string): Promise<string> {
  const outbox = process.env.MAIL_OUTBOX_DIR;
  if (!outbox) throw new Error('MAIL_OUTBOX_DIR is not set; run the suite through make test');
  let link: string | undefined;
  await expect
    .poll(
      () => {
        const messages = readdirSync(outbox)
          .filter((name) => name.endsWith('.eml'))
          .map((name) => join(outbox, name))
          .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
          .map((path) => readFileSync(path, 'utf8'))
          // Undo quoted-printable soft line breaks, in case the mailer used them.
          .map((text) => text.replace(/=\r?\n/g, '').replace(/=3D/g, '='))
          .filter((text) => text.includes(email));
        link = messages[0]?.match(/https?:\/\/\S+\/reset-password\?token=[A-Za-z0-9_-]+/)?.[0];
        return link;
      },
      { message: `a reset email for ${email}` },
    )
    .toBeTruthy();
  return link!;
}
