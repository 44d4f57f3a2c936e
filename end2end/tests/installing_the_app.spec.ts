import { chromium } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect } from './fixtures';

// Chromium reports a page as installable only in a profile of its own (the
// browser contexts Playwright makes are off the record, which Chromium never
// offers to install from), so this journey starts one.
test('a visitor can install AcmeLearn from the browser', async ({}, testInfo) => {
  const profile = mkdtempSync(join(tmpdir(), 'acmelearn-install-'));
  const { baseURL, launchOptions } = testInfo.project.use;
  const context = await chromium.launchPersistentContext(profile, { ...launchOptions, baseURL });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto('/courses');
    const devtools = await context.newCDPSession(page);

    const manifest = await devtools.send('Page.getAppManifest');
    expect(manifest.url).toMatch(/\/manifest\.webmanifest$/);
    expect(manifest.errors, 'the manifest parses without errors').toEqual([]);
    const parsed = JSON.parse(manifest.data ?? '{}');
    expect(parsed.display).toBe('standalone');
    expect(parsed.shortcuts.map((shortcut: { url: string }) => shortcut.url)).toEqual([
      '/courses',
      '/profile',
      '/recommendations',
    ]);

    await expect
      .poll(async () => (await devtools.send('Page.getInstallabilityErrors')).installabilityErrors)
      .toEqual([]);

    // The install dialog shows a wide and a narrow screenshot.
    const screenshots = parsed.screenshots as { src: string; sizes: string; type: string; form_factor: string }[];
    expect(screenshots.map((shot) => shot.form_factor).sort()).toEqual(['narrow', 'wide']);
    // Every icon and screenshot the manifest names is there, and is a PNG of its stated size.
    for (const icon of [...parsed.icons, ...screenshots] as { src: string; sizes: string; type: string }[]) {
      const response = await page.request.get(icon.src);
      expect(response.status(), icon.src).toBe(200);
      expect(response.headers()['content-type']).toBe(icon.type);
      const png = await response.body();
      const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
      expect(`${width}x${height}`, icon.src).toBe(icon.sizes);
    }
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
});
