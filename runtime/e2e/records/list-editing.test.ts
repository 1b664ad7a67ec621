import fs from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE, TEST_ADMIN_PASSWORD, choose, pageScreenshot, pageWidth, startE2eApp, transitionsDone, viewportScreenshot, type E2eApp } from '../support/index.ts';
import { EDITOR, seed } from './list-editing.seed.ts';

let app: E2eApp;
let editor: Page;
let ids: Awaited<ReturnType<typeof seed>>;

type Deal = { id: string; title: string; stage: string | null; version: number };

const LIST = '/o/deal';
const deal = (title: string) => app.api<Deal>('GET', `/api/v1/objects/deal/records/${ids[title]}`);
/** By id: while its name is being edited, a row no longer shows the name as text. */
const row = (page: Page, title: string) => page.locator(`[data-test=record-row][data-id="${ids[title]}"]`);
const cell = (page: Page, title: string, field: string) => row(page, title).locator(`td[data-field=${field}]`);
const headers = async (page: Page) => (await page.locator('.record-table thead th:not(.select)').allTextContents()).map((t) => t.trim());

async function signedIn(login: string, password: string, options: Parameters<E2eApp['newPage']>[0] = {}): Promise<Page> {
  const page = await app.newPage(options);
  await page.context().request.post(`${app.url}/api/v1/auth/login`, { data: { login, password } });
  return page;
}

async function openList(page: Page): Promise<void> {
  await page.goto(`${app.url}${LIST}`);
  await page.locator('[data-test=record-row]').first().waitFor();
}

/** Hovers the cell and clicks its pencil: the field's input replaces the value. */
async function editCell(target: Locator): Promise<Locator> {
  await target.hover();
  await target.locator('[data-test=cell-edit]').click();
  const input = target.locator('[data-test=cell-editor] input').first();
  await input.waitFor();
  return input;
}

async function select(page: Page, titles: string[]): Promise<void> {
  for (const title of titles) await row(page, title).locator('[data-test=select-row]').check();
  await page.locator('[data-test=bulk-count]').waitFor();
}

beforeAll(async () => {
  app = await startE2eApp();
  ids = await seed(app);
  editor = await signedIn(EDITOR.login, EDITOR.password);
});
afterAll(() => app?.close());

describe('the column chooser', () => {
  it('offers only fields the person may see, keeps the name, and remembers the choice after a reload', async () => {
    await openList(editor);
    expect(await headers(editor)).toEqual(['Deal name', 'Stage', 'Amount', 'Probability', 'Close date', 'Account', 'Sales rep']);
    await editor.locator('[data-test=columns-button]').click();
    const chooser = editor.locator('[data-test=column-chooser]');
    await chooser.waitFor();
    // The reviewer is hidden from this person: never offered. The name column cannot be unchecked.
    expect(await chooser.locator('li[data-test^=column-]').evaluateAll((items) => items.map((i) => i.getAttribute('data-test')))).toEqual(
      ['column-title', 'column-stage', 'column-amount', 'column-probability', 'column-close_date', 'column-account', 'column-assignee', 'column-notes'],
    );
    expect(await chooser.locator('[data-test=column-title] input').isDisabled()).toBe(true);
    await chooser.locator('[data-test=column-close_date] .el-checkbox').uncheck();
    await chooser.locator('[data-test=column-notes] .el-checkbox').check();
    await chooser.locator('[data-test=column-amount] [data-test=column-up]').click();
    await viewportScreenshot(editor, 'runtime-records-columns-desktop');
    expect(await headers(editor)).toEqual(['Deal name', 'Amount', 'Stage', 'Probability', 'Account', 'Sales rep', 'Notes']);

    await editor.reload();
    await editor.locator('[data-test=record-row]').first().waitFor();
    expect(await headers(editor)).toEqual(['Deal name', 'Amount', 'Stage', 'Probability', 'Account', 'Sales rep', 'Notes']);
  });

  it('exports the chosen columns, then goes back to the view’s columns on reset', async () => {
    const [download] = await Promise.all([editor.waitForEvent('download'), editor.locator('[data-test=export-csv]').click()]);
    const text = fs.readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '');
    expect(text.split(/\r?\n/)[0]).toBe('id,Deal name,Amount,Stage,Probability,Account,Sales rep,Notes');
    await editor.locator('[data-test=columns-button]').click();
    await editor.locator('[data-test=columns-reset]').click();
    expect(await headers(editor)).toEqual(['Deal name', 'Stage', 'Amount', 'Probability', 'Close date', 'Account', 'Sales rep']);
    await editor.keyboard.press('Escape');
    await editor.reload();
    await editor.locator('[data-test=record-row]').first().waitFor();
    expect(await headers(editor)).toEqual(['Deal name', 'Stage', 'Amount', 'Probability', 'Close date', 'Account', 'Sales rep']);
  });
});

