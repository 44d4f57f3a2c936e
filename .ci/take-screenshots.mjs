// The install dialog's screenshots (public/screenshots), taken from the real
// app: `node .ci/take-screenshots.mjs http://127.0.0.1:3000` against a
// running `make run`. Run again when the catalog page changes its looks.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'end2end/package.json'));
const { chromium } = require('@playwright/test');

const base = process.argv[2] ?? 'http://127.0.0.1:3000';
const shots = [
  { file: 'catalog-wide.png', width: 1280, height: 720, path: '/courses' },
  { file: 'catalog-narrow.png', width: 390, height: 844, path: '/courses' },
];

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
try {
  for (const shot of shots) {
    const page = await browser.newPage({ viewport: { width: shot.width, height: shot.height } });
    // The app's own status bar (install offer, offline notes) is not the product.
    await page.route('**/sw.js', (route) => route.abort());
    await page.goto(new URL(shot.path, base).href);
    await page.locator('html[data-hydrated]').waitFor({ state: 'attached' });
    await page.screenshot({ path: join(root, 'public/screenshots', shot.file) });
    await page.close();
    console.log(`public/screenshots/${shot.file}`);
  }
} finally {
  await browser.close();
}
