import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE, TEST_ADMIN_PASSWORD, choose, pageScreenshot, pageWidth, startE2eApp, viewportScreenshot, type E2eApp } from '../support/index.ts';
import { READER, seed } from './list-views.seed.ts';

let app: E2eApp;
let admin: Page;
let ids: Awaited<ReturnType<typeof seed>>;

type Deal = { id: string; title: string; stage: string | null; version: number };

const FILTER = JSON.stringify({ and: [{ field: 'amount', op: 'gt', value: '3000' }] });
const LIST = `/o/deal?filter=${encodeURIComponent(FILTER)}&sort=-amount`;
const CHART_LOAD_MS = 30_000;

const column = (page: Page, key: string) => page.locator(`[data-test=kanban-column][data-key="${key}"]`);
const card = (page: Page, title: string) => page.locator('[data-test=kanban-card]', { hasText: title });
const cardTitles = async (page: Page, key: string) => (await column(page, key).locator('[data-test=kanban-card] .title').allTextContents()).map((t) => t.trim());
const deal = (title: string) => app.api<Deal>('GET', `/api/v1/objects/deal/records/${ids[title]}`);

async function signedIn(login: string, password: string, options: Parameters<E2eApp['newPage']>[0] = {}): Promise<Page> {
  const page = await app.newPage(options);
  await page.context().request.post(`${app.url}/api/v1/auth/login`, { data: { login, password } });
  return page;
}

async function countOf(page: Page, key: string): Promise<string> {
  return (await column(page, key).locator('[data-test=kanban-count]').textContent())!.trim();
}

beforeAll(async () => {
  app = await startE2eApp();
  ids = await seed(app);
  admin = await signedIn('admin', TEST_ADMIN_PASSWORD);
});
afterAll(() => app?.close());

describe('a filtered, sorted list as a board', () => {
  it('switches to the board, with a column per stage and “none”, each counted under the filter', async () => {
    await admin.goto(`${app.url}${LIST}`);
    await admin.locator('[data-test=record-row]').first().waitFor();
    expect(await admin.locator('.page-header p').textContent()).toBe('共 12 条记录');
    await admin.locator('[data-test=mode-kanban]').click();
    await admin.waitForURL(/mode=kanban/);
    await card(admin, '看板商机 15').waitFor();
    const labels = await admin.locator('[data-test=kanban-column] h3').allTextContents();
    expect(labels).toEqual(['线索', '方案报价', '赢单', '输单', '（无）']);
    expect(await Promise.all(['lead', 'proposal', 'won', 'lost', ''].map((k) => countOf(admin, k)))).toEqual(['3 条', '2 条', '2 条', '2 条', '3 条']);
    // Sorted like the list: the largest amount first in each column.
    expect(await cardTitles(admin, 'lead')).toEqual(['看板商机 15', '看板商机 10', '看板商机 05']);
    expect(await cardTitles(admin, '')).toEqual(['看板商机 14', '看板商机 09', '看板商机 04']);
    expect(await card(admin, '看板商机 15').textContent()).toContain('¥15,000.00');
    await pageScreenshot(admin, 'runtime-records-kanban-desktop');
  });

  it('moves a dragged card to another column and saves the stage', async () => {
    await card(admin, '看板商机 15').dragTo(column(admin, 'won'));
    await admin.locator('.el-message--success', { hasText: '已移动到“赢单”' }).waitFor();
    expect(await cardTitles(admin, 'won')).toContain('看板商机 15');
    expect(await countOf(admin, 'lead')).toBe('2 条');
    expect(await countOf(admin, 'won')).toBe('3 条');
    expect(await deal('看板商机 15')).toMatchObject({ stage: 'won', version: 2 });
  });

  it('moves a card from its “move to” menu, from the keyboard', async () => {
    const menu = card(admin, '看板商机 09').locator('[data-test=kanban-move]');
    await menu.focus();
    await admin.keyboard.press('Enter');
    const item = admin.locator('.el-dropdown-menu__item:visible', { hasText: '移动到“方案报价”' });
    await item.waitFor();
    await viewportScreenshot(admin, 'runtime-records-kanban-menu-desktop');
    await item.click();
    await admin.locator('.el-message--success', { hasText: '已移动到“方案报价”' }).waitFor();
    expect(await cardTitles(admin, 'proposal')).toContain('看板商机 09');
    expect(await deal('看板商机 09')).toMatchObject({ stage: 'proposal' });
  });

  it('puts a card back when someone changed its record meanwhile, and offers to reload', async () => {
    // The board follows others' changes live: on a slow network its refresh has not come back yet.
    const lists = /\/api\/v1\/objects\/deal\/records\?/;
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const holding: Promise<void>[] = [];
    await admin.route(lists, (route) => {
      const going = held.then(() => route.continue());
      holding.push(going);
      return going;
    });
    const before = await deal('看板商机 10');
    await app.api('PATCH', `/api/v1/objects/deal/records/${ids['看板商机 10']}`, { version: before.version, notes: '别人的修改' });
    await card(admin, '看板商机 10').dragTo(column(admin, 'lost'));
    const box = admin.locator('.el-message-box', { hasText: '其他人已修改此记录' });
    await box.waitFor();
    expect(await cardTitles(admin, 'lead')).toContain('看板商机 10');
    expect(await cardTitles(admin, 'lost')).not.toContain('看板商机 10');
    await viewportScreenshot(admin, 'runtime-records-kanban-conflict-desktop');
    release();
    await Promise.all(holding);
    await admin.unroute(lists);
    await box.locator('.el-button--primary').click();
    await box.waitFor({ state: 'detached' });
    expect((await deal('看板商机 10')).stage).toBe('lead');
    await card(admin, '看板商机 10').dragTo(column(admin, 'lost'));
    await admin.locator('.el-message--success', { hasText: '已移动到“输单”' }).waitFor();
    expect((await deal('看板商机 10')).stage).toBe('lost');
  });
});

