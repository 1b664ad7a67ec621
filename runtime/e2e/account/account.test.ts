import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageScreenshot, PHONE, TEST_ADMIN_PASSWORD, logIn, pageWidth, startE2eApp, viewportScreenshot, type E2eApp } from '../support/index.ts';

let app: E2eApp;
let page: Page;

beforeAll(async () => {
  app = await startE2eApp();
  page = await app.newPage();
  await page.goto(`${app.url}/account`);
  await logIn(page, 'admin', TEST_ADMIN_PASSWORD);
  await page.getByRole('heading', { name: '我的账号' }).waitFor();
});
afterAll(() => app?.close());

describe('my account', () => {
  it('saves the profile', async () => {
    await page.locator('[data-test=profile-name]').fill('系统管理员');
    await page.locator('[data-test=profile-save]').click();
    await page.locator('.el-message--success').waitFor();
    expect(await page.locator('[data-test=user-menu]').textContent()).toContain('系统管理员');
    await pageScreenshot(page, 'runtime-account-desktop');
  });

  it('creates a token, shows the secret once, and revokes it after confirming', async () => {
    await page.locator('[data-test=token-create]').click();
    await page.locator('[data-test=token-name]').fill('报表同步');
    await page.locator('[data-test=token-submit]').click();
    const secret = page.locator('[data-test=token-secret] code');
    await secret.waitFor();
    expect((await secret.textContent())?.length).toBeGreaterThan(20);
    await viewportScreenshot(page, 'runtime-token-secret-desktop');
    await page.locator('[data-test=token-done]').click();
    await secret.waitFor({ state: 'detached' });
    const list = page.locator('[data-test=token-list]');
    expect(await list.textContent()).toContain('报表同步');

    await page.locator('[data-test=token-revoke]').click();
    await page.locator('.el-message-box .el-button--danger').click();
    await page.locator('[data-test=token-list]').waitFor({ state: 'detached' });
    expect((await app.api<{ items: unknown[] }>('GET', '/api/v1/me/tokens')).items).toEqual([]);
  });

  it('refuses a wrong current password with the server message', async () => {
    const card = page.locator('.tb-card', { hasText: '修改密码' });
    const inputs = card.locator('input[type=password]');
    await inputs.nth(0).fill('wrong-password');
    await inputs.nth(1).fill('new-password-123');
    await inputs.nth(2).fill('new-password-123');
    await card.locator('button[type=submit]').click();
    await page.locator('.el-message--error').waitFor();
  });

  it('fits a phone screen', async () => {
    const phone = await app.newPage({ viewport: PHONE });
    await phone.context().request.post(`${app.url}/api/v1/auth/login`, { data: { login: 'admin', password: TEST_ADMIN_PASSWORD } });
    await phone.goto(`${app.url}/account`);
    await phone.locator('[data-test=profile-name]').waitFor();
    expect(await pageWidth(phone)).toBeLessThanOrEqual(PHONE.width);
    await pageScreenshot(phone, 'runtime-account-phone');
  });
});
