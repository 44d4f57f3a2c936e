import { type BrowserContext, type Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { logIn, logOut, signUp, uniqueEmail } from './support';

// Changes made with no network wait in the outbox (IndexedDB, sent by the
// service worker). Hydrated only: the outbox is JavaScript.

async function workerControls(page: Page) {
  // (A navigation may be under way: asking again is the answer to that.)
  await expect
    .poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null).catch(() => false))
    .toBe(true);
}

async function goOffline(context: BrowserContext, page: Page) {
  await context.setOffline(true);
  await expect(page.getByRole('status').filter({ hasText: 'You are offline' })).toBeVisible();
}

function outboxStatus(page: Page) {
  return page.locator('.pwa-outbox');
}

async function saveGoalOffline(page: Page, goal: string) {
  await page.getByLabel('Learning goal').fill(goal);
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(outboxStatus(page)).toHaveText(/1 change made offline waiting to be sent \(your profile\)/);
}

async function versions(page: Page) {
  await page.goto('/profile/history');
  return page.getByRole('list', { name: 'Profile versions' }).getByRole('listitem').filter({
    has: page.getByRole('heading'),
  });
}

/** What the outbox holds, read straight from IndexedDB. */
function outboxChanges(page: Page): Promise<unknown[]> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('acmelearn-outbox', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('changes', { keyPath: 'id' });
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const all = open.result.transaction('changes').objectStore('changes').getAll();
          all.onsuccess = () => {
            open.result.close();
            resolve(all.result);
          };
        };
      }),
  );
}

function putBack(page: Page, change: unknown) {
  return page.evaluate(
    (change) =>
      new Promise<void>((resolve) => {
        const open = indexedDB.open('acmelearn-outbox', 1);
        open.onsuccess = () => {
          const put = open.result.transaction('changes', 'readwrite').objectStore('changes').put(change);
          put.onsuccess = () => {
            open.result.close();
            resolve();
          };
        };
      }),
    change,
  );
}

test('a profile saved offline waits, is sent when the network returns, and is stored once @needs-wasm', async ({
  page,
  context,
}) => {
  await signUp(page, uniqueEmail('outbox'));
  await workerControls(page);
  await goOffline(context, page);
  await saveGoalOffline(page, 'Learn SQL on the train');
  const [queued] = await outboxChanges(page);
  expect(queued).toMatchObject({ kind: 'profile', state: 'waiting' });

  await context.setOffline(false);
  await expect(outboxStatus(page)).toHaveText(/Your changes made offline were sent/);
  expect(await outboxChanges(page)).toEqual([]);
  const list = await versions(page);
  await expect(list).toHaveCount(2);
  await expect(list.first()).toContainText('now: Learn SQL on the train');

  // Sent again (as when the first answer was lost): stored once.
  await putBack(page, queued);
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await expect.poll(() => outboxChanges(page)).toEqual([]);
  await expect(await versions(page)).toHaveCount(2);
});

test('a profile saved offline after it changed elsewhere shows both, and the learner keeps theirs @needs-wasm', async ({
  page,
  context,
  baseURL,
}) => {
  await signUp(page, uniqueEmail('conflict'));
  await workerControls(page);
  await goOffline(context, page);
  await saveGoalOffline(page, 'Mine, from the train');

  // Meanwhile, another device saves version 2.
  const elsewhere = await page.request.post('/api/profile/save', {
    headers: { origin: baseURL!, accept: 'application/json' },
    form: { expected_version: '1', learning_goal: 'Theirs, from the laptop', current_level: '', hours_per_week: '' },
  });
  expect(elsewhere.status()).toBe(200);

  await context.setOffline(false);
  const conflict = page.getByRole('region', { name: 'A change made offline' });
  await expect(conflict).toContainText('Your profile changed elsewhere while you were offline');
  await expect(conflict).toContainText('Mine, from the train');
  await expect(conflict).toContainText('Saved now (version 2)');
  await expect(conflict).toContainText('Theirs, from the laptop');
  await conflict.getByRole('button', { name: 'Keep mine' }).click();
  await expect(outboxStatus(page)).toHaveText(/Your changes made offline were sent/);
  const list = await versions(page);
  await expect(list).toHaveCount(3);
  await expect(list.first()).toContainText('now: Mine, from the train');
});

test('a change queued by one learner is never sent for the next one on the device @needs-wasm', async ({
  page,
  context,
}) => {
  const first = uniqueEmail('first');
  await signUp(page, first);
  await workerControls(page);
  await goOffline(context, page);
  await saveGoalOffline(page, 'Never to be sent');
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect
    .poll(async () => (await page.evaluate(() => caches.keys())).filter((name) => name.startsWith('acmelearn-learner-')))
    .toEqual([]);
  expect(await outboxChanges(page)).toEqual([]);
  await context.setOffline(false);
  // The logout made offline reaches the server when the network returns
  // (and the page reloads, signed out).
  await expect
    .poll(() => page.evaluate(() => localStorage.getItem('acmelearn-logout-pending')).catch(() => 'reloading'))
    .toBeNull();
  // The page reloads once the logout is through; a navigation started just
  // before that reload is interrupted by it, so it is made again.
  await expect(async () => {
    await page.goto('/profile');
    await expect(page).toHaveURL(/\/login/);
  }).toPass({ timeout: 15_000 });

  await signUp(page, uniqueEmail('second'));
  await workerControls(page);
  await page.waitForTimeout(1000);
  await expect(await versions(page)).toHaveCount(1);
  await logOut(page);
  await logIn(page, first);
  await expect(page.getByRole('banner').getByRole('link', { name: first })).toBeVisible();
  await expect(await versions(page)).toHaveCount(1);
});

test('a rating given offline waits, and is stored when the network returns @needs-wasm', async ({
  page,
  context,
}) => {
  await signUp(page, uniqueEmail('rate-offline'));
  await workerControls(page);
  await page.getByRole('banner').getByRole('link', { name: 'For you' }).click();
  await page.getByRole('button', { name: 'Recommend courses' }).click();
  const card = page.locator('article.recommendation');
  await expect(card.getByRole('radio', { name: '5 stars' })).toBeVisible();

  await goOffline(context, page);
  await card.getByRole('radio', { name: '5 stars' }).check();
  await card.getByLabel('Feedback (optional)').fill('Rated on the train');
  await card.getByRole('button', { name: 'Save rating' }).click();
  await expect(outboxStatus(page)).toHaveText(/1 change made offline waiting to be sent \(a rating\)/);

  await context.setOffline(false);
  await expect(outboxStatus(page)).toHaveText(/Your changes made offline were sent/);
  await page.goto('/recommendations');
  const stored = page.locator('article.recommendation');
  await expect(stored.getByRole('radio', { name: '5 stars' })).toBeChecked();
  await expect(stored.getByLabel('Feedback (optional)')).toHaveValue('Rated on the train');
});
