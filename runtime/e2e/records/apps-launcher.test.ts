import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE, TEST_ADMIN_PASSWORD, pageWidth, startE2eApp, transitionsDone, viewportScreenshot, type E2eApp } from '../support/index.ts';
import { READER, publishApps, seedObjects } from './apps-launcher.seed.ts';

let app: E2eApp;

async function signedIn(login: string, password: string, options: Parameters<E2eApp['newPage']>[0] = {}): Promise<Page> {
  const page = await app.newPage(options);
  await page.context().request.post(`${app.url}/api/v1/auth/login`, { data: { login, password } });
  return page;
}

const launcher = (page: Page) => page.locator('[data-test=app-launcher-dialog]');
const objectNames = async (page: Page) => (await page.locator('[data-test=object-list] .name').allTextContents()).map((t) => t.trim());
const navLabels = async (page: Page) => (await page.locator('.shell-nav .nav-link').allTextContents()).map((t) => t.trim());

async function openLauncher(page: Page): Promise<void> {
  await page.locator('[data-test=app-launcher]').click();
  await launcher(page).waitFor();
  await transitionsDone(page);
}

beforeAll(async () => {
  app = await startE2eApp();
  await seedObjects(app);
});
afterAll(() => app?.close());

describe('the app launcher on a desktop, in Chinese and dark', () => {
  let admin: Page;

  beforeAll(async () => {
    admin = await signedIn('admin', TEST_ADMIN_PASSWORD);
    await admin.emulateMedia({ colorScheme: 'dark' });
  });

  it('with no apps published offers only “all objects”, and tells where apps come from', async () => {
    await admin.goto(`${app.url}/o`);
    await admin.locator('[data-test=object-list]').waitFor();
    await openLauncher(admin);
    expect(await launcher(admin).locator('button.choice').count()).toBe(1);
    expect(await launcher(admin).locator('[data-test=app-all]').textContent()).toContain('全部对象');
    expect(await launcher(admin).locator('[data-test=app-launcher-hint]').textContent()).toContain('管理员可以在元数据中把对象归组为应用');
    await viewportScreenshot(admin, 'runtime-apps-launcher-empty-desktop-dark');
    await admin.keyboard.press('Escape');
    await launcher(admin).waitFor({ state: 'hidden' });
  });

  it('lists the published apps; choosing one from the keyboard shows its objects in its order, in the navigation too', async () => {
    await publishApps(app);
    await admin.reload();
    await admin.locator('[data-test=object-list]').waitFor();
    expect(await objectNames(admin)).toEqual(['商机', '客户', '工单'].sort((a, b) => a.localeCompare(b, 'zh-CN')));
    await openLauncher(admin);
    const names = (await launcher(admin).locator('button.choice .name').allTextContents()).map((t) => t.trim());
    expect(names).toEqual(['全部对象', '销售', '客服']);
    expect(await launcher(admin).locator('[data-test=app-sales]').textContent()).toContain('商机和客户');
    // Focus starts on the current choice, "all objects"; the arrow keys move on, Enter chooses.
    expect(await admin.evaluate(() => document.activeElement?.getAttribute('data-test'))).toBe('app-all');
    await admin.keyboard.press('ArrowRight');
    expect(await admin.evaluate(() => document.activeElement?.getAttribute('data-test'))).toBe('app-sales');
    await viewportScreenshot(admin, 'runtime-apps-launcher-desktop-dark');
    await admin.keyboard.press('Enter');
    await launcher(admin).waitFor({ state: 'hidden' });
    await admin.locator('.page-header h1', { hasText: '销售' }).waitFor();
    expect(await objectNames(admin)).toEqual(['商机', '客户']);
    expect(await navLabels(admin)).toContain('销售');
    await viewportScreenshot(admin, 'runtime-apps-objects-desktop-dark');
  });

  it('keeps the app across a reload, and “show all objects” goes back to every object', async () => {
    await admin.reload();
    await admin.locator('.page-header h1', { hasText: '销售' }).waitFor();
    expect(await objectNames(admin)).toEqual(['商机', '客户']);
    await admin.locator('[data-test=show-all-objects]').click();
    await admin.locator('.page-header h1', { hasText: '业务数据' }).waitFor();
    expect(await objectNames(admin)).toHaveLength(3);
    expect(await navLabels(admin)).toContain('业务数据');
  });

  it('opens an app from its address, and says so when there is no such app', async () => {
    await admin.goto(`${app.url}/apps/service`);
    await admin.waitForURL(`${app.url}/o`);
    await admin.locator('.page-header h1', { hasText: '客服' }).waitFor();
    expect(await objectNames(admin)).toEqual(['工单', '客户']);
    await admin.goto(`${app.url}/apps/nowhere`);
    const missing = admin.locator('[data-test=app-missing]');
    await missing.waitFor();
    expect(await missing.textContent()).toContain('没有应用“nowhere”，或者你无权查看其中的任何对象。');
    await viewportScreenshot(admin, 'runtime-apps-unknown-desktop-dark');
    await missing.locator('a.back').click();
    await admin.locator('.page-header h1', { hasText: '客服' }).waitFor();
  });
});

describe('the app launcher on a phone, in English', () => {
  let reader: Page;

  beforeAll(async () => {
    reader = await signedIn(READER.login, READER.password, { viewport: PHONE, locale: 'en' });
  });

  it('is a full-width sheet; choosing an app opens its objects without sideways scrolling', async () => {
    await reader.goto(`${app.url}/o`);
    await reader.locator('[data-test=object-list]').waitFor();
    await openLauncher(reader);
    const box = (await launcher(reader).boundingBox())!;
    expect(box.width).toBe(PHONE.width);
    expect((await launcher(reader).locator('button.choice .name').allTextContents()).map((t) => t.trim())).toEqual(['All objects', 'Sales', 'Service']);
    await viewportScreenshot(reader, 'runtime-apps-launcher-phone-en');
    await launcher(reader).locator('[data-test=app-service]').click();
    await reader.locator('.page-header h1', { hasText: 'Service' }).waitFor();
    expect(await objectNames(reader)).toEqual(['Tickets', 'Accounts']);
    expect(await pageWidth(reader)).toBeLessThanOrEqual(PHONE.width);
    await viewportScreenshot(reader, 'runtime-apps-objects-phone-en');
  });

  it('remembers the app per person: the administrator’s choice is not hers', async () => {
    await reader.reload();
    await reader.locator('.page-header h1', { hasText: 'Service' }).waitFor();
    await reader.goto(`${app.url}/apps/sales`);
    await reader.locator('.page-header h1', { hasText: 'Sales' }).waitFor();
    expect(await objectNames(reader)).toEqual(['Deals', 'Accounts']);
    await reader.goto(`${app.url}/apps/nowhere`);
    expect(await reader.locator('[data-test=app-missing]').textContent()).toContain('There is no app “nowhere”, or you may not see any of its objects.');
  });
});
