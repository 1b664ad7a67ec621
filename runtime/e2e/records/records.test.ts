import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE, TEST_ADMIN_PASSWORD, choose, logIn, pageScreenshot, pageWidth, startE2eApp, viewportScreenshot, type E2eApp } from '../support/index.ts';
import { SELLER, seed } from './records.seed.ts';

let app: E2eApp;
let admin: Page;
let ids: Awaited<ReturnType<typeof seed>>;

const rows = (page: Page) => page.locator('[data-test=record-row]');
const titles = async (page: Page) => (await rows(page).locator('td.name').allTextContents()).map((t) => t.trim());

async function signedIn(login: string, password: string, options: Parameters<E2eApp['newPage']>[0] = {}): Promise<Page> {
  const page = await app.newPage(options);
  await page.context().request.post(`${app.url}/api/v1/auth/login`, { data: { login, password } });
  return page;
}

beforeAll(async () => {
  app = await startE2eApp();
  ids = await seed(app);
  admin = await app.newPage();
  await admin.goto(`${app.url}/`);
  await logIn(admin, 'admin', TEST_ADMIN_PASSWORD);
  await admin.waitForURL((url) => url.pathname === '/directory');
});
afterAll(() => app?.close());

describe('an object’s list', () => {
  it('is reached from the navigation and shows records in columns drawn from the list view', async () => {
    await admin.locator('.shell-nav').getByText('业务数据').click();
    await admin.locator('[data-test=object-deal]').click();
    await admin.waitForURL(/\/o\/deal$/);
    await rows(admin).first().waitFor();
    expect(await rows(admin).count()).toBe(20);
    expect(await admin.locator('.page-header p').textContent()).toBe('共 25 条记录');
    const first = rows(admin).first();
    // The view sorts by amount, largest first: currency, percent, option colour, lookup and user in their own forms.
    expect(await first.locator('td.name').textContent()).toContain('华东区年度框架协议');
    expect(await first.textContent()).toContain('¥1,250,000.00');
    expect(await first.textContent()).toContain('35%');
    expect(await first.locator('.option-tag').textContent()).toBe('方案报价');
    expect(await first.locator('a', { hasText: '示例科技' }).getAttribute('href')).toMatch(/^\/o\/account\//);
    expect(await first.textContent()).toContain('Emma Seller');
    expect(await first.textContent()).toContain('2026年12月31日');
    expect(await admin.locator('th[aria-sort=descending]').textContent()).toContain('金额');
    await pageScreenshot(admin, 'runtime-records-list-desktop');
  });

  it('sorts by a clicked header, also from the keyboard', async () => {
    await admin.locator('[data-test=sort-probability]').focus();
    await admin.keyboard.press('Enter');
    await admin.waitForURL(/sort=probability/);
    await admin.waitForFunction(() => document.querySelector('[data-test=record-row] td.name')?.textContent?.includes('商机 01'));
    expect(await admin.locator('th[aria-sort=ascending]').textContent()).toContain('赢单率');
    await admin.locator('[data-test=sort-probability]').click();
    await admin.waitForURL(/sort=-probability/);
    await admin.waitForFunction(() => document.querySelector('[data-test=record-row] td.name')?.textContent?.includes('商机 24'));
    expect(await titles(admin).then((t) => t.slice(0, 3))).toEqual(['商机 24', '商机 23', '商机 22']);
  });

  it('filters by field, operator and value, sorted by amount, with the total', async () => {
    await choose(admin, admin.locator('[data-test=filter-field]'), '阶段');
    expect(await admin.locator('[data-test=filter-op] .el-select__placeholder').textContent()).toContain('等于');
    await choose(admin, admin.locator('.filter-bar .value'), '赢单');
    await admin.locator('[data-test=filter-add]').click();
    await admin.locator('[data-test=filter-chip]', { hasText: '阶段 等于 赢单' }).waitFor();
    await admin.waitForFunction(() => document.querySelectorAll('[data-test=record-row]').length === 6);
    expect(await admin.locator('.page-header p').textContent()).toBe('共 6 条记录');
    await admin.locator('[data-test=sort-amount]').click();
    await admin.waitForURL(/sort=amount/);
    await admin.locator('[data-test=sort-amount]').click();
    await admin.waitForURL(/sort=-amount/);
    await admin.waitForFunction(() => document.querySelector('[data-test=record-row] td.name')?.textContent?.includes('商机 22'));
    expect(await titles(admin)).toEqual(['商机 22', '商机 18', '商机 14', '商机 10', '商机 06', '商机 02']);
    const stages = await rows(admin).locator('.option-tag').allTextContents();
    expect(stages).toEqual(Array(6).fill('赢单'));

    await choose(admin, admin.locator('[data-test=filter-field]'), '金额');
    await choose(admin, admin.locator('[data-test=filter-op]'), '大于');
    await admin.locator('input[data-test=filter-value]').fill('100000');
    await admin.locator('[data-test=filter-add]').click();
    // 商机 10 is worth 100,000 too, in dollars: amounts compare as numbers, whatever their currency.
    await admin.waitForFunction(() => document.querySelectorAll('[data-test=record-row]').length === 3);
    expect(await titles(admin)).toEqual(['商机 22', '商机 18', '商机 14']);
    await pageScreenshot(admin, 'runtime-records-list-filtered-desktop');

    // The filter lives in the URL: a reload shows the same list.
    await admin.reload();
    await admin.locator('[data-test=filter-chip]', { hasText: '金额 大于 100,000' }).waitFor();
    await admin.waitForFunction(() => document.querySelectorAll('[data-test=record-row]').length === 3);
    await admin.locator('[data-test=filter-clear]').click();
    await admin.waitForFunction(() => document.querySelectorAll('[data-test=record-row]').length === 20);
  });

  it('pages through the records with the total count', async () => {
    await admin.locator('.el-pagination .number', { hasText: '2' }).click();
    await admin.waitForURL(/page=2/);
    await admin.waitForFunction(() => document.querySelectorAll('[data-test=record-row]').length === 5);
    expect(await admin.locator('.el-pagination__total').textContent()).toContain('25');
  });

  it('opens a record when its row is clicked', async () => {
    await admin.goto(`${app.url}/o/deal`);
    await rows(admin).first().locator('td').nth(1).click();
    await admin.waitForURL(new RegExp(`/o/deal/${ids.dealId}$`));
    await admin.locator('[data-test=record-title]', { hasText: '华东区年度框架协议' }).waitFor();
  });
});

describe('a record page', () => {
  it('lays the record out by its layout, with its thread beside it', async () => {
    for (const section of ['基本信息', '负责人', '备注']) await admin.locator('.section-title', { hasText: section }).waitFor();
    expect(await admin.locator('[data-test=field-amount] .value').textContent()).toContain('¥1,250,000.00');
    expect(await admin.locator('[data-test=field-account] .value').textContent()).toContain('示例科技');
    expect(await admin.locator('[data-test=field-reviewer] .value').textContent()).toContain('周审核');
    await admin.locator('[data-test=system-event]', { hasText: '创建了这条记录' }).waitFor();
    await admin.locator('[data-test=thread-live]', { hasText: '实时' }).waitFor();
    await pageScreenshot(admin, 'runtime-record-desktop');
  });

  it('shows the server’s validation messages on the fields and saves once they are fixed', async () => {
    await admin.locator('[data-test=record-edit]').click();
    const title = admin.locator('#field-title');
    await title.fill('');
    await admin.locator('#field-probability').fill('abc');
    await admin.locator('[data-test=record-save]').click();
    await admin.locator('[data-test=field-title] [data-test=field-error]', { hasText: '必填' }).waitFor();
    expect(await admin.locator('[data-test=field-probability] [data-test=field-error]').textContent()).toContain('这个值无效');
    expect(await admin.locator('[data-test=record-error]').textContent()).toContain('请修改这些字段：商机名称、赢单率');
    await pageScreenshot(admin, 'runtime-record-invalid-desktop');

    await title.fill('华东区年度框架协议（二期）');
    await admin.locator('#field-probability').fill('40');
    await admin.locator('[data-test=record-save]').click();
    await admin.locator('[data-test=record-edit]').waitFor();
    expect(await admin.locator('[data-test=record-title]').textContent()).toBe('华东区年度框架协议（二期）');
    expect(await admin.locator('[data-test=field-probability] .value').textContent()).toBe('40%');
    const stored = await app.api<{ title: string; probability: string; version: number }>('GET', `/api/v1/objects/deal/records/${ids.dealId}`);
    expect(stored).toMatchObject({ title: '华东区年度框架协议（二期）', probability: '0.4000', version: 2 });
    // The tracked title change lands in the thread, live.
    await admin.locator('[data-test=system-event]', { hasText: '华东区年度框架协议（二期）' }).waitFor();
  });

  it('refuses a stale edit with the conflict and offers to reload', async () => {
    await admin.locator('[data-test=record-edit]').click();
    await admin.locator('#field-notes').fill('我的修改');
    const current = await app.api<{ version: number }>('GET', `/api/v1/objects/deal/records/${ids.dealId}`);
    await app.api('PATCH', `/api/v1/objects/deal/records/${ids.dealId}`, { version: current.version, notes: '别人的修改' });
    // Told at once over the socket, without throwing the edits away.
    await admin.locator('[data-test=record-changed-elsewhere]').waitFor();
    await admin.locator('[data-test=record-save]').click();
    await admin.locator('[data-test=record-conflict]').waitFor();
    expect(await admin.locator('[data-test=record-conflict]').textContent()).toContain('其他人已修改此记录');
    await pageScreenshot(admin, 'runtime-record-conflict-desktop');
    await admin.locator('[data-test=record-reload]').click();
    await admin.locator('[data-test=record-conflict]').waitFor({ state: 'detached' });
    expect(await admin.locator('[data-test=field-notes] .value').textContent()).toBe('别人的修改');
  });

  it('runs a script button after confirming, and shows what it changed', async () => {
    await admin.locator('[data-test=action-mark_won]').click();
    await admin.locator('.el-message-box', { hasText: '把这个商机标记为赢单？' }).waitFor();
    await admin.locator('.el-message-box .el-button--primary').click();
    await admin.locator('.el-message--success', { hasText: 'OK' }).waitFor();
    await admin.locator('[data-test=field-stage] .option-tag', { hasText: '赢单' }).waitFor();
    await admin.locator('[data-test=system-event]', { hasText: '方案报价' }).last().waitFor();
  });
});

describe('a new record', () => {
  it('is made from the list, refused without its required fields, and opens with its thread', async () => {
    await admin.goto(`${app.url}/o/deal`);
    await admin.locator('[data-test=record-new]').click();
    await admin.waitForURL(/\/o\/deal\/new$/);
    expect(await admin.locator('.shell-nav .nav-link.active').textContent()).toBe('业务数据');
    await admin.locator('#field-amount').fill('88000');
    await admin.locator('[data-test=record-create]').click();
    await admin.locator('[data-test=field-title] [data-test=field-error]', { hasText: '必填' }).waitFor();
    await pageScreenshot(admin, 'runtime-record-new-desktop');
    await admin.locator('#field-title').fill('新签：西南区试点');
    await choose(admin, admin.locator('#field-stage'), '线索');
    await admin.locator('[data-test=record-create]').click();
    await admin.waitForURL(/\/o\/deal\/[0-9a-f-]{36}$/);
    await admin.locator('[data-test=record-title]', { hasText: '新签：西南区试点' }).waitFor();
    expect(await admin.locator('[data-test=field-amount] .value').textContent()).toContain('¥88,000.00');
    await admin.locator('[data-test=system-event]', { hasText: '创建了这条记录' }).waitFor();
  });
});

describe('the record’s thread, with two people in it', () => {
  let seller: Page;

  beforeAll(async () => {
    await admin.goto(`${app.url}/o/deal/${ids.dealId}`);
    seller = await signedIn(SELLER.login, SELLER.password);
    await seller.goto(`${app.url}/o/deal/${ids.dealId}`);
    await seller.locator('[data-test=thread-live]', { hasText: 'Live' }).waitFor();
    await admin.locator('[data-test=thread-live]', { hasText: '实时' }).waitFor();
  });

  it('delivers a message live to the other person, once, and moves its read receipt when she has seen it', async () => {
    await admin.locator('textarea[data-test=composer]').fill('请本周内确认报价');
    await admin.locator('textarea[data-test=composer]').press('Enter');
    const sent = admin.locator('[data-test=message]', { hasText: '请本周内确认报价' });
    await sent.waitFor();
    await seller.locator('[data-test=message]', { hasText: '请本周内确认报价' }).waitFor();
    // Two followers besides the author: the seller (who has it open) and the reviewer (who has not).
    await sent.locator('[data-test=receipt]', { hasText: '1/2 已读' }).waitFor();
    expect(await admin.locator('[data-test=message]', { hasText: '请本周内确认报价' }).count()).toBe(1);
    expect(await admin.locator('[data-test=pending-message]').count()).toBe(0);

    await seller.locator('textarea[data-test=composer]').fill('Will do, sending it tomorrow.');
    await seller.locator('[data-test=send]').click();
    await admin.locator('[data-test=message]', { hasText: 'Will do, sending it tomorrow.' }).waitFor();
    await seller.locator('[data-test=message]', { hasText: 'Will do' }).locator('[data-test=receipt]', { hasText: '1/2 read' }).waitFor();
    await viewportScreenshot(admin, 'runtime-record-thread-desktop');
    await viewportScreenshot(seller, 'runtime-record-thread-en-desktop');

    const page = await app.api<{ items: { body: string }[] }>('GET', `/api/v1/threads/${(await app.api<{ id: string }>('GET', `/api/v1/objects/deal/records/${ids.dealId}/thread`)).id}/messages?system=false`);
    expect(page.items.filter((m) => m.body === '请本周内确认报价')).toHaveLength(1);
  });

  it('replies and reacts', async () => {
    const theirs = admin.locator('[data-test=message]', { hasText: 'Will do' });
    await theirs.hover();
    await viewportScreenshot(admin, 'runtime-record-message-tools-desktop');
    await theirs.locator('[data-test=message-reply]').click();
    await admin.locator('textarea[data-test=composer]').fill('好的，谢谢');
    await admin.locator('textarea[data-test=composer]').press('Enter');
    const reply = seller.locator('[data-test=message]', { hasText: '好的，谢谢' });
    await reply.locator('.quote', { hasText: 'Will do' }).waitFor();
    await reply.hover();
    await reply.locator('[data-test=reaction-add]').click();
    await seller.locator('.el-dropdown-menu__item:visible', { hasText: '👍' }).click();
    await admin.locator('[data-test=message]', { hasText: '好的，谢谢' }).locator('[data-test=reaction]', { hasText: '👍' }).waitFor();
  });

  it('marks where the new messages begin when she comes back to the record', async () => {
    await seller.goto(`${app.url}/o/deal`);
    await admin.locator('textarea[data-test=composer]').fill('报价已更新，请查看');
    await admin.locator('textarea[data-test=composer]').press('Enter');
    await admin.locator('[data-test=message]', { hasText: '报价已更新，请查看' }).waitFor();
    await seller.goto(`${app.url}/o/deal/${ids.dealId}`);
    await seller.locator('[data-test=unread-divider]', { hasText: 'New messages' }).waitFor();
    const after = await seller.evaluate(() => {
      const rows = [...document.querySelectorAll('[data-test=unread-divider], [data-test=message]')];
      const at = rows.findIndex((r) => r.matches('[data-test=unread-divider]'));
      return { before: rows[at - 1]?.textContent ?? '', next: rows[at + 1]?.textContent ?? '' };
    });
    expect(after.next).toContain('报价已更新，请查看');
    expect(after.before).toContain('好的，谢谢');
    await viewportScreenshot(seller, 'runtime-record-thread-unread-en-desktop');
  });

  it("shows only the discussion or only the record's changes, and follows or unfollows the record", async () => {
    const events = admin.locator('[data-test=system-event]:visible');
    const messages = admin.locator('[data-test=message]');
    await events.first().waitFor();
    await choose(admin, admin.locator('[data-test=thread-filter]'), '讨论');
    await events.first().waitFor({ state: 'detached' });
    await messages.filter({ hasText: '好的，谢谢' }).waitFor();
    await choose(admin, admin.locator('[data-test=thread-filter]'), '变更');
    await messages.first().waitFor({ state: 'detached' });
    await events.first().waitFor();
    await viewportScreenshot(admin, 'runtime-record-thread-changes-desktop');
    await choose(admin, admin.locator('[data-test=thread-filter]'), '全部');
    await messages.filter({ hasText: '好的，谢谢' }).waitFor();

    const thread = await app.api<{ id: string }>('GET', `/api/v1/objects/deal/records/${ids.dealId}/thread`);
    const follow = seller.locator('[data-test=thread-follow]');
    await follow.filter({ hasText: 'Following' }).waitFor();
    await follow.click();
    await follow.filter({ hasText: 'Follow' }).filter({ hasNotText: 'Following' }).waitFor();
    const sellerInbox = () => seller.evaluate(async (id) => (await (await fetch('/api/v1/inbox?kind=record')).json()).items.some((t: { id: string }) => t.id === id), thread.id);
    expect(await sellerInbox()).toBe(false);
    await follow.click();
    await follow.filter({ hasText: 'Following' }).waitFor();
    expect(await sellerInbox()).toBe(true);
  });

  it('scrolls back through the history page by page', async () => {
    const thread = await app.api<{ id: string }>('GET', `/api/v1/objects/deal/records/${ids.dealId}/thread`);
    for (let i = 1; i <= 60; i++) {
      await app.api('POST', `/api/v1/threads/${thread.id}/messages`, { clientId: `history-${i}`, body: `历史消息 ${String(i).padStart(2, '0')}` });
      // Stay under the per-person sending rate (10 a second after a burst of 40).
      if (i > 30) await new Promise((r) => setTimeout(r, 110));
    }
    await seller.locator('[data-test=message]', { hasText: '历史消息 60' }).waitFor();
    const reader = await signedIn(SELLER.login, SELLER.password);
    await reader.goto(`${app.url}/o/deal/${ids.dealId}`);
    await reader.locator('[data-test=message]', { hasText: '历史消息 60' }).waitFor();
    expect(await reader.locator('[data-test=message]', { hasText: '历史消息 01' }).count()).toBe(0);
    // Scrolling to the top loads the page before, until the thread's beginning.
    const start = reader.locator('.scroller .start');
    for (let i = 0; i < 8 && !(await start.isVisible()); i++) {
      await reader.locator('.scroller').evaluate((el) => (el.scrollTop = 0));
      await reader.waitForTimeout(400);
    }
    await start.waitFor();
    await reader.locator('.scroller').evaluate((el) => (el.scrollTop = 0));
    await reader.locator('[data-test=message]', { hasText: '历史消息 01' }).waitFor({ state: 'attached' });
    // Only the rows near the viewport are in the page: walk down the log and see every message once on the way.
    const seen = new Set<string>();
    for (let i = 0; i < 40 && !seen.has('历史消息 60'); i++) {
      for (const text of await reader.locator('[data-test=message-body]').allTextContents()) if (/^历史消息 \d\d$/.test(text.trim())) seen.add(text.trim());
      await reader.locator('.scroller').evaluate((el) => (el.scrollTop += el.clientHeight / 2));
      await reader.waitForTimeout(100);
    }
    expect(seen.size).toBe(60);
    await reader.locator('.scroller').evaluate((el) => (el.scrollTop = 0));
    await reader.locator('[data-test=system-event]', { hasText: 'created this record' }).first().waitFor({ state: 'attached' });
    await viewportScreenshot(reader, 'runtime-record-thread-history-en-desktop');
  });
});

describe('on a phone, in dark mode and in English', () => {
  it('fits a phone: list as cards, record above its thread, no sideways scrolling', async () => {
    const phone = await signedIn('admin', TEST_ADMIN_PASSWORD, { viewport: PHONE });
    await phone.goto(`${app.url}/o/deal`);
    await rows(phone).first().waitFor();
    expect(await phone.locator('[data-test=sort-picker]').isVisible()).toBe(true);
    expect(await pageWidth(phone)).toBeLessThanOrEqual(PHONE.width);
    await pageScreenshot(phone, 'runtime-records-list-phone');
    await rows(phone).first().click();
    await phone.locator('[data-test=record-title]').waitFor();
    await phone.locator('[data-test=message]').first().waitFor();
    expect(await pageWidth(phone)).toBeLessThanOrEqual(PHONE.width);
    await pageScreenshot(phone, 'runtime-record-phone');
  });

  it('follows a dark system theme', async () => {
    const dark = await signedIn('admin', TEST_ADMIN_PASSWORD);
    await dark.emulateMedia({ colorScheme: 'dark' });
    await dark.goto(`${app.url}/o/deal`);
    await rows(dark).first().waitFor();
    expect(await dark.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
    await pageScreenshot(dark, 'runtime-records-list-dark');
    await dark.goto(`${app.url}/o/deal/${ids.dealId}`);
    await dark.locator('[data-test=message]').first().waitFor();
    await viewportScreenshot(dark, 'runtime-record-dark');
    const phone = await signedIn(SELLER.login, SELLER.password, { viewport: PHONE });
    await phone.emulateMedia({ colorScheme: 'dark' });
    await phone.goto(`${app.url}/o/deal/${ids.dealId}`);
    await phone.locator('[data-test=message]').first().waitFor();
    await pageScreenshot(phone, 'runtime-record-dark-en-phone');
  });

  it('speaks English to an English reader, labels and options included', async () => {
    const english = await signedIn(SELLER.login, SELLER.password);
    await english.goto(`${app.url}/o/deal`);
    await rows(english).first().waitFor();
    expect(await english.locator('.page-header h1').textContent()).toBe('Deals');
    expect(await english.locator('thead').textContent()).toContain('Probability');
    expect(await english.locator('.page-header p').textContent()).toBe('26 records');
    expect(await rows(english).first().locator('.option-tag').textContent()).toBe('Won');
    expect(await rows(english).first().textContent()).toContain('Dec 31, 2026');
    await pageScreenshot(english, 'runtime-records-list-en');
  });
});

describe('a record’s related lists and history', () => {
  it('lists the records that point at it, latest first, with their count and a link to all of them', async () => {
    const filter = JSON.stringify({ and: [{ field: 'account', op: 'eq', value: ids.acmeId }] });
    const { total } = await app.api<{ total: number }>('GET', `/api/v1/objects/deal/records?filter=${encodeURIComponent(filter)}&count=true&limit=1`);
    await admin.goto(`${app.url}/o/account/${ids.acmeId}`);
    await admin.locator('.el-tabs__item', { hasText: '相关记录' }).click();
    const deals = admin.locator('[data-test=related-list][data-object=deal]');
    await deals.locator('[data-test=record-row]').first().waitFor();
    expect(await deals.locator('[data-test=related-count]').textContent()).toBe(String(total));
    expect(await deals.locator('[data-test=record-row]').count()).toBe(5);
    await pageScreenshot(admin, 'runtime-record-related-desktop');
    await deals.locator('[data-test=related-all]').click();
    await admin.waitForURL(/\/o\/deal\?filter=/);
    await admin.locator('.page-header p', { hasText: `共 ${total} 条记录` }).waitFor();
  });

  it('shows the tracked fields’ changes, save by save, newest first', async () => {
    await admin.goto(`${app.url}/o/deal/${ids.dealId}`);
    await admin.locator('.el-tabs__item', { hasText: '变更历史' }).click();
    const saves = admin.locator('[data-test=history-save]');
    await saves.first().waitFor();
    const changes = await admin.locator('[data-test=history-change]').allTextContents();
    expect(changes.some((c) => c.includes('商机名称') && c.includes('华东区年度框架协议（二期）'))).toBe(true);
    expect(changes.some((c) => c.includes('阶段') && c.includes('赢单'))).toBe(true);
    // The first save is the record's creation, at the bottom.
    expect(await saves.last().textContent()).toContain('华东区年度框架协议');
    await pageScreenshot(admin, 'runtime-record-history-desktop');
  });
});
