import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE, logIn, pageWidth, startE2eApp, transitionsDone, viewportScreenshot, type E2eApp } from '../support/index.ts';
import { ALICE, BRUCE, CAROL, seed } from './inbox.seed.ts';

let app: E2eApp;
let alice: Page;
let bruce: Page;
let ids: Awaited<ReturnType<typeof seed>>;

const item = (page: Page, text: string) => page.locator('[data-test=inbox-item]', { hasText: text });
const message = (page: Page, text: string) => page.locator('[data-test=message]', { hasText: text });
const navLink = (page: Page, name: RegExp) => page.locator('.shell-nav .nav-link', { hasText: name });

async function signIn(page: Page, who: { login: string; password: string }): Promise<void> {
  await page.goto(`${app.url}/`);
  await logIn(page, who.login, who.password);
  // The login page's own address names the directory as where to go next: wait for the page itself.
  await page.waitForURL((url) => url.pathname === '/directory');
}

async function send(page: Page, text: string): Promise<void> {
  await page.locator('textarea[data-test=composer]').fill(text);
  await page.locator('textarea[data-test=composer]').press('Enter');
  await message(page, text).waitFor();
}

/** Types into a remote people picker and takes the person it finds (options live in a popper on <body>). */
async function pick(page: Page, select: Locator, name: string): Promise<void> {
  await select.click();
  await select.locator('input').fill(name);
  const option = page.locator('.el-select-dropdown__item:visible', { hasText: name }).first();
  await option.waitFor();
  await option.click();
  await transitionsDone(page);
}

beforeAll(async () => {
  app = await startE2eApp();
  ids = await seed(app);
  alice = await app.newPage();
  bruce = await app.newPage({ locale: 'en' });
  await signIn(alice, ALICE);
  await signIn(bruce, BRUCE);
});
afterAll(() => app?.close());

describe('a record’s thread I follow', () => {
  it('is listed by the record’s name, opens beside the list and links to the record', async () => {
    // The deal was made and then written in: both are news to her.
    await navLink(alice, /^消息 \(2\)$/).click();
    await alice.waitForURL(/\/inbox$/);
    const row = item(alice, '华东区框架协议');
    await row.locator('[data-test=inbox-preview]', { hasText: '请跟进这个商机' }).waitFor();
    await alice.locator('[data-test=inbox-filter-record]').click();
    await alice.waitForFunction(() => document.querySelectorAll('[data-test=inbox-item]').length === 1);
    expect(await row.getAttribute('data-kind')).toBe('record');
    await row.click();
    await alice.locator('[data-test=conversation-title]', { hasText: '华东区框架协议' }).waitFor();
    await message(alice, '请跟进这个商机').waitFor();
    await row.locator('[data-test=inbox-unread]').waitFor({ state: 'detached' });
    expect(await alice.locator('[data-test=conversation] .sub').textContent()).toBe('商机');
    expect(await alice.locator('[data-test=conversation] .record-link').getAttribute('href')).toBe(`/o/deal/${ids.dealId}`);
    await viewportScreenshot(alice, 'runtime-inbox-record-desktop');
    await navLink(alice, /^消息$/).waitFor();
    await alice.locator('.shell-nav').getByText('通讯录').click();
    await alice.waitForURL(/\/directory$/);
  });
});

