import { type BrowserContext, type Page } from '@playwright/test';
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './fixtures';
import { signUp, uniqueEmail } from './support';

// The service worker (frontend/pwa) needs JavaScript: these journeys run
// hydrated only. Offline is Playwright's setOffline, which (since 1.57) the
// worker's own fetches obey too.

/** Waits until the service worker controls the page. */
async function workerControls(page: Page) {
  // (A navigation may be under way: asking again is the answer to that.)
  await expect
    .poll(() => page.evaluate(() => navigator.serviceWorker.controller !== null).catch(() => false))
    .toBe(true);
}

async function cacheNames(page: Page): Promise<string[]> {
  return page.evaluate(() => caches.keys());
}

async function goOffline(context: BrowserContext, page: Page) {
  await context.setOffline(true);
  await expect(page.getByRole('status').filter({ hasText: 'You are offline' })).toBeVisible();
}

async function resultsIn(page: Page) {
  await expect(page.locator('.results[aria-busy="true"]')).toHaveCount(0);
}

test('a learner saves the catalog and reads and searches it with no network @needs-wasm', async ({
  page,
  context,
}) => {
  await page.goto('/courses');
  await workerControls(page);
  await expect(page.getByText('The catalog is not saved on this device yet.')).toBeVisible();
  await page.getByRole('button', { name: 'Save the catalog for offline' }).click();
  await expect(page.getByText(/^Saved: \d+ courses, on /)).toBeVisible({ timeout: 30_000 });

  await goOffline(context, page);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Course catalog' })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'this is the copy saved on' })).toBeVisible();
  // Hydrated from the precached bundle.
  await expect(page.locator('html[data-hydrated]')).toHaveCount(1);

  // The hydrated page searches the saved copy, and says so.
  await page.getByLabel('Search').fill('python');
  await page.getByLabel('Search').press('Enter');
  await expect(page).toHaveURL(/[?&]q=python\b/);
  await resultsIn(page);
  await expect(page.getByText(/You are offline: these results are from the copy of the catalog/)).toBeVisible();
  const cards = page.getByRole('list', { name: 'Courses' }).getByRole('listitem').filter({
    has: page.getByRole('heading', { level: 2 }),
  });
  await expect(cards.first()).toBeVisible();
  await expect(cards.first().locator('mark').first()).toHaveText(/python/i);

  await page.getByLabel('Difficulty').selectOption({ label: 'Beginner' });
  await expect(page).toHaveURL(/difficulty=beginner/);
  await resultsIn(page);
  await expect(cards.first()).toBeVisible();
  await expect(cards.locator('.badge[class*="difficulty-"]:not(.difficulty-beginner)')).toHaveCount(0);

  // A course page never opened online opens from the saved catalog.
  const title = (await cards.first().getByRole('heading', { level: 2 }).innerText()).trim();
  await cards.first().getByRole('heading', { level: 2 }).getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();

  // Somewhere never saved: the offline page, which links to what is.
  await page.goto('/forgot-password');
  await expect(page.getByRole('heading', { name: 'You are offline' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'The course catalog' })).toBeVisible();

  // A file of the bundle never gets a page back.
  const wasm = await page.evaluate(async () => {
    const response = await fetch('/pkg/not-in-this-release.wasm').catch(() => null);
    return response ? response.headers.get('content-type') : 'no response';
  });
  expect(wasm ?? '').not.toContain('text/html');

  await context.setOffline(false);
});

test('a catalog too large to save page by page is saved as one file, and its course pages open offline @needs-wasm', async ({
  page,
  context,
}) => {
  await page.goto('/courses');
  await workerControls(page);
  const course = page.getByRole('list', { name: 'Courses' }).getByRole('heading', { level: 2 }).last();
  const title = (await course.innerText()).trim();
  const path = await course.getByRole('link').getAttribute('href');
  // As the button does, with the size above which only the file is saved
  // lowered below this catalog's.
  const saved = await page.evaluate(async () => {
    const worker = (await navigator.serviceWorker.ready).active!;
    return new Promise<{ type: string; wholePages: boolean; pages: number }>((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = ({ data }) => data.type !== 'progress' && resolve(data);
      worker.postMessage({ type: 'save-catalog', wholePagesUpTo: 10 }, [channel.port2]);
    });
  });
  expect(saved).toMatchObject({ type: 'saved', wholePages: false, pages: 2 });

  await goOffline(context, page);
  await page.goto(path!);
  await expect(page.getByRole('heading', { level: 1, name: title })).toBeVisible();
  await expect(page.getByText(/this is the course as the catalog saved on this device/)).toBeVisible();
  await page.getByRole('link', { name: 'Courses', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Course catalog' })).toBeVisible();
  await context.setOffline(false);
});

test('a learner rereads their own pages offline, and logging out forgets them @needs-wasm', async ({
  page,
  context,
}) => {
  const email = uniqueEmail('offline');
  await signUp(page, email);
  await workerControls(page);
  await page.getByLabel('Learning goal').fill('Read about databases on the train');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await expect(page.getByText('Saved. Your profile is now at version 2.')).toBeVisible();
  for (const path of ['/profile', '/profile/history', '/recommendations']) {
    await page.goto(path);
  }
  const learnerCaches = (await cacheNames(page)).filter((name) => name.startsWith('acmelearn-learner-'));
  expect(learnerCaches).toHaveLength(1);

  await goOffline(context, page);
  await page.goto('/profile');
  await expect(page.getByLabel('Learning goal')).toHaveValue('Read about databases on the train');
  await page.goto('/profile/history');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await page.goto('/recommendations');
  await expect(page.getByRole('banner').getByRole('link', { name: email })).toBeVisible();
  await context.setOffline(false);

  await page.goto('/profile');
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('banner').getByRole('link', { name: 'Log in' })).toBeVisible();
  await expect
    .poll(async () => (await cacheNames(page)).filter((name) => name.startsWith('acmelearn-learner-')))
    .toEqual([]);
});

/**
 * A release of the site served on a port of its own: `site` is a copy of
 * the built site, `change` edits its service worker (the "next release").
 */
async function serveRelease(port: number, site: string): Promise<ChildProcess> {
  const command = process.env.E2E_SERVER_COMMAND;
  if (!command) throw new Error('E2E_SERVER_COMMAND is not set; run the suite through make test');
  const [program, ...args] = command.split(' ');
  const server = spawn(program, args, {
    env: {
      ...process.env,
      LEPTOS_SITE_ROOT: site,
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
    },
    stdio: 'ignore',
  });
  await expect
    .poll(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null))?.status, {
      timeout: 30_000,
    })
    .toBe(200);
  return server;
}

