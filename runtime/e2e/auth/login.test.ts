import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageScreenshot, PHONE, TEST_ADMIN_PASSWORD, logIn, startE2eApp, type E2eApp } from '../support/index.ts';

let app: E2eApp;
let page: Page;

beforeAll(async () => {
  app = await startE2eApp();
  page = await app.newPage();
});
afterAll(() => app?.close());

describe('logging in and out of the employee app', () => {
  it('sends a visitor to the login page, remembering where they were going', async () => {
    await page.goto(`${app.url}/account`);
    await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('redirect') === '/account');
    await page.getByRole('heading', { name: '欢迎回来' }).waitFor();
    await pageScreenshot(page, 'runtime-login-desktop');
  });

  it('shows the server message for a wrong password', async () => {
    await logIn(page, 'admin', 'not-the-password');
    const error = page.locator('[data-test=login-error]');
    await error.waitFor();
    expect(await error.textContent()).toContain('登录名或密码错误');
    expect(await page.locator('input[name=password]').inputValue()).toBe('');
  });

  it('logs in and lands on the page asked for', async () => {
    await logIn(page, 'admin', TEST_ADMIN_PASSWORD);
    await page.waitForURL(/\/account$/);
    await page.getByRole('heading', { name: '我的账号' }).waitFor();
    expect(await page.locator('[data-test=user-menu]').textContent()).toContain('管理员');
  });

  it('switches to English, saves it for the user and keeps it after a reload', async () => {
    await page.locator('.shell-header [data-test=locale-switch]').click();
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/me') && r.request().method() === 'PATCH');
    await page.locator('.el-dropdown-menu__item', { hasText: 'English' }).click();
    await page.getByRole('heading', { name: 'My account' }).waitFor();
    expect((await saved).ok()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.reload();
    await page.getByRole('heading', { name: 'My account' }).waitFor();
    expect(await page.locator('.shell-nav').textContent()).toContain('Directory');
    const me = await page.evaluate(() => fetch('/api/v1/me').then((r) => r.json() as Promise<{ user: { locale: string } }>));
    expect(me.user.locale).toBe('en');
  });

  it('logs out back to the login page, which stays in the chosen language', async () => {
    await page.locator('[data-test=user-menu]').click();
    await page.locator('[data-test=logout]').click();
    await page.waitForURL(/\/login$/);
    await page.getByRole('heading', { name: 'Welcome back' }).waitFor();
    await page.goto(`${app.url}/directory`);
    await page.waitForURL(/\/login\?redirect=/);
  });

  it('switches back to Chinese before logging in', async () => {
    await page.locator('[data-test=locale-switch]').click();
    await page.locator('.el-dropdown-menu__item', { hasText: '简体中文' }).click();
    await page.getByRole('heading', { name: '欢迎回来' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: '欢迎回来' }).waitFor();
  });

  it('fits a phone screen', async () => {
    const phone = await app.newPage({ viewport: PHONE, locale: 'en-US' });
    await phone.goto(`${app.url}/login`);
    await phone.getByRole('heading', { name: 'Welcome back' }).waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await pageScreenshot(phone, 'runtime-login-phone');
  });
});
