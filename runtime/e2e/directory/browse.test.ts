import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageScreenshot, PHONE, TEST_ADMIN_PASSWORD, logIn, pageWidth, startE2eApp, viewportScreenshot, type E2eApp } from '../support/index.ts';

let app: E2eApp;
let page: Page;

const rows = () => page.locator('[data-test=person-row]');
const names = async () => (await page.locator('[data-test=person-row] .name').allTextContents()).map((n) => n.trim());

beforeAll(async () => {
  app = await startE2eApp();
  page = await app.newPage();
  await page.goto(`${app.url}/`);
  await logIn(page, 'admin', TEST_ADMIN_PASSWORD);
  await page.waitForURL((url) => url.pathname === '/directory');
});
afterAll(() => app?.close());

describe('the company directory', () => {
  it('lists the demo company with its department tree', async () => {
    await page.getByText('张伟').first().waitFor();
    expect(await rows().count()).toBeGreaterThanOrEqual(15);
    expect(await names()).toEqual(expect.arrayContaining(['张伟', '李娜', 'Emily Carter']));
    const tree = page.locator('[data-test=department-panel]');
    await tree.getByText('销售部').waitFor();
    expect(await tree.locator('[data-test=department-华东大区] .node-count').textContent()).toBe('3');
    await pageScreenshot(page, 'runtime-directory-desktop');
  });

  it('finds people by pinyin initials', async () => {
    await page.locator('[data-test=people-search]').fill('zw');
    await page.waitForFunction(() => document.querySelectorAll('[data-test=person-row]').length === 1);
    expect(await names()).toEqual(['张伟']);
    await page.locator('[data-test=people-search]').fill('');
    await page.waitForFunction(() => document.querySelectorAll('[data-test=person-row]').length > 1);
  });

  it('filters by the department clicked in the tree, offering its sub-departments', async () => {
    await page.locator('[data-test=department-panel] [data-test=department-销售部]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-test=person-row]').length === 1);
    expect(await names()).toEqual(['李娜']);
    expect(await page.locator('[data-test=department-panel] [data-test=department-销售部] .node-count').textContent()).toBe('6');
    await pageScreenshot(page, 'runtime-directory-department-desktop');
    await page.locator('[data-test=sub-departments]').getByText('华东大区').click();
    await page.waitForURL(/department=/);
    await page.waitForFunction(() => document.querySelectorAll('[data-test=person-row]').length === 3);
    expect((await names()).sort()).toEqual(['刘洋', '张伟', '陈静'].sort());
    await page.locator('[data-test=department-all]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-test=person-row]').length > 3);
  });

  it('opens a person with their departments and manager, and follows the manager link', async () => {
    await rows().filter({ hasText: '张伟' }).click();
    const detail = page.locator('[data-test=person-detail]');
    await detail.waitFor();
    expect(await detail.textContent()).toContain('示例科技有限公司 / 销售部 / 华东大区');
    expect(await detail.textContent()).toContain('zhangwei@example.com');
    await viewportScreenshot(page, 'runtime-person-desktop');
    await page.locator('[data-test=person-manager]').click();
    await page.locator('[data-test=person-detail] .name', { hasText: '李娜' }).waitFor();
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'hidden' });
  });

  it('fits a phone: department picker above the list, navigation in a drawer, no sideways scrolling', async () => {
    const phone = await app.newPage({ viewport: PHONE });
    await phone.context().request.post(`${app.url}/api/v1/auth/login`, { data: { login: 'admin', password: TEST_ADMIN_PASSWORD } });
    await phone.goto(`${app.url}/directory`);
    await phone.getByText('张伟').first().waitFor();
    expect(await phone.locator('[data-test=department-picker]').isVisible()).toBe(true);
    expect(await phone.locator('[data-test=department-panel]').isVisible()).toBe(false);
    expect(await pageWidth(phone)).toBeLessThanOrEqual(PHONE.width);
    await pageScreenshot(phone, 'runtime-directory-phone');

    await phone.locator('[data-test=people-search]').fill('zhang');
    await phone.waitForFunction(() => document.querySelectorAll('[data-test=person-row]').length === 1);
    await phone.locator('[data-test=person-row]', { hasText: '张伟' }).click();
    await phone.locator('[data-test=person-detail]').waitFor();
    expect(await pageWidth(phone)).toBeLessThanOrEqual(PHONE.width);
    await viewportScreenshot(phone, 'runtime-person-phone');
    await phone.keyboard.press('Escape');

    await phone.locator('[data-test=nav-toggle]').click();
    await viewportScreenshot(phone, 'runtime-nav-drawer-phone');
    await phone.locator('.drawer-nav').getByText('我的账号').click();
    await phone.getByRole('heading', { name: '我的账号' }).waitFor();
    expect(await pageWidth(phone)).toBeLessThanOrEqual(PHONE.width);
  });
});
