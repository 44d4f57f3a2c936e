// Half of `make bench-offline` (see bench-offline.sh): in Debian's Chromium,
// against a running server, how long "Save the catalog for offline" takes,
// then how long the service worker takes to answer a search over the saved
// copy with no network (the catalog page it writes for `/courses?q=…`). Prints one JSON line.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'end2end/package.json'));
const { chromium } = require('@playwright/test');

const base = process.argv[2];
const browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
try {
  const context = await browser.newContext({ baseURL: base });
  const page = await context.newPage();
  await page.goto('/courses');
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
  const started = Date.now();
  await page.getByRole('button', { name: 'Save the catalog for offline' }).click();
  await page.getByText(/^Saved: \d+ courses/).waitFor({ timeout: 600_000 });
  const saveSeconds = (Date.now() - started) / 1000;
  const saved = await page.evaluate(async () => {
    const worker = (await navigator.serviceWorker.ready).active;
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = ({ data }) => resolve(data);
      worker.postMessage({ type: 'saved-catalog' }, [channel.port2]);
    });
  });
  await context.setOffline(true);
  const searches = [];
  for (const text of ['python', 'data pipelines', 'leadership', 'zzzz']) {
    searches.push(await page.evaluate(async (text) => {
      // As the catalog's filter form asks for a view to show in place.
      const start = performance.now();
      const response = await fetch(`/courses?q=${encodeURIComponent(text)}`);
      const html = await response.text();
      const ms = Math.round(performance.now() - start);
      const count = html.match(/class="result-count"[^>]*>(?:(\d+) courses?|No courses match)/);
      return { text, ms, total: count ? Number(count[1] ?? 0) : null };
    }, text));
  }
  console.log(JSON.stringify({ courses: saved?.courses, saveSeconds, searches }));
} finally {
  await browser.close();
}
