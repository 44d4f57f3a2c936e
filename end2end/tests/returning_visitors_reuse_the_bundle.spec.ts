import { test, expect } from './fixtures';

// The bundle's files carry their content's hash in their names, so a browser
// keeps them for a year and never asks again; a new release has new names.
// Pages themselves are always checked with the server.
test('the bundle a page loads has hashed names and may be kept forever', async ({ page }) => {
  const bundle: { url: string; cacheControl: string }[] = [];
  page.on('response', async (response) => {
    if (new URL(response.url()).pathname.startsWith('/pkg/')) {
      bundle.push({ url: response.url(), cacheControl: (await response.allHeaders())['cache-control'] ?? '' });
    }
  });
  const response = await page.goto('/courses');
  expect(response?.headers()['cache-control']).toBe('no-cache');
  await expect(page.getByRole('heading', { level: 1, name: 'Course catalog' })).toBeVisible();

  const hydrated = test.info().project.name !== 'no-javascript';
  const kinds = hydrated ? ['css', 'js', 'wasm'] : ['css'];
  await expect.poll(() => kinds.every((kind) => bundle.some(({ url }) => url.endsWith(`.${kind}`)))).toBe(true);
  for (const { url, cacheControl } of bundle) {
    expect(url, 'a hashed name').toMatch(/\/pkg\/acmelearn\.[A-Za-z0-9_-]{8,}\.(css|js|wasm)$/);
    expect(cacheControl, url).toBe('public, max-age=31536000, immutable');
  }
});
