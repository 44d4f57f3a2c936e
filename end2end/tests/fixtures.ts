import { test as base, expect } from '@playwright/test';

/**
 * Every journey imports `test` from here: besides what it checks itself, each
 * page it opens must arrive with a Content-Security-Policy whose scripts need
 * this response's nonce, and nothing on the way may be refused by the policy
 * (Chromium logs every refusal to the console). A policy that broke the
 * app's own scripts or styles fails the journey that met it.
 */
export const test = base.extend<{ contentSecurityPolicy: void }>({
  contentSecurityPolicy: [
    async ({ page }, use) => {
      const refusals: string[] = [];
      const pagesWithoutPolicy: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) refusals.push(`${page.url()}: ${message.text()}`);
      });
      page.on('response', async (response) => {
        if (response.request().resourceType() !== 'document') return;
        const headers = await response.allHeaders();
        if (!(headers['content-type'] ?? '').startsWith('text/html')) return;
        if (response.status() >= 300 && response.status() < 400) return;
        const policy = headers['content-security-policy'] ?? '';
        // A page the service worker writes offline has no inline script at
        // all: it allows none.
        const written = response.fromServiceWorker() && /default-src 'none'/.test(policy) &&
          /script-src 'self'(;|$)/.test(policy);
        const nonced = /script-src [^;]*'nonce-[A-Za-z0-9_-]{16,}'/.test(policy);
        if (!(nonced || written) || !/object-src 'none'/.test(policy)) {
          pagesWithoutPolicy.push(`${response.status()} ${response.url()}: ${policy || '(none)'}`);
        }
      });
      await use();
      expect(refusals, 'the Content-Security-Policy refused nothing').toEqual([]);
      expect(pagesWithoutPolicy, 'every page has a nonce-based Content-Security-Policy').toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };
