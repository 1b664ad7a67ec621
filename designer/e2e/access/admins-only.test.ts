import { pageScreenshot, PHONE, logIn, pageWidth, startE2eApp, type E2eApp } from '@threadbase/runtime/e2e';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMBER, seedMember } from './admins-only.seed.ts';

let app: E2eApp;

beforeAll(async () => {
  app = await startE2eApp();
  await seedMember(app);
});
afterAll(() => app?.close());

describe('the admin console for someone who is not an administrator', () => {
  it('shows the admins-only page with a way to the employee app', async () => {
    const page = await app.newPage();
    await page.goto(`${app.url}/designer/`);
    await page.getByRole('heading', { name: '欢迎回来' }).waitFor();
    await pageScreenshot(page, 'designer-login-desktop');
    await logIn(page, MEMBER.login, MEMBER.password);
    await page.locator('[data-test=admins-only]').waitFor();
    expect(page.url()).toMatch(/\/designer\/admins-only$/);
    expect(await page.locator('[data-test=admins-only]').textContent()).toContain('仅限管理员');
    await pageScreenshot(page, 'designer-admins-only-desktop');

    await page.goto(`${app.url}/designer/org`);
    await page.waitForURL(/\/designer\/admins-only$/);
    await page.locator('[data-test=go-employee-app]').click();
    await page.waitForURL(/\/directory$/);
  });

  it('fits a phone', async () => {
    const phone = await app.newPage({ viewport: PHONE });
    await phone.context().request.post(`${app.url}/api/v1/auth/login`, { data: { login: MEMBER.login, password: MEMBER.password } });
    await phone.goto(`${app.url}/designer/`);
    await phone.locator('[data-test=admins-only]').waitFor();
    expect(await pageWidth(phone)).toBeLessThanOrEqual(PHONE.width);
    await pageScreenshot(phone, 'designer-admins-only-phone');
  });
});