describe('a board kept live', () => {
  it('moves a card, adds and removes cards when others change the records, without a reload', async () => {
    const moved = await deal('看板商机 05');
    await app.api('PATCH', `/api/v1/objects/deal/records/${moved.id}`, { version: moved.version, stage: 'won' });
    await column(admin, 'won').locator('[data-test=kanban-card]', { hasText: '看板商机 05' }).waitFor();
    // Each column reloads on its own: the old one may let go of the card a moment after the new one shows it.
    await column(admin, 'lead').locator('[data-test=kanban-card]', { hasText: '看板商机 05' }).waitFor({ state: 'detached' });
    const added = await app.api<Deal>('POST', '/api/v1/objects/deal/records', { title: '看板商机 实时', amount: { amount: '99000.00', currency: 'CNY' }, stage: 'lead' });
    await column(admin, 'lead').locator('[data-test=kanban-card]', { hasText: '看板商机 实时' }).waitFor();
    expect((await cardTitles(admin, 'lead'))[0]).toBe('看板商机 实时');
    await app.api('DELETE', `/api/v1/objects/deal/records/${added.id}`);
    await card(admin, '看板商机 实时').waitFor({ state: 'detached' });
  });
});

describe('a chart of the filtered list', () => {
  it('loads ECharts only when the chart is opened, and draws bars, then a pie by month', async () => {
    const loaded = () => admin.evaluate(() => performance.getEntriesByType('resource').some((e) => e.name.includes('echarts')));
    expect(await loaded()).toBe(false);
    await admin.locator('[data-test=mode-chart]').click();
    await admin.waitForURL(/mode=chart/);
    // The first chart fetches and compiles ECharts (half a megabyte): slow on a busy CI machine.
    await admin.locator('[data-test=chart-canvas] canvas').waitFor({ timeout: CHART_LOAD_MS });
    expect(await loaded()).toBe(true);
    await admin.waitForTimeout(600);
    await pageScreenshot(admin, 'runtime-records-chart-bar-desktop');
    await admin.locator('[data-test=chart-kind] label', { hasText: '饼图' }).click();
    await admin.waitForURL(/chart=pie/);
    await choose(admin, admin.locator('[data-test=chart-group]'), '预计成交');
    await admin.locator('[data-test=chart-bucket]').waitFor();
    await choose(admin, admin.locator('[data-test=chart-metric]'), '金额合计');
    await admin.waitForURL(/metric=sum(:|%3A)amount/);
    await admin.waitForTimeout(600);
    await pageScreenshot(admin, 'runtime-records-chart-pie-desktop');
  });
});

