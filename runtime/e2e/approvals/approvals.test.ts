import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE, logIn, pageWidth, startE2eApp, transitionsDone, viewportScreenshot, type E2eApp } from '../support/index.ts';
import { EMPLOYEE, MANAGER, seed } from './approvals.seed.ts';

let app: E2eApp;
let employee: Page;
let manager: Page;
let ids: Awaited<ReturnType<typeof seed>>;

const card = (page: Page) => page.locator('[data-test=approval-card]');

async function signIn(page: Page, who: { login: string; password: string }): Promise<void> {
  await page.goto(`${app.url}/`);
  await logIn(page, who.login, who.password);
  await page.waitForURL((url) => url.pathname === '/directory');
}

beforeAll(async () => {
  app = await startE2eApp();
  ids = await seed(app);
  employee = await app.newPage();
  manager = await app.newPage({ viewport: PHONE, locale: 'en' });
  await signIn(employee, EMPLOYEE);
  await signIn(manager, MANAGER);
});
afterAll(() => app?.close());

describe('an approval, from the record page to its outcome', () => {
  it('is submitted from the record page, and its card appears in the thread with the summary', async () => {
    await employee.goto(`${app.url}/o/expense/${ids.taxiId}`);
    await employee.locator('[data-test=thread-live]', { hasText: '实时' }).waitFor();
    await employee.locator('[data-test=approval-submit]').click();
    await card(employee).waitFor();
    expect(await card(employee).getAttribute('data-status')).toBe('pending');
    expect(await card(employee).locator('.title').textContent()).toBe('报销 机场打车（320 元）');
    await card(employee).locator('.summary', { hasText: '320' }).waitFor();
    expect(await card(employee).locator('.summary').textContent()).toContain('客户拜访往返');
    await card(employee).locator('[data-test=approval-task]', { hasText: 'Mark Manager' }).waitFor();
    // The submitter may recall or urge, not decide; and she is not asked to submit again.
    await card(employee).locator('[data-test=approval-recall]').waitFor();
    expect(await card(employee).locator('[data-test=approval-urge]').count()).toBe(1);
    expect(await card(employee).locator('[data-test=approval-approve]').count()).toBe(0);
    expect(await employee.locator('[data-test=approval-submit]').count()).toBe(0);
    await viewportScreenshot(employee, 'runtime-approval-card-submitted-desktop');
  });

  it('waits in the manager’s “my approvals”, with a count on the navigation, and opens its record', async () => {
    await manager.goto(`${app.url}/approvals`);
    const row = manager.locator('[data-test=approval-row]', { hasText: '机场打车' });
    await row.waitFor();
    expect(await row.textContent()).toContain('Pending');
    expect(await row.textContent()).toContain('Expense');
    await manager.locator('.shell-nav, body').getByText('Approvals (1)').first().waitFor({ state: 'attached' });
    expect(await pageWidth(manager)).toBeLessThanOrEqual(PHONE.width);
    await viewportScreenshot(manager, 'runtime-approvals-list-en-phone');
    // Keyboard: the row is a link.
    await row.focus();
    await manager.keyboard.press('Enter');
    await manager.waitForURL(new RegExp(`/o/expense/${ids.taxiId}$`));
    await card(manager).locator('[data-test=approval-approve]').waitFor();
    expect(await card(manager).locator('.summary').textContent()).toContain('320');
  });

  it('is approved by the manager from the card, and the employee’s card shows the outcome live', async () => {
    await manager.locator('[data-test=thread-live]', { hasText: 'Live' }).waitFor();
    await card(manager).scrollIntoViewIfNeeded();
    await viewportScreenshot(manager, 'runtime-approval-card-to-decide-en-phone');
    await card(manager).locator('[data-test=approval-approve]').click();
    await card(manager).locator('[data-test=approval-outcome]').waitFor();
    await card(manager).locator('[data-test=approval-approve]').waitFor({ state: 'detached' });
    // No reload on the employee's side: the redrawn card comes over the socket.
    await employee.waitForFunction(() => document.querySelector('[data-test=approval-card]')?.getAttribute('data-status') === 'approved');
    expect(await card(employee).locator('[data-test=approval-outcome]').textContent()).toContain('审批通过');
    expect(await card(employee).locator('[data-test=approval-task]').getAttribute('data-task-status')).toBe('approved');
    expect(await card(employee).locator('[data-test=approval-recall]').count()).toBe(0);
    // The outcome's message in the thread says who decided what, in the reader's language.
    await employee.locator('[data-test=approval-event]', { hasText: '同意了' }).waitFor();
    expect(await pageWidth(manager)).toBeLessThanOrEqual(PHONE.width);
    await viewportScreenshot(employee, 'runtime-approval-card-approved-desktop');
    await viewportScreenshot(manager, 'runtime-approval-card-approved-en-phone');
  });

  it('is rejected only with a reason, which the submitter then reads on the card', async () => {
    await employee.goto(`${app.url}/o/expense/${ids.hotelId}`);
    await employee.locator('[data-test=approval-submit]').click();
    await card(employee).locator('[data-test=approval-task]', { hasText: 'Mark Manager' }).waitFor();
    await manager.goto(`${app.url}/o/expense/${ids.hotelId}`);
    await card(manager).locator('[data-test=approval-reject]').click();
    const dialog = manager.locator('.el-dialog:visible');
    await dialog.waitFor();
    await manager.locator('[data-test=approval-dialog-confirm]').click();
    await dialog.getByText('Give a reason').waitFor();
    await transitionsDone(manager);
    await viewportScreenshot(manager, 'runtime-approval-reject-dialog-en-phone');
    await dialog.locator('textarea').fill('Above the hotel allowance');
    await manager.locator('[data-test=approval-dialog-confirm]').click();
    await employee.waitForFunction(() => document.querySelector('[data-test=approval-card]')?.getAttribute('data-status') === 'rejected');
    expect(await card(employee).locator('[data-test=approval-outcome]').textContent()).toContain('原因：Above the hotel allowance');
    await viewportScreenshot(employee, 'runtime-approval-card-rejected-desktop');
  });

  it('lists what each decided and submitted in the other boxes', async () => {
    await manager.goto(`${app.url}/approvals?box=done`);
    await manager.locator('[data-test=approval-row]', { hasText: '酒店住宿' }).waitFor();
    expect(await manager.locator('[data-test=approval-row]').count()).toBe(2);
    await employee.goto(`${app.url}/approvals`);
    await employee.locator('.el-tabs__item', { hasText: '我发起的' }).click();
    await employee.waitForURL(/box=submitted/);
    await employee.locator('[data-test=approval-row]', { hasText: '已通过' }).waitFor();
    expect(await employee.locator('[data-test=approval-row]', { hasText: '已拒绝' }).count()).toBe(1);
    await viewportScreenshot(employee, 'runtime-approvals-submitted-desktop');
  });
});

