import { test as base, expect, type Browser, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import type { Result } from 'axe-core';

/** The rules every page must pass: WCAG 2.0 and 2.1, levels A and AA. */
const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Every journey imports `test` from here: besides what it checks itself, each
 * page it opens must arrive with a Content-Security-Policy whose scripts need
 * this response's nonce, and nothing on the way may be refused by the policy
 * (Chromium logs every refusal to the console). A policy that broke the
 * app's own scripts or styles fails the journey that met it.
 *
 * And every page a journey visits, in every tab of its browser context, is
 * checked by axe-core against WCAG 2.1 A and AA: once after each page load
 * (and each in-app navigation once the app is live), and the page as the
 * journey leaves it. A violation fails the journey that met it, with the
 * rule, the elements and how to fix it.
 */
export const test = base.extend<{ contentSecurityPolicy: void; accessibility: void }>({
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

  accessibility: [
    async ({ browser, context, page }, use, testInfo) => {
      const { baseURL = '', javaScriptEnabled = true } = testInfo.project.use;
      const checker = new AccessibilityChecker(browser, baseURL, javaScriptEnabled);
      checker.watch(page);
      context.on('page', (opened) => checker.watch(opened));
      await use();
      for (const opened of context.pages()) await checker.finalCheck(opened);
      await checker.close();
      testInfo.annotations.push({ type: 'accessibility', description: `${checker.checkedCount} pages checked by axe-core` });
      expect(checker.violations, 'no WCAG 2.1 A/AA violations (axe-core) on any page').toEqual([]);
    },
    { auto: true },
  ],
});

/**
 * Checks with axe-core every page a journey's tabs show, without holding
 * the journey up: at each page load (and a moment after each in-app
 * navigation of the live app) the page's DOM is copied, and the copy is
 * checked in a tab of a separate context, at the same address and size, so
 * the same stylesheet and media queries apply. The page as the journey
 * leaves it is always checked.
 *
 * A copy, because axe-core is a script, and a tab with JavaScript off runs
 * none, not even Playwright's; and because a check in the journey's own tab
 * would race the journey. The copy's scripts are removed, so it stays the
 * DOM the journey saw, hydrated or not.
 */
class AccessibilityChecker {
  readonly violations: string[] = [];
  private readonly checked = new Set<string>();
  private readonly contentTypes = new Map<string, string>();
  private queue: Promise<void> = Promise.resolve();
  private copies?: Promise<{ page: Page; html: { current: string } }>;

  constructor(
    private readonly browser: Browser,
    private readonly origin: string,
    private readonly javaScriptEnabled: boolean,
  ) {}

  get checkedCount() {
    return this.checked.size;
  }

  watch(page: Page) {
    page.on('response', async (response) => {
      if (response.request().resourceType() !== 'document') return;
      this.contentTypes.set(response.url(), (await response.allHeaders())['content-type'] ?? '');
    });
    page.on('load', () => this.capture(page));
    // In-app navigations of the live app change the address without a load;
    // the next view has usually rendered a moment later.
    if (this.javaScriptEnabled) {
      page.on('framenavigated', (frame) => {
        if (frame === page.mainFrame()) setTimeout(() => this.capture(page), 300);
      });
    }
  }

  async finalCheck(page: Page) {
    if (!page.isClosed()) {
      await page.waitForLoadState('load');
      await this.capture(page, { always: true });
    }
    await this.queue;
  }

  async close() {
    await this.queue;
    if (this.copies) await (await this.copies).page.context().close();
  }

  /** Copies the page's DOM now and queues its check. */
  private async capture(page: Page, { always = false } = {}) {
    const url = page.url();
    if (page.isClosed() || !url.startsWith(this.origin)) return;
    if (!always && this.checked.has(url)) return;
    // Only HTML pages: not JSON answers, CSV downloads or the manifest.
    if (!(this.contentTypes.get(url.split('#')[0]) ?? 'text/html').startsWith('text/html')) return;
    let html: string;
    try {
      html = await page.content();
    } catch {
      return; // navigating away already: the next load is captured instead
    }
    if (page.url() !== url) return;
    this.checked.add(url);
    const viewport = page.viewportSize() ?? { width: 1280, height: 720 };
    this.queue = this.queue.then(() => this.check(url, html, viewport));
  }

  private async check(url: string, html: string, viewport: { width: number; height: number }) {
    this.copies ??= (async () => {
      const context = await this.browser.newContext({ javaScriptEnabled: true });
      const copy = await context.newPage();
      const current = { current: '' };
      await copy.route('**/*', (route) =>
        route.request().isNavigationRequest()
          ? route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: current.current })
          : route.continue(),
      );
      return { page: copy, html: current };
    })();
    const { page: copy, html: current } = await this.copies;
    current.current = html
      .replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '')
      .replace(/<link\b[^>]*rel="modulepreload"[^>]*>/gi, '');
    await copy.setViewportSize(viewport);
    await copy.goto(url.split('#')[0], { waitUntil: 'load' });
    const results = await analyze(copy);
    const where = new URL(url).pathname + new URL(url).search;
    for (const violation of results.violations) {
      const report = describe(where, violation);
      if (!this.violations.includes(report)) this.violations.push(report);
    }
  }
}

function analyze(page: Page) {
  return new AxeBuilder({ page }).withTags(WCAG_21_AA).setLegacyMode().analyze();
}

function describe(where: string, violation: Result): string {
  const nodes = violation.nodes
    .slice(0, 5)
    .map((node) => `    ${node.target.join(' ')}: ${node.failureSummary?.replace(/\s+/g, ' ') ?? ''}`)
    .join('\n');
  return `${where}: [${violation.id}, ${violation.impact}] ${violation.help} (${violation.helpUrl})\n${nodes}`;
}

export { expect };