describe('CSV', () => {
  it('exports the filtered, sorted list with its columns and downloads the file', async () => {
    await admin.goto(`${app.url}${LIST}`);
    await admin.locator('[data-test=record-row]').first().waitFor();
    const [download] = await Promise.all([admin.waitForEvent('download'), admin.locator('[data-test=export-csv]').click()]);
    const text = fs.readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
    const lines = text.trim().split(/\r?\n/);
    // The columns as the table shows them, in its order.
    expect(lines[0]).toBe('id,商机名称,阶段,金额,赢单率,预计成交,客户,销售');
    expect(lines).toHaveLength(13);
    expect(lines[1]).toContain('看板商机 15');
    expect(lines[1]).toContain('赢单');
    await admin.locator('.el-message--success', { hasText: '已导出 12 条记录' }).waitFor();
  });

  it('imports a file through the wizard: columns matched, bad rows shown, then created', async () => {
    await admin.locator('[data-test=import-csv]').click();
    const dialog = admin.locator('[data-test=import-dialog]');
    await dialog.locator('[data-test=import-file]').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('商机名称,阶段,Amount\n导入商机 X,没有这个阶段,abc\n') });
    await dialog.locator('[data-test=import-chosen]', { hasText: 'bad.csv（1 行数据）' }).waitFor();
    await dialog.locator('[data-test=import-next]').click();
    await dialog.locator('[data-test=import-check]').click();
    const errors = dialog.locator('[data-test=import-errors]');
    await errors.waitFor();
    expect(await errors.textContent()).toContain('阶段');
    await viewportScreenshot(admin, 'runtime-records-import-errors-desktop');

    await dialog.locator('[data-test=import-back]').click();
    await dialog.locator('[data-test=import-back]').click();
    const csv = '商机名称,阶段,Amount,Remarks\n导入商机 A,赢单,5000,first\n导入商机 B,Lead,"7,000",second\n';
    await dialog.locator('[data-test=import-file]').setInputFiles({ name: 'deals.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await dialog.locator('[data-test=import-chosen]', { hasText: 'deals.csv（2 行数据）' }).waitFor();
    await dialog.locator('[data-test=import-next]').click();
    // Matched by label in either language; a column like no field is skipped until someone maps it.
    const mapped = async (column: string) => (await dialog.locator(`[data-test=import-column][data-column="${column}"] .el-select__placeholder`).textContent())?.trim();
    expect(await mapped('商机名称')).toBe('商机名称');
    expect(await mapped('Amount')).toBe('金额');
    expect(await mapped('Remarks')).toBe('跳过这一列');
    await choose(admin, dialog.locator('[data-test=import-column][data-column="Remarks"] [data-test=import-field]'), '备注');
    await viewportScreenshot(admin, 'runtime-records-import-mapping-desktop');
    await dialog.locator('[data-test=import-check]').click();
    await dialog.locator('[data-test=import-summary]', { hasText: '2 行数据都可以导入' }).waitFor();
    await dialog.locator('[data-test=import-start]').click();
    await dialog.locator('[data-test=import-summary]', { hasText: '已创建 2 条记录' }).waitFor();
    await viewportScreenshot(admin, 'runtime-records-import-done-desktop');
    await dialog.locator('[data-test=import-close]').click();
    await admin.locator('[data-test=record-row]', { hasText: '导入商机 B' }).waitFor();
    await admin.locator('[data-test=record-row]', { hasText: '导入商机 A' }).waitFor();
    expect(await admin.locator('.page-header p').textContent()).toBe('共 14 条记录');
    const page = await app.api<{ items: { title: string; stage: string; notes: string }[] }>('GET', `/api/v1/objects/deal/records?filter=${encodeURIComponent(JSON.stringify({ field: 'title', op: 'starts_with', value: '导入商机' }))}&sort=title`);
    expect(page.items.map((d) => [d.title, d.stage, d.notes])).toEqual([['导入商机 A', 'won', 'first'], ['导入商机 B', 'lead', 'second']]);
  });
});

describe('the board on a phone, in English and dark', () => {
  it('fits 375 px: columns scroll sideways inside the board, the page does not', async () => {
    const phone = await signedIn('admin', TEST_ADMIN_PASSWORD, { viewport: PHONE });
    await phone.goto(`${app.url}${LIST}&mode=kanban`);
    await card(phone, '看板商机 15').waitFor();
    expect(await pageWidth(phone)).toBeLessThanOrEqual(PHONE.width);
    await pageScreenshot(phone, 'runtime-records-kanban-phone');
    // No dragging on a phone: the card's menu moves it.
    await card(phone, '看板商机 05').locator('[data-test=kanban-move]').click();
    await phone.locator('.el-dropdown-menu__item:visible', { hasText: '移动到“输单”' }).waitFor();
    await viewportScreenshot(phone, 'runtime-records-kanban-menu-phone');
    await phone.keyboard.press('Escape');
    await phone.locator('[data-test=import-csv]').click();
    await phone.locator('[data-test=import-dialog] [data-test=import-file]').setInputFiles({ name: 'phone.csv', mimeType: 'text/csv', buffer: Buffer.from('Deal name,Stage\n手机导入,Won\n') });
    await phone.locator('[data-test=import-dialog] [data-test=import-next]').click();
    await phone.locator('[data-test=import-dialog] [data-test=import-column]').first().waitFor();
    await viewportScreenshot(phone, 'runtime-records-import-phone');
    await phone.locator('[data-test=import-dialog] .el-dialog__headerbtn').click();
    await phone.goto(`${app.url}${LIST}&mode=chart`);
    await phone.locator('[data-test=chart-canvas] canvas').waitFor({ timeout: CHART_LOAD_MS });
    expect(await pageWidth(phone)).toBeLessThanOrEqual(PHONE.width);
    await pageScreenshot(phone, 'runtime-records-chart-phone');
  });

  it('speaks English to an English reader, and follows a dark theme', async () => {
    const english = await signedIn(READER.login, READER.password);
    await english.emulateMedia({ colorScheme: 'dark' });
    await english.goto(`${app.url}/o/deal?mode=kanban`);
    await card(english, '看板商机 15').waitFor();
    expect(await english.locator('[data-test=kanban-column] h3').allTextContents()).toEqual(['Lead', 'Proposal', 'Won', 'Lost', '(None)']);
    await pageScreenshot(english, 'runtime-records-kanban-en-dark');
    await english.locator('[data-test=mode-chart]').click();
    await english.locator('[data-test=chart-canvas] canvas').waitFor({ timeout: CHART_LOAD_MS });
    await english.waitForTimeout(600);
    await pageScreenshot(english, 'runtime-records-chart-en-dark');
  });
});