describe('a flow’s card in the thread', () => {
  it('shows its title, rows and links, opening app paths in the app and web links in a new tab', async () => {
    await app.api('POST', '/api/v1/flows/expense_reminder/runs', { recordId: ids.taxiId });
    await employee.goto(`${app.url}/o/expense/${ids.taxiId}`);
    const flowCard = employee.locator('[data-test=flow-card]');
    await flowCard.waitFor();
    expect(await flowCard.locator('[data-test=flow-card-title]').textContent()).toBe('待补发票：机场打车');
    expect(await flowCard.locator('[data-test=flow-card-field]').allTextContents()).toEqual(['金额320 元', '说明客户拜访往返']);
    expect(await flowCard.textContent()).toContain('流程 expense_reminder');
    const [open, policy] = [flowCard.locator('[data-test=flow-card-link]').nth(0), flowCard.locator('[data-test=flow-card-link]').nth(1)];
    expect(await open.getAttribute('href')).toBe(`/o/expense/${ids.taxiId}`);
    expect(await policy.getAttribute('href')).toBe('https://example.com/expense-policy');
    expect(await policy.getAttribute('target')).toBe('_blank');
    expect(await policy.getAttribute('rel')).toContain('noopener');
    await flowCard.scrollIntoViewIfNeeded();
    await viewportScreenshot(employee, 'runtime-flow-card-desktop');
    await manager.goto(`${app.url}/o/expense/${ids.taxiId}`);
    await manager.locator('[data-test=flow-card]').waitFor();
    expect(await pageWidth(manager)).toBeLessThanOrEqual(PHONE.width);
    await manager.locator('[data-test=flow-card]').scrollIntoViewIfNeeded();
    await viewportScreenshot(manager, 'runtime-flow-card-en-phone');
  });
});
