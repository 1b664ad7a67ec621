import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE, TEST_ADMIN_PASSWORD, logIn, pageWidth, startE2eApp, transitionsDone, viewportScreenshot, type E2eApp } from '../support/index.ts';

let app: E2eApp;
let admin: Page;
const both = (zh: string, en: string) => ({ 'zh-CN': zh, en });
const ids: Record<string, string> = {};
const LUCY = { login: 'lucy_e2e', password: 'lucy-password-1', displayName: 'Lucy Reader' };

const dialog = (page: Page) => page.locator('.search-dialog');
const hits = (page: Page) => dialog(page).locator('[data-test=search-hit]');

/** Search indexing runs behind the writes: wait until the server finds what the test looks for. */
async function indexed(q: string, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const found = await app.api<{ items: unknown[] }>('GET', `/api/v1/search?q=${encodeURIComponent(q)}`);
    if (found.items.length >= count) return;
    if (Date.now() > deadline) throw new Error(`"${q}" not indexed: ${JSON.stringify(found)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  app = await startE2eApp();
  await app.api('PUT', '/api/v1/meta/draft', {
    objects: [{ name: 'contract', label: both('合同', 'Contract'), pluralLabel: both('合同', 'Contracts'), recordName: 'title', fields: [{ name: 'title', type: 'text', label: both('合同名称', 'Title'), required: true }] }],
  });
  await app.api('POST', '/api/v1/meta/publish', { note: 'e2e search' });
  ids.east = (await app.api<{ id: string }>('POST', '/api/v1/objects/contract/records', { title: '华东区框架协议' })).id;
  ids.south = (await app.api<{ id: string }>('POST', '/api/v1/objects/contract/records', { title: '华南区维保合同' })).id;
  const thread = await app.api<{ id: string }>('GET', `/api/v1/objects/contract/records/${ids.south}/thread`);
  await app.api('POST', `/api/v1/threads/${thread.id}/messages`, { clientId: 'e2e-search-1', body: '华东区的客户也想要这份维保条款' });
  await app.api('POST', '/api/v1/org/users', { ...LUCY, locale: 'en' });
  await indexed('华东', 2);
  admin = await app.newPage();
  await admin.goto(`${app.url}/`);
  await logIn(admin, 'admin', TEST_ADMIN_PASSWORD);
  // The login page's own address names /directory as where to go next: wait for the page itself.
  await admin.waitForURL((url) => url.pathname === '/directory');
});
afterAll(() => app?.close());

describe('the search box', () => {
  it('opens with Ctrl K and lists the records opened lately before anything is typed', async () => {
    await admin.goto(`${app.url}/o/contract/${ids.south}`);
    await admin.locator('[data-test=record-title]', { hasText: '华南区维保合同' }).waitFor();
    await admin.goto(`${app.url}/directory`);
    // The shortcut works once the app is up, not while the page is still loading.
    await admin.locator('[data-test=search-open]').waitFor();
    await admin.keyboard.press('Control+k');
    await dialog(admin).locator('.group', { hasText: '最近访问' }).waitFor();
    expect(await hits(admin).first().textContent()).toContain('华南区维保合同');
    await admin.keyboard.press('Enter');
    await admin.waitForURL(new RegExp(`/o/contract/${ids.south}$`));
  });

  it('finds records and messages with the matches marked, chosen with the arrow keys', async () => {
    await admin.locator('body').click();
    await admin.keyboard.press('/');
    await admin.locator('[data-test=search-input]').fill('华东');
    await dialog(admin).locator('.group', { hasText: '消息' }).waitFor();
    expect(await dialog(admin).locator('.group').allTextContents()).toEqual(['记录', '消息']);
    expect(await hits(admin).nth(0).textContent()).toContain('华东区框架协议');
    expect(await hits(admin).nth(0).locator('mark').first().textContent()).toBe('华东');
    expect(await hits(admin).nth(1).textContent()).toContain('华东区的客户也想要这份维保条款');
    await transitionsDone(admin);
    await viewportScreenshot(admin, 'runtime-search-desktop');
    await admin.keyboard.press('ArrowDown');
    expect(await hits(admin).nth(1).getAttribute('aria-selected')).toBe('true');
    // The message was written in the southern contract's thread: it opens that record at the message, lit up.
    await admin.keyboard.press('Enter');
    await admin.waitForURL(new RegExp(`/o/contract/${ids.south}\\?message=2$`));
    await admin.locator('[data-test=record-thread] .row.highlight', { hasText: '华东区的客户也想要这份维保条款' }).waitFor();
  });

  it('says when nothing matches', async () => {
    await admin.keyboard.press('Control+k');
    await admin.locator('[data-test=search-input]').fill('不存在的东西xyz');
    await dialog(admin).locator('[data-test=search-none]').waitFor();
    await admin.keyboard.press('Escape');
  });

  it('fits a phone in English, behind an icon', async () => {
    const phone = await app.newPage({ viewport: PHONE, locale: 'en' });
    await phone.goto(`${app.url}/`);
    await logIn(phone, LUCY.login, LUCY.password);
    await phone.waitForURL((url) => url.pathname === '/directory');
    await phone.locator('[data-test=search-open]').click();
    await phone.locator('[data-test=search-input]').fill('维保');
    await hits(phone).first().waitFor();
    expect(await dialog(phone).locator('.group').first().textContent()).toBe('Records');
    expect(await pageWidth(phone)).toBeLessThanOrEqual(PHONE.width);
    await transitionsDone(phone);
    await viewportScreenshot(phone, 'runtime-search-en-phone');
  });
});
