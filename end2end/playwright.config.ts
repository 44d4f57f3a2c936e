import { defineConfig } from '@playwright/test';

// `make test` starts nothing here by hand: it exports E2E_SERVER_COMMAND (the
// release server binary) and its settings, and Playwright starts it, waits
// until /readyz answers, and stops it when the run ends.
const port = Number(process.env.E2E_PORT ?? 3100);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: './tests',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      // Debian's Chromium; Playwright never downloads a browser here.
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  // Every journey runs twice: hydrated, and as plain HTML with JavaScript off,
  // so progressive enhancement is tested automatically. Journeys that need
  // the WASM by nature carry @needs-wasm in their title and run hydrated only.
  projects: [
    { name: 'hydrated', use: { javaScriptEnabled: true } },
    { name: 'no-javascript', use: { javaScriptEnabled: false }, grepInvert: /@needs-wasm/ },
  ],
  webServer: process.env.E2E_SERVER_COMMAND
    ? {
        command: process.env.E2E_SERVER_COMMAND,
        url: `${baseURL}/readyz`,
        reuseExistingServer: false,
        timeout: 120_000,
        stdout: 'ignore',
        stderr: 'pipe',
      }
    : undefined,
});