describe('editing a cell in place', () => {
  it('saves a new value on Enter, with the row’s version', async () => {
    const before = await deal('编辑商机 01');
    const input = await editCell(cell(editor, '编辑商机 01', 'title'));
    await input.fill('编辑商机 01 已改');
    await input.press('Enter');
    await cell(editor, '编辑商机 01', 'title').locator('[data-test=cell]', { hasText: '编辑商机 01 已改' }).waitFor();
    expect(await deal('编辑商机 01')).toMatchObject({ title: '编辑商机 01 已改', version: before.version + 1 });
    // Focus goes back to the cell's pencil, so the keyboard can carry on from there.
    expect(await editor.evaluate(() => document.activeElement?.getAttribute('data-test'))).toBe('cell-edit');
  });

  it('edits from the keyboard: F2 opens a select, picking an option saves it', async () => {
    const target = cell(editor, '编辑商机 02', 'stage');
    await target.locator('[data-test=cell-edit]').focus();
    await editor.keyboard.press('F2');
    await target.locator('[data-test=cell-editor]').waitFor();
    await editor.keyboard.press('Enter');
    const option = editor.locator('.el-select-dropdown__item:visible', { hasText: 'Lost' });
    await option.waitFor();
    await viewportScreenshot(editor, 'runtime-records-inline-select-desktop');
    await option.click();
    await target.locator('[data-test=cell]', { hasText: 'Lost' }).waitFor();
    expect((await deal('编辑商机 02')).stage).toBe('lost');
  });

  it('offers no pencil on a field the person may only read', async () => {
    expect(await cell(editor, '编辑商机 03', 'probability').locator('[data-test=cell-edit]').count()).toBe(0);
    expect(await cell(editor, '编辑商机 03', 'amount').locator('[data-test=cell-edit]').count()).toBe(1);
  });

  it('shows the server’s refusal under the cell and keeps the input; Esc leaves the value as it was', async () => {
    const target = cell(editor, '编辑商机 03', 'title');
    const input = await editCell(target);
    await input.fill('这个名称太长了'.repeat(7));
    await input.press('Enter');
    const problem = target.locator('[data-test=cell-error]');
    await problem.waitFor();
    expect(await problem.textContent()).toContain('not valid');
    expect(await target.locator('[data-test=cell-editor] input').isVisible()).toBe(true);
    await viewportScreenshot(editor, 'runtime-records-inline-invalid-desktop');
    await editor.keyboard.press('Escape');
    await problem.waitFor({ state: 'detached' });
    expect(await target.locator('[data-test=cell]').textContent()).toContain('编辑商机 03');
    expect((await deal('编辑商机 03')).title).toBe('编辑商机 03');
  });

  it('tells the person when someone changed the row meanwhile, and reloads it on request', async () => {
    const before = await deal('编辑商机 04');
    await app.api('PATCH', `/api/v1/objects/deal/records/${before.id}`, { version: before.version, title: '编辑商机 04 别人改的' });
    const target = cell(editor, '编辑商机 04', 'title');
    const input = await editCell(target);
    await input.fill('编辑商机 04 我改的');
    await input.press('Enter');
    await target.locator('[data-test=cell-error]', { hasText: 'Someone else has just changed this record' }).waitFor();
    await viewportScreenshot(editor, 'runtime-records-inline-conflict-desktop');
    expect((await deal('编辑商机 04')).title).toBe('编辑商机 04 别人改的');
    await target.locator('[data-test=cell-reload]').click();
    await target.locator('[data-test=cell]', { hasText: '编辑商机 04 别人改的' }).waitFor();
    const again = await editCell(target);
    await again.fill('编辑商机 04 我改的');
    await again.press('Enter');
    await target.locator('[data-test=cell]', { hasText: '编辑商机 04 我改的' }).waitFor();
    expect((await deal('编辑商机 04')).title).toBe('编辑商机 04 我改的');
  });
});

