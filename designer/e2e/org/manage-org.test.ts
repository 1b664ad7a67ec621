import type { Department, User } from '@threadbase/platform/contracts';
import { pageScreenshot, PHONE, TEST_ADMIN_PASSWORD, logIn, pageWidth, startE2eApp, transitionsDone, viewportScreenshot, type E2eApp } from '@threadbase/runtime/e2e';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let app: E2eApp;
let page: Page;

const treeNode = (name: string) => page.locator(`[data-test=department-tree] [data-test="department-${name}"]`);
const userRow = (name: string) => page.locator('[data-test=users-table] .el-table__body-wrapper tr', { hasText: name });
const dialog = () => page.locator('[data-test=department-dialog]');

async function departmentCommand(name: string, command: string): Promise<void> {
  await treeNode(name).locator('[data-test=department-actions]').click();
  await page.locator(`.el-dropdown-menu:visible [data-test=department-${command}]`).click();
  await dialog().waitFor();
  // On a busy machine a click during the dialog's opening animation can land beside its moving target.
  await transitionsDone(page);
}

async function chooseParent(name: string): Promise<void> {
  await page.locator('[data-test=department-parent] .el-select__wrapper').click();
  await transitionsDone(page);
  await page.locator('.el-tree-select__popper:visible .el-tree-node__content', { hasText: name }).first().click();
  await page.locator('[data-test=department-parent] .el-select__selected-item', { hasText: name }).first().waitFor();
  // A dropdown still open (or still closing) covers the dialog's buttons: a click beside it closes it.
  const dropdown = page.locator('.el-tree-select__popper:visible');
  if (await dropdown.count()) await page.locator('[data-test=department-dialog] .el-dialog__header').click();
  await dropdown.first().waitFor({ state: 'hidden' });
}

async function departments(): Promise<Department[]> {
  return (await app.api<{ items: Department[] }>('GET', '/api/v1/org/departments')).items;
}

beforeAll(async () => {
  app = await startE2eApp();
  page = await app.newPage();
  await page.goto(`${app.url}/designer/`);
  await logIn(page, 'admin', TEST_ADMIN_PASSWORD);
  await page.waitForURL(/\/designer\/org$/);
  await userRow('张伟').waitFor();
});
afterAll(() => app?.close());

describe('managing users and departments', () => {
  it('shows the organisation and its people', async () => {
    await treeNode('华东大区').waitFor();
    await pageScreenshot(page, 'designer-org-desktop');
  });

  it('creates a sub-department', async () => {
    await departmentCommand('示例科技有限公司', 'create');
    await page.locator('[data-test=department-name]').fill('市场部');
    await viewportScreenshot(page, 'designer-department-dialog-desktop');
    await page.locator('[data-test=department-submit]').click();
    await treeNode('市场部').waitFor();
    const market = (await departments()).find((d) => d.name === '市场部');
    const root = (await departments()).find((d) => d.name === '示例科技有限公司');
    expect(market?.parentId).toBe(root?.id);
  });

  it('creates a user in the selected department', async () => {
    await treeNode('市场部').click();
    await page.locator('[data-test=users-table]').getByText('没有符合条件的用户').waitFor();
    await page.locator('[data-test=users-create]').click();
    await page.locator('[data-test=user-login]').fill('zhaoyun');
    await page.locator('[data-test=user-name]').fill('赵云');
    await page.locator('[data-test=user-password]').fill('zhaoyun-pass-1');
    await viewportScreenshot(page, 'designer-user-dialog-desktop');
    await page.locator('[data-test=user-submit]').click();
    await userRow('赵云').waitFor();
    const { items } = await app.api<{ items: User[] }>('GET', '/api/v1/org/users?q=zhaoyun');
    const market = (await departments()).find((d) => d.name === '市场部');
    expect(items[0]?.mainDepartmentId).toBe(market?.id);
  });

  it('disables the user after confirming', async () => {
    await userRow('赵云').locator('[data-test=user-toggle]').click();
    await page.locator('.el-message-box .el-button--danger').click();
    await userRow('赵云').getByText('已停用').waitFor();
    const { items } = await app.api<{ items: User[] }>('GET', '/api/v1/org/users?q=zhaoyun');
    expect(items[0]?.status).toBe('disabled');
    await page.locator('[data-test=department-tree] .all').click();
    await userRow('张伟').waitFor();
  });

  it('refuses to move a department under its own sub-department, with the server message', async () => {
    await departmentCommand('销售部', 'move');
    await chooseParent('华东大区');
    await viewportScreenshot(page, 'designer-move-dialog-desktop');
    await page.locator('[data-test=department-submit]').click();
    const message = page.locator('.el-message--error');
    await message.waitFor();
    expect(await message.textContent()).toMatch(/下级|自身|循环/);
    expect(await dialog().isVisible()).toBe(true);
    await page.locator('[data-test=department-dialog] .el-dialog__footer button').first().click();
  });

  it('moves a department somewhere allowed', async () => {
    await departmentCommand('市场部', 'move');
    await chooseParent('销售部');
    await page.locator('[data-test=department-submit]').click();
    await dialog().waitFor({ state: 'hidden' });
    const all = await departments();
    expect(all.find((d) => d.name === '市场部')?.parentId).toBe(all.find((d) => d.name === '销售部')?.id);
  });

  it('fits a phone without sideways scrolling', async () => {
    const phone = await app.newPage({ viewport: PHONE });
    await phone.context().request.post(`${app.url}/api/v1/auth/login`, { data: { login: 'admin', password: TEST_ADMIN_PASSWORD } });
    await phone.goto(`${app.url}/designer/org`);
    await phone.locator('[data-test=users-table] .name', { hasText: '张伟' }).waitFor();
    expect(await pageWidth(phone)).toBeLessThanOrEqual(PHONE.width);
    await pageScreenshot(phone, 'designer-org-phone');
    await phone.locator('[data-test=users-create]').click();
    await phone.locator('[data-test=user-login]').waitFor();
    expect(await pageWidth(phone)).toBeLessThanOrEqual(PHONE.width);
    await viewportScreenshot(phone, 'designer-user-dialog-phone');
  });
});
