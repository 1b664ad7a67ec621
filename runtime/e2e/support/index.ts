import fs from 'node:fs';
import path from 'node:path';
import { TEST_ADMIN_PASSWORD, launchBrowser, screenshot, startTestServer, type TestPlatform } from '@threadbase/platform/testing';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 375, height: 812 };

export type E2eApp = {
  url: string;
  browser: Browser;
  /** A new browser window (own cookies and storage) of the given size and browser language. */
  newPage(options?: { viewport?: { width: number; height: number }; locale?: string }): Promise<Page>;
  /** Calls the API as the administrator, for seeding what a test needs. */
  api<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** The platform itself, for seeding in bulk what the API would take minutes to make (its rate limits hold for tests too). */
  platform: TestPlatform['platform'];
  close(): Promise<void>;
};

/** One platform and one browser per test file: starting them is the slow part of a browser test. */
export async function startE2eApp(): Promise<E2eApp> {
  const server = await startTestServer();
  const browser = await launchBrowser();
  const contexts: BrowserContext[] = [];
  let adminToken: string | null = null;

  async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    adminToken ??= (await call<{ token: string }>(server.url, null, 'POST', '/api/v1/auth/login', { login: 'admin', password: TEST_ADMIN_PASSWORD })).token;
    return call<T>(server.url, adminToken, method, path, body);
  }

  return {
    url: server.url,
    browser,
    api,
    platform: server.platform,
    async newPage(options = {}) {
      const context = await browser.newContext({ viewport: options.viewport ?? DESKTOP, locale: options.locale ?? 'zh-CN' });
      contexts.push(context);
      // Fail a step in seconds, not after Playwright's default half minute: the suite runs on a slow CI box twice.
      context.setDefaultTimeout(10_000);
      return context.newPage();
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close();
      await server.close();
    },
  };
}

async function call<T>(url: string, token: string | null, method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Logs in through the real login form, as a person would. */
export async function logIn(page: Page, login: string, password: string): Promise<void> {
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill(password);
  await page.locator('input[name=password]').press('Enter');
}

/** Opens an Element Plus select and clicks the option with this text (options live in a popper on <body>). */
export async function choose(page: Page, select: Locator, option: string): Promise<void> {
  await transitionsDone(page);
  await select.click();
  const item = page.locator('.el-select-dropdown__item:visible', { hasText: option }).first();
  await item.waitFor();
  await transitionsDone(page);
  await item.click();
  await transitionsDone(page);
}

/** Widest element of the document: more than the viewport means the page scrolls sideways. */
export function pageWidth(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth);
}

/** Waits until no Vue or CSS transition is running, so a screenshot shows dialogs open and colours settled. */
export async function transitionsDone(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      !document.querySelector('[class*="-enter-active"], [class*="-leave-active"]') &&
      !document.getAnimations().some((a) => a instanceof CSSTransition && a.playState === 'running'),
  );
}

/** A full-page screenshot under test-results/, once transitions have settled. */
export async function pageScreenshot(page: Page, name: string): Promise<void> {
  await transitionsDone(page);
  await screenshot(page, name);
}

const resultsDir = path.resolve(import.meta.dirname, '../../../test-results');

/**
 * Saves what the viewport shows under test-results/. Dialogs and drawers are fixed to the viewport,
 * so a full-page picture of a scrolled page would show them cut off halfway down.
 */
export async function viewportScreenshot(page: Page, name: string): Promise<void> {
  await transitionsDone(page);
  fs.mkdirSync(resultsDir, { recursive: true });
  await page.screenshot({ path: path.join(resultsDir, `${name}.png`) });
}

export { TEST_ADMIN_PASSWORD };