describe('bulk actions', () => {
  it('selects the page from the header checkbox with the keyboard', async () => {
    const all = editor.getByRole('checkbox', { name: 'Select every record on this page' });
    await all.focus();
    await editor.keyboard.press('Space');
    await editor.locator('[data-test=bulk-count]', { hasText: '12 selected' }).waitFor();
    await editor.keyboard.press('Space');
    await editor.locator('[data-test=bulk-bar]').waitFor({ state: 'detached' });
  });

  it('changes a select field of three rows in one request', async () => {
    await select(editor, ['编辑商机 05', '编辑商机 06', '编辑商机 07']);
    expect(await editor.locator('[data-test=bulk-count]').textContent()).toBe('3 selected');
    await editor.evaluate(() => window.scrollTo(0, 0));
    await viewportScreenshot(editor, 'runtime-records-bulk-bar-desktop');
    await editor.locator('[data-test=bulk-edit]').click();
    const dialog = editor.locator('[data-test=bulk-edit-dialog]');
    await choose(editor, dialog.locator('[data-test=bulk-edit-field]'), 'Stage');
    await choose(editor, dialog.locator('[data-test=bulk-edit-value] .el-select'), 'Lead');
    await viewportScreenshot(editor, 'runtime-records-bulk-edit-desktop');
    await dialog.locator('[data-test=bulk-edit-apply]').click();
    await editor.locator('.el-message--success', { hasText: '3 records changed' }).waitFor();
    await editor.locator('[data-test=bulk-bar]').waitFor({ state: 'detached' });
    for (const title of ['编辑商机 05', '编辑商机 06', '编辑商机 07']) {
      expect((await deal(title)).stage).toBe('lead');
      await cell(editor, title, 'stage').locator('[data-test=cell]', { hasText: 'Lead' }).waitFor();
    }
  });

  it('changes none when the server refuses one row, and names that row', async () => {
    await select(editor, ['编辑商机 08', '编辑商机 09', '编辑商机 10']);
    // Rows are sent in table order (largest amount first): 09 is the second item.
    const changed = await deal('编辑商机 09');
    await app.api('PATCH', `/api/v1/objects/deal/records/${changed.id}`, { version: changed.version, notes: '别人的修改' });
    await editor.locator('[data-test=bulk-edit]').click();
    const dialog = editor.locator('[data-test=bulk-edit-dialog]');
    await choose(editor, dialog.locator('[data-test=bulk-edit-field]'), 'Stage');
    await choose(editor, dialog.locator('[data-test=bulk-edit-value] .el-select'), 'Lost');
    await dialog.locator('[data-test=bulk-edit-apply]').click();
    const error = dialog.locator('[data-test=bulk-error]');
    await error.waitFor();
    expect(await error.textContent()).toContain('“编辑商机 09” could not be saved');
    expect(await error.textContent()).toContain('No record was changed.');
    await viewportScreenshot(editor, 'runtime-records-bulk-refused-desktop');
    expect([(await deal('编辑商机 08')).stage, (await deal('编辑商机 09')).stage, (await deal('编辑商机 10')).stage]).toEqual(['lead', 'proposal', 'won']);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await editor.locator('[data-test=bulk-count]').textContent()).toBe('3 selected');
    expect(await cell(editor, '编辑商机 10', 'stage').textContent()).toContain('Won');
    await editor.locator('[data-test=bulk-clear]').click();
    await editor.locator('[data-test=bulk-bar]').waitFor({ state: 'detached' });
  });

  it('exports just the selected rows', async () => {
    await openList(editor);
    await select(editor, ['编辑商机 05', '编辑商机 06']);
    const [download] = await Promise.all([editor.waitForEvent('download'), editor.locator('[data-test=bulk-export]').click()]);
    const lines = fs.readFileSync((await download.path())!, 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
    expect(lines[0]).toBe('id,Deal name,Stage,Amount,Probability,Close date,Account,Sales rep');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 4))).toEqual([
      [ids['编辑商机 06'], '编辑商机 06', 'Lead', '6000.00 CNY'],
      [ids['编辑商机 05'], '编辑商机 05', 'Lead', '5000.00 CNY'],
    ]);
    await editor.locator('[data-test=bulk-clear]').click();
  });

  it('deletes the selected rows after a confirmation, and nothing when it is cancelled', async () => {
    await select(editor, ['编辑商机 11', '编辑商机 12']);
    await editor.locator('[data-test=bulk-delete]').click();
    const box = editor.locator('.el-message-box', { hasText: 'Delete 2 records?' });
    await box.waitFor();
    await viewportScreenshot(editor, 'runtime-records-bulk-delete-desktop');
    await box.getByRole('button', { name: 'Cancel' }).click();
    await box.waitFor({ state: 'detached' });
    expect((await deal('编辑商机 11')).title).toBe('编辑商机 11');
    await editor.locator('[data-test=bulk-delete]').click();
    await box.getByRole('button', { name: 'Delete 2' }).click();
    await editor.locator('.el-message--success', { hasText: '2 records deleted' }).waitFor();
    await row(editor, '编辑商机 12').waitFor({ state: 'detached' });
    expect(await editor.locator('.page-header p').textContent()).toBe('10 records');
    await expect(deal('编辑商机 11')).rejects.toThrow(/404/);
    await expect(deal('编辑商机 12')).rejects.toThrow(/404/);
  });
});

