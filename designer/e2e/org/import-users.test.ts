import type { User } from '@threadbase/platform/contracts';
import { TEST_ADMIN_PASSWORD, logIn, startE2eApp, viewportScreenshot, type E2eApp } from '@threadbase/runtime/e2e';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let app: E2eApp;
let page: Page;

const BAD_CSV = ['登录名,姓名,部门', 'bad login!,坏数据,示例科技有限公司/销售部', 'guanyu,关羽,示例科技有限公司/销售部'].join('\n');
const GOOD_CSV = ['login,displayName,department,jobTitle,manager', 'guanyu,关羽,示例科技有限公司/市场部,市场经理,', 'zhangfei,张飞,示例科技有限公司/市场部,市场专员,guanyu'].join('\n');

beforeAll(async () => {
  app = await startE2eApp();
  page = await app.newPage();
  await page.goto(`${app.url}/designer/org`);
  await logIn(page, 'admin', TEST_ADMIN_PASSWORD);
  await page.locator('[data-test=users-table] .name', { hasText: '张伟' }).waitFor();
});
afterAll(() => app?.close());

describe('importing users from CSV', () => {
  it('shows each bad row after a check, and imports nothing', async () => {
    await page.locator('[data-test=users-import]').click();
    await page.locator('[data-test=import-csv]').fill(BAD_CSV);
    expect(await page.locator('[data-test=import-run]').isDisabled()).toBe(true);
    await page.locator('[data-test=import-check]').click();
    const errors = page.locator('[data-test=import-errors]');
    await errors.waitFor();
    const firstRow = errors.locator('.el-table__body tr').first();
    expect(await firstRow.locator('td').nth(0).textContent()).toBe('2');
    expect(await firstRow.locator('td').nth(1).textContent()).toBe('登录名');
    expect(await page.locator('[data-test=import-run]').isDisabled()).toBe(true);
    await viewportScreenshot(page, 'designer-import-errors-desktop');
    const { items } = await app.api<{ items: User[] }>('GET', '/api/v1/org/users?q=guanyu');
    expect(items).toEqual([]);
  });

  it('checks a good file, then imports it', async () => {
    await page.locator('[data-test=import-csv]').fill(GOOD_CSV);
    await page.locator('[data-test=import-errors]').waitFor({ state: 'detached' });
    await page.locator('[data-test=import-check]').click();
    const ok = page.locator('[data-test=import-ok]');
    await ok.waitFor();
    expect(await ok.textContent()).toContain('2 名用户、1 个部门');
    await viewportScreenshot(page, 'designer-import-checked-desktop');
    await page.locator('[data-test=import-run]').click();
    await page.locator('[data-test=import-dialog]').waitFor({ state: 'hidden' });
    await page.locator('[data-test=users-table] .name', { hasText: '张飞' }).waitFor();
    await page.locator('[data-test=department-tree] [data-test="department-市场部"]').waitFor();
    const { items } = await app.api<{ items: User[] }>('GET', '/api/v1/org/users?q=zhangfei');
    const [guanyu] = (await app.api<{ items: User[] }>('GET', '/api/v1/org/users?q=guanyu')).items;
    expect(items[0]?.managerId).toBe(guanyu?.id);
  });
});