describe('a direct message', () => {
  it('is started from the directory’s person drawer and opens in the inbox', async () => {
    await bruce.locator('.shell-nav').getByText('Messages').click();
    await bruce.waitForURL(/\/inbox$/);
    await bruce.locator('[data-test=inbox-empty]').waitFor();

    await alice.locator('[data-test=people-search]').fill('Bruce');
    await alice.locator('[data-test=person-row]', { hasText: 'Bruce Lee' }).click();
    await alice.locator('[data-test=person-message]').click();
    await alice.waitForURL(/\/inbox\/[0-9a-f-]{36}$/);
    await alice.locator('[data-test=conversation-title]', { hasText: 'Bruce Lee' }).waitFor();
    await alice.locator('[data-test=thread-live]', { hasText: '实时' }).waitFor();
    expect(await alice.locator('.shell-nav .nav-link.active').textContent()).toContain('消息');
    await send(alice, '你好 Bruce，下午有空聊聊报价吗？');
  });

  it('reaches the other person’s inbox live, on top, with an unread badge', async () => {
    const row = item(bruce, '王爱丽');
    await row.locator('[data-test=inbox-preview]', { hasText: '下午有空聊聊报价吗' }).waitFor();
    expect(await row.locator('[data-test=inbox-unread]').textContent()).toBe('1');
    await navLink(bruce, /^Messages \(1\)$/).waitFor();
    await viewportScreenshot(bruce, 'runtime-inbox-unread-en-desktop');
  });

  it('clears the badge when opened, and the reply reaches the sender live', async () => {
    await item(bruce, '王爱丽').click();
    await bruce.waitForURL(/\/inbox\/[0-9a-f-]{36}$/);
    await message(bruce, '下午有空聊聊报价吗').waitFor();
    await item(bruce, '王爱丽').locator('[data-test=inbox-unread]').waitFor({ state: 'detached' });
    await navLink(bruce, /^Messages$/).waitFor();
    await send(bruce, 'Sure, 3 pm works for me.');

    await message(alice, 'Sure, 3 pm works for me.').waitFor();
    await item(alice, 'Bruce Lee').locator('[data-test=inbox-preview]', { hasText: '3 pm works' }).waitFor();
    // Alice has the thread open: the reply is read at once, so no badge appears for it.
    await message(alice, '下午有空聊聊报价吗').locator('[data-test=receipt]', { hasText: '全部已读' }).waitFor();
    await item(alice, 'Bruce Lee').locator('[data-test=inbox-unread]').waitFor({ state: 'detached' });
    await navLink(alice, /^消息$/).waitFor();
    await viewportScreenshot(alice, 'runtime-inbox-direct-desktop');
    await viewportScreenshot(bruce, 'runtime-inbox-direct-en-desktop');
  });
});

describe('a group', () => {
  it('is created with its members from the inbox, and its first message reaches them live', async () => {
    await alice.locator('[data-test=inbox-new]').click();
    await alice.locator('[data-test=inbox-new-group]').click();
    await alice.locator('[data-test=group-title]').fill('华东销售群');
    await pick(alice, alice.locator('[data-test=group-members]'), 'Bruce Lee');
    await pick(alice, alice.locator('[data-test=group-members]'), '陈卡萝');
    await alice.locator('.el-dialog__title').click();
    await transitionsDone(alice);
    await viewportScreenshot(alice, 'runtime-inbox-new-group-desktop');
    await alice.locator('[data-test=group-create]').click();
    await alice.locator('[data-test=conversation-title]', { hasText: '华东销售群' }).waitFor();
    expect(await alice.locator('[data-test=members-open]').textContent()).toContain('3');
    await send(alice, '欢迎大家加入华东销售群');

    const row = item(bruce, '华东销售群');
    await row.locator('[data-test=inbox-preview]', { hasText: '王爱丽: 欢迎大家' }).waitFor();
    expect(await row.locator('[data-test=inbox-unread]').textContent()).toBe('1');
    expect(await bruce.locator('[data-test=inbox-item]').first().textContent()).toContain('华东销售群');
  });

  it('lists its members with their roles, and its owner removes one', async () => {
    await alice.locator('[data-test=members-open]').click();
    const members = alice.locator('[data-test=member]');
    await members.nth(2).waitFor();
    expect(await alice.locator('[data-test=member][data-role=owner]').textContent()).toContain('王爱丽');
    expect(await alice.locator('[data-test=member][data-role=member]').count()).toBe(2);
    await viewportScreenshot(alice, 'runtime-inbox-members-desktop');
    await members.filter({ hasText: '陈卡萝' }).locator('[data-test=member-actions]').click();
    await alice.locator('[data-test=member-remove]:visible').click();
    await alice.locator('.el-message-box .el-button--danger').click();
    await alice.waitForFunction(() => document.querySelectorAll('[data-test=member]').length === 2);
    await alice.keyboard.press('Escape');
    await alice.locator('[data-test=members-open]', { hasText: '2' }).waitFor();
    expect(await item(alice, '华东销售群').locator('[data-test=inbox-preview]').textContent()).toBe('我：欢迎大家加入华东销售群');
  });

  it('filters the inbox by kind', async () => {
    await bruce.locator('[data-test=inbox-filter-group]').click();
    await bruce.waitForFunction(() => document.querySelectorAll('[data-test=inbox-item]').length === 1);
    expect(await bruce.locator('[data-test=inbox-item]').getAttribute('data-kind')).toBe('group');
    await bruce.locator('[data-test=inbox-filter-all]').click();
    await bruce.waitForFunction(() => document.querySelectorAll('[data-test=inbox-item]').length === 2);
  });
});