async function stop(server: ChildProcess) {
  const exited = new Promise((resolve) => server.once('exit', resolve));
  server.kill('SIGTERM');
  await exited;
}

test.describe('a new release', () => {
  // Under CPU load this journey sometimes waits for ever after "Reload": in
  // two CI runs on 2026-11-29 no takeover came for 80 s, and in one of them
  // a reload made after 3 s anyway left its own page request pending. The
  // cause is not found yet (see the issue notes); until it is, the journey
  // may run three times, and failing all three is still a failure.
  test.describe.configure({ retries: 2 });

  test('a new release offers to reload, and the old release’s copies go @needs-wasm', async ({
    page,
  }) => {
    test.setTimeout(90_000);
    const port = Number(process.env.E2E_PORT ?? 3100) + 50;
    const origin = `http://127.0.0.1:${port}`;
    const built = process.env.LEPTOS_SITE_ROOT ?? '../target/site';
    const scratch = mkdtempSync(join(tmpdir(), 'acmelearn-releases-'));
    const [current, next] = [join(scratch, 'current'), join(scratch, 'next')];
    cpSync(built, current, { recursive: true });
    cpSync(built, next, { recursive: true });
    let server = await serveRelease(port, current);
    try {
      await page.goto(`${origin}/courses`);
      await workerControls(page);
      await page.goto(`${origin}/tags`);
      const before = (await cacheNames(page)).filter((name) => name.startsWith('acmelearn-catalog-'));
      expect(before).toHaveLength(1);
      const oldRelease = before[0].slice('acmelearn-catalog-'.length);

      // The next release: the same site with a service worker of another release.
      const worker = join(next, 'sw.js');
      writeFileSync(worker, readFileSync(worker, 'utf8').replaceAll(oldRelease, 'nextrelease00000'));
      rmSync(`${worker}.br`);
      rmSync(`${worker}.gz`);
      await stop(server);
      server = await serveRelease(port, next);

      await page.goto(`${origin}/courses`);
      const prompt = page.getByRole('status').filter({ hasText: 'A new version of AcmeLearn is ready' });
      await expect(prompt).toBeVisible();
      // Nothing reloads by itself: what the learner types stays.
      await page.getByLabel('Search').fill('half-typed');
      await page.waitForTimeout(1000);
      await expect(page.getByLabel('Search')).toHaveValue('half-typed');
      expect(await cacheNames(page)).toContain(`acmelearn-catalog-${oldRelease}`);

      const reloaded = page.waitForEvent('load');
      await prompt.getByRole('button', { name: 'Reload' }).click();
      await reloaded;
      await expect(prompt).toHaveCount(0);
      await expect
        .poll(async () => (await cacheNames(page)).filter((name) => name.includes(oldRelease)))
        .toEqual([]);
      // The reloaded page came through the new release's worker.
      expect(await cacheNames(page)).toContain('acmelearn-catalog-nextrelease00000');
    } finally {
      await stop(server);
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});

test('the bundle is kept forever, the worker and the manifest are checked every time', async ({ page }) => {
  const worker = await page.request.get('/sw.js');
  expect(worker.status()).toBe(200);
  expect(worker.headers()['cache-control']).toBe('no-cache');
  expect(worker.headers()['content-security-policy']).toContain("connect-src 'self'");
  expect((await page.request.get('/manifest.webmanifest')).headers()['cache-control']).toBe('no-cache');
  const offline = await page.request.get('/offline');
  expect(offline.status()).toBe(200);
  // It stands in for any address, so it never hydrates as one.
  expect(await offline.text()).not.toMatch(/\.wasm|acmelearn\.[\w-]+\.js/);
  const catalog = await page.request.get('/offline/catalog.json');
  expect(catalog.status()).toBe(200);
  expect((await catalog.json()).length).toBeGreaterThan(10);
});
