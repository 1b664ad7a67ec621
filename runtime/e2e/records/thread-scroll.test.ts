import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE, TEST_ADMIN_PASSWORD, pageWidth, startE2eApp, transitionsDone, viewportScreenshot, type E2eApp } from '../support/index.ts';
import { KICKOFF, SELLER, TOTAL, WRITER, seed } from './thread-scroll.seed.ts';

let app: E2eApp;
let ids: Awaited<ReturnType<typeof seed>>;
let writerToken: string;

const log = (page: Page) => page.locator('[data-test=thread-log]');
const message = (page: Page, text: string) => page.locator('[data-test=message]', { hasText: text });

async function signedIn(login: string, password: string, options: Parameters<E2eApp['newPage']>[0] = {}): Promise<Page> {
  const page = await app.newPage(options);
  await page.context().request.post(`${app.url}/api/v1/auth/login`, { data: { login, password } });
  return page;
}

/** The seqs of the message rows in the page, top to bottom. */
function renderedSeqs(page: Page): Promise<number[]> {
  return page.locator('[data-test=message]').evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-seq'))));
}

/** Rendered rows are the messages in seq order, each once, with none left out between them: pages joined cleanly. */
function expectConsecutive(seqs: number[]): void {
  expect(seqs.length).toBeGreaterThan(0);
  expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
}

/** Whether the element is wholly inside the log's visible part (not scrolled away, not under the composer). */
function inView(page: Page, target: Locator): Promise<boolean> {
  return target.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const frame = el.closest('[data-test=thread-log]')!.getBoundingClientRect();
    return box.height > 0 && box.top >= frame.top - 1 && box.bottom <= frame.bottom + 1;
  });
}

async function until(check: () => Promise<boolean>, what: string, tries = 100): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`never: ${what}`);
}

/** The writer posts through the API, as another person's browser would. */
async function writerSends(body: string): Promise<void> {
  const response = await fetch(`${app.url}/api/v1/threads/${ids.threadId}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${writerToken}` },
    body: JSON.stringify({ clientId: `live-${body}`, body }),
  });
  expect(response.status).toBe(201);
}

beforeAll(async () => {
  app = await startE2eApp();
  ids = await seed(app);
  writerToken = (await (await fetch(`${app.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: WRITER.login, password: WRITER.password }) })).json()).token;
  // Search indexing runs behind the writes: wait until the kickoff note is found.
  await until(async () => (await app.api<{ items: { kind: string }[] }>('GET', `/api/v1/search?q=${encodeURIComponent('海鸥')}&kind=message`)).items.length > 0, 'the kickoff note indexed', 150);
});
afterAll(() => app?.close());

describe('a thread of ten thousand messages', () => {
  let admin: Page;

  it('opens at its end and scrolls back through thousands with the keyboard, keeping few rows in the page', async () => {
    admin = await signedIn('admin', TEST_ADMIN_PASSWORD);
    await admin.goto(`${app.url}/o/deal/${ids.dealId}`);
    const last = message(admin, '按启动会说的办');
    await last.waitFor();
    await until(() => inView(admin, last), 'the last message in view');
    await admin.locator('[data-test=thread-live]', { hasText: '实时' }).waitFor();

    // Home, again and again: each time the page before is put in front without moving what is shown.
    await log(admin).focus();
    let oldest = TOTAL;
    while (oldest > TOTAL - 3000) {
      await admin.keyboard.press('Home');
      const before = oldest;
      await until(async () => Math.min(...(await renderedSeqs(admin))) < before, `messages before #${before}`);
      const seqs = await renderedSeqs(admin);
      expectConsecutive(seqs);
      oldest = seqs[0]!;
    }
    // Three thousand loaded, a screenful or two in the page.
    expect(await admin.locator('[data-test=message]').count()).toBeLessThan(120);
    await viewportScreenshot(admin, 'runtime-thread-scroll-history-desktop');

    // PageDown walks forward through what is loaded, still in order.
    await admin.keyboard.press('PageDown');
    await admin.keyboard.press('PageDown');
    expectConsecutive(await renderedSeqs(admin));
  });

  it('follows a live message from someone else when the reader is back at the end', async () => {
    await log(admin).focus();
    const last = message(admin, '按启动会说的办');
    // One press, though three thousand rows are mostly unmeasured and the end moves as they are measured.
    await admin.keyboard.press('End');
    await until(async () => (await last.count()) > 0 && (await inView(admin, last)), 'back at the end');
    await writerSends('新消息：客户确认了试点范围');
    const live = message(admin, '新消息：客户确认了试点范围');
    await live.waitFor();
    await until(() => inView(admin, live), 'the live message in view');
    expect(await admin.locator('[data-test=thread-announce]').textContent()).toContain('新消息：客户确认了试点范围');
    expect(await admin.locator('[data-test=thread-latest]').count()).toBe(0);
    expectConsecutive(await renderedSeqs(admin));
    await viewportScreenshot(admin, 'runtime-thread-scroll-live-desktop');
  });

  it('leads from a reply’s quote to the message it quotes, however far back', async () => {
    const quote = message(admin, '按启动会说的办').locator('[data-test=message-quote]');
    expect(await quote.textContent()).toContain('回复了一条更早的消息');
    await quote.click();
    const kickoff = admin.locator('.row.highlight', { hasText: KICKOFF.body });
    await kickoff.waitFor();
    await until(() => inView(admin, kickoff), 'the quoted message in view');
    await admin.locator('[data-test=thread-latest]').click();
    await until(async () => (await message(admin, '新消息：客户确认了试点范围').count()) > 0, 'back at the latest');
  });
});