describe('an announcement channel', () => {
  it('is for its publishers to post, and shows them who has read each message', async () => {
    await alice.locator('[data-test=inbox-new]').click();
    await alice.locator('[data-test=inbox-new-group]').click();
    await alice.locator('[data-test=group-kind-announcement]').click();
    await alice.locator('[data-test=group-title]').fill('公司公告');
    await pick(alice, alice.locator('[data-test=group-members]'), 'Bruce Lee');
    await pick(alice, alice.locator('[data-test=group-members]'), '陈卡萝');
    await alice.locator('.el-dialog__title').click();
    await alice.locator('[data-test=group-create]').click();
    await alice.locator('[data-test=conversation-title]', { hasText: '公司公告' }).waitFor();
    await send(alice, '周五下午全员大会');
    const sent = message(alice, '周五下午全员大会');
    await sent.locator('[data-test=receipt]', { hasText: '0/2 已读' }).waitFor();

    await item(bruce, '公司公告').click();
    await bruce.locator('[data-test=thread-read-only]').waitFor();
    expect(await bruce.locator('textarea[data-test=composer]').count()).toBe(0);
    await sent.locator('[data-test=receipt]', { hasText: '1/2 已读' }).waitFor();
    await sent.locator('[data-test=receipt]').click();
    const list = alice.locator('[data-test=receipt-list]:visible');
    await list.locator('[data-test=receipt-read]', { hasText: 'Bruce Lee' }).waitFor();
    expect(await list.locator('[data-test=receipt-unread]').textContent()).toContain('陈卡萝');
    await viewportScreenshot(alice, 'runtime-inbox-announcement-desktop');
    await viewportScreenshot(bruce, 'runtime-inbox-announcement-en-desktop');
  });
});

describe('in dark mode', () => {
  it('follows a dark system theme', async () => {
    await bruce.emulateMedia({ colorScheme: 'dark' });
    await bruce.reload();
    await item(bruce, '华东销售群').locator('[data-test=inbox-unread]').waitFor();
    await bruce.locator('[data-test=thread-read-only]').waitFor();
    expect(await bruce.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
    await viewportScreenshot(bruce, 'runtime-inbox-en-dark');
    await bruce.emulateMedia({ colorScheme: 'light' });
  });
});

describe('on a phone', () => {
  it('shows the list, then the conversation full screen with a way back, without sideways scrolling', async () => {
    const carol = await app.newPage({ viewport: PHONE });
    await signIn(carol, CAROL);
    await carol.goto(`${app.url}/inbox`);
    await item(carol, '公司公告').locator('[data-test=inbox-unread]').waitFor();
    expect(await carol.locator('[data-test=inbox-item]').count()).toBe(1);
    expect(await pageWidth(carol)).toBeLessThanOrEqual(PHONE.width);
    await viewportScreenshot(carol, 'runtime-inbox-phone');

    await item(carol, '公司公告').click();
    await carol.locator('[data-test=thread-read-only]').waitFor();
    expect(await carol.locator('.list-pane').isVisible()).toBe(false);
    expect(await pageWidth(carol)).toBeLessThanOrEqual(PHONE.width);
    await viewportScreenshot(carol, 'runtime-inbox-conversation-phone');
    // Opening it read it: the list behind has already dropped its badge.
    await item(carol, '公司公告').locator('[data-test=inbox-unread]').waitFor({ state: 'detached' });
    await carol.locator('[data-test=conversation-back]').click();
    await carol.waitForURL(/\/inbox$/);
    await item(carol, '公司公告').waitFor();
    expect(await item(carol, '公司公告').locator('[data-test=inbox-unread]').count()).toBe(0);
  });
});