describe('on a phone, in Chinese', () => {
  it('gives each card a checkbox and the same bar, fits 375 px, and edits on the record page only', async () => {
    const phone = await signedIn('admin', TEST_ADMIN_PASSWORD, { viewport: PHONE });
    await openList(phone);
    expect(await phone.locator('[data-test=cell-edit]').count()).toBe(0);
    await select(phone, ['编辑商机 07', '编辑商机 08']);
    expect(await phone.locator('[data-test=bulk-count]').textContent()).toBe('已选择 2 条');
    expect(await phone.locator('[data-test=bulk-bar] button').allTextContents()).toEqual(['修改字段', '删除', '导出所选', '取消选择']);
    expect(await pageWidth(phone)).toBeLessThanOrEqual(PHONE.width);
    await phone.evaluate(() => window.scrollTo(0, 0));
    await viewportScreenshot(phone, 'runtime-records-bulk-bar-phone');
    await phone.locator('[data-test=bulk-edit]').click();
    const dialog = phone.locator('[data-test=bulk-edit-dialog]');
    await choose(phone, dialog.locator('[data-test=bulk-edit-field]'), '阶段');
    await choose(phone, dialog.locator('[data-test=bulk-edit-value] .el-select'), '赢单');
    await viewportScreenshot(phone, 'runtime-records-bulk-edit-phone');
    await dialog.locator('[data-test=bulk-edit-apply]').click();
    await phone.locator('.el-message--success', { hasText: '已修改 2 条记录' }).waitFor();
    expect([(await deal('编辑商机 07')).stage, (await deal('编辑商机 08')).stage]).toEqual(['won', 'won']);

    await phone.locator('[data-test=columns-button]').click();
    const chooser = phone.locator('[data-test=column-chooser]');
    await chooser.waitFor();
    await transitionsDone(phone);
    const box = (await chooser.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    await viewportScreenshot(phone, 'runtime-records-columns-phone');
  });
});

describe('dark', () => {
  it('draws the bar and a cell being edited with the dark theme', async () => {
    const dark = await signedIn(EDITOR.login, EDITOR.password);
    await dark.emulateMedia({ colorScheme: 'dark' });
    await openList(dark);
    await select(dark, ['编辑商机 05', '编辑商机 06']);
    const input = await editCell(cell(dark, '编辑商机 07', 'title'));
    await input.fill('');
    await input.press('Enter');
    await cell(dark, '编辑商机 07', 'title').locator('[data-test=cell-error]').waitFor();
    await pageScreenshot(dark, 'runtime-records-list-editing-dark');
  });
});