describe('jumping to a message from search, on a phone in English', () => {
  it('opens the thread at an old message, lit up, then scrolls on to newer ones', async () => {
    const phone = await signedIn(SELLER.login, SELLER.password, { viewport: PHONE, locale: 'en' });
    await phone.goto(`${app.url}/o/deal`);
    await phone.locator('[data-test=search-open]').click();
    await phone.locator('[data-test=search-input]').fill('海鸥');
    const hit = phone.locator('.search-dialog [data-test=search-hit]', { hasText: '启动会纪要' });
    await hit.click();
    await phone.waitForURL((url) => url.pathname === `/o/deal/${ids.dealId}` && url.searchParams.get('message') === String(KICKOFF.seq));

    const kickoff = phone.locator('.row.highlight', { hasText: KICKOFF.body });
    await kickoff.waitFor();
    await kickoff.scrollIntoViewIfNeeded();
    await until(() => inView(phone, kickoff), 'the found message in view');
    // Focused once its row has been measured and drawn where it belongs.
    await until(() => kickoff.evaluate((el) => el === document.activeElement), 'the found message focused');
    expect(await phone.locator('[data-test=thread-announce]').textContent()).toContain('Showing the message from');
    // Opened far from the end: the way back is offered, and nothing newer than the page is there.
    await phone.locator('[data-test=thread-latest]').waitFor();
    expect(await message(phone, '按启动会说的办').count()).toBe(0);
    expect(await pageWidth(phone)).toBeLessThanOrEqual(PHONE.width);
    await transitionsDone(phone);
    await viewportScreenshot(phone, 'runtime-thread-scroll-jump-en-phone');

    // Scrolling down loads what came after, page by page, in order.
    await log(phone).focus();
    let newest = Math.max(...(await renderedSeqs(phone)));
    for (let page = 0; page < 3; page++) {
      const before = newest;
      // End goes to the last message loaded; the page after it comes in below, and the next press goes into it.
      await until(async () => {
        await phone.keyboard.press('End');
        return Math.max(...(await renderedSeqs(phone))) > before + 10;
      }, `messages after #${before}`);
      const seqs = await renderedSeqs(phone);
      expectConsecutive(seqs);
      newest = seqs.at(-1)!;
    }

    // A live message while reading the past is not put after it: the button says there is something new.
    await writerSends('详细计划已上传');
    await phone.locator('[data-test=thread-latest]', { hasText: 'New messages' }).waitFor();
    expect(await message(phone, '详细计划已上传').count()).toBe(0);
    await viewportScreenshot(phone, 'runtime-thread-scroll-detached-en-phone');
    await phone.locator('[data-test=thread-latest]').click();
    const live = message(phone, '详细计划已上传');
    await live.waitFor();
    await until(() => inView(phone, live), 'the newest message in view');
    expectConsecutive(await renderedSeqs(phone));
    await viewportScreenshot(phone, 'runtime-thread-scroll-latest-en-phone');
  });

  it('opens normally again without the message in the address', async () => {
    const page = await signedIn(SELLER.login, SELLER.password, { locale: 'en' });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${app.url}/o/deal/${ids.dealId}?message=${KICKOFF.seq}`);
    await page.locator('.row.highlight', { hasText: KICKOFF.body }).waitFor();
    await viewportScreenshot(page, 'runtime-thread-scroll-jump-en-dark');
    await page.goto(`${app.url}/o/deal/${ids.dealId}`);
    const newest = message(page, '详细计划已上传');
    await newest.waitFor();
    await until(() => inView(page, newest), 'the end in view');
    expect(await page.locator('.row.highlight').count()).toBe(0);
  });
});
