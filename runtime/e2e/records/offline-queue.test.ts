import type { Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP, PHONE, pageWidth, startE2eApp, viewportScreenshot, type E2eApp } from '../support/index.ts';
import { EMMA, FANG, seed } from './offline-queue.seed.ts';

let app: E2eApp;
let ids: Awaited<ReturnType<typeof seed>>;

const composer = (page: Page) => page.locator('textarea[data-test=composer]');
const message = (page: Page, text: string) => page.locator('[data-test=message]', { hasText: text });
const pending = (page: Page) => page.locator('[data-test=pending-message]');
const banner = (page: Page) => page.locator('[data-test=connection-banner]');

type Person = { login: string; password: string };

/**
 * A browser window whose connection can really be cut: HTTP fails (the browser goes offline) and the
 * realtime socket is closed and refused, over WebSocket and over long polling, until it is restored.
 * Going offline alone does not close an open WebSocket, hence the route on it.
 */
async function openThread(person: Person, options: { viewport?: typeof DESKTOP; locale?: string } = {}) {
  const page = await app.newPage(options);
  await page.context().request.post(`${app.url}/api/v1/auth/login`, { data: { login: person.login, password: person.password } });
  let socketCut = false;
  let refused = 0;
  const sockets = new Set<WebSocketRoute>();
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    if (socketCut) {
      refused++;
      return ws.close();
    }
    ws.connectToServer();
    sockets.add(ws);
  });
  await page.route(/\/socket\.io\//, (route) => (socketCut ? route.abort('internetdisconnected') : route.continue()));
  await page.goto(`${app.url}/o/ticket/${ids.ticketId}`);
  await page.locator('[data-test=thread-live].live').waitFor();

  return {
    page,
    /** Network and socket down. */
    async cut() {
      socketCut = true;
      refused = 0;
      await page.context().setOffline(true);
      for (const ws of sockets) await ws.close().catch(() => {});
      sockets.clear();
    },
    /** The network is back, the socket still refused: the app keeps trying to reconnect. */
    async restoreNetwork() {
      await page.context().setOffline(false);
    },
    /**
     * The socket may connect again, and "Retry now" connects at once. Without it socket.io would wait: an
     * attempt refused here (opened, then closed before the handshake) hangs until its 20 s timeout. Once
     * socket.io's first attempt after the cut has been refused, it cannot reconnect by itself before the click.
     */
    async restoreSocket() {
      await expect.poll(() => refused, { timeout: 10_000 }).toBeGreaterThan(0);
      socketCut = false;
      await page.locator('[data-test=connection-retry]').click();
    },
  };
}

/** The texts of the thread's messages that are among `texts`, top to bottom. */
async function shown(page: Page, texts: string[]): Promise<string[]> {
  const all = await page.locator('[data-test=message]').allTextContents();
  return all.flatMap((content) => texts.filter((text) => content.includes(text)));
}

async function storedBodies(): Promise<string[]> {
  const page = await app.api<{ items: { body: string }[] }>('GET', `/api/v1/threads/${ids.threadId}/messages?system=false&limit=100`);
  return page.items.map((m) => m.body);
}

beforeAll(async () => {
  app = await startE2eApp();
  ids = await seed(app);
});
afterAll(() => app?.close());

describe('a dropped connection, on a desktop in English', () => {
  it('shows the banner, keeps what is typed waiting, and sends it once, in order, when the connection is back', async () => {
    const emma = await openThread(EMMA, { locale: 'en' });
    const fang = await openThread(FANG);

    await emma.cut();
    await banner(emma.page).filter({ hasText: 'Offline — messages will be sent when the connection is back' }).waitFor();
    await composer(emma.page).fill('The router in aisle 3 is down');
    await composer(emma.page).press('Enter');
    await composer(emma.page).fill('I will restart it at noon');
    await composer(emma.page).press('Enter');
    await pending(emma.page).nth(1).waitFor();
    expect(await pending(emma.page).evaluateAll((items) => items.map((i) => [i.querySelector('.body')?.textContent, i.getAttribute('data-state')]))).toEqual([
      ['The router in aisle 3 is down', 'waiting'],
      ['I will restart it at noon', 'waiting'],
    ]);
    expect(await pending(emma.page).first().locator('[data-test=pending-mark]').textContent()).toContain('Waiting to send');
    expect(await emma.page.locator('[data-test=connection-region]').getAttribute('role')).toBe('status');
    await viewportScreenshot(emma.page, 'runtime-offline-queue-waiting-en-desktop');
    expect(await storedBodies()).not.toContain('The router in aisle 3 is down');

    await emma.restoreNetwork();
    await banner(emma.page).filter({ hasText: 'Reconnecting…' }).waitFor();
    await emma.restoreSocket();
    await banner(emma.page).waitFor({ state: 'detached' });
    const texts = ['The router in aisle 3 is down', 'I will restart it at noon'];
    await message(emma.page, texts[1]!).waitFor();
    await pending(emma.page).first().waitFor({ state: 'detached' });
    expect(await shown(emma.page, texts)).toEqual(texts);
    await message(fang.page, texts[1]!).waitFor();
    expect(await shown(fang.page, texts)).toEqual(texts);
    expect((await storedBodies()).filter((b) => texts.includes(b))).toEqual([...texts].reverse());
    await viewportScreenshot(emma.page, 'runtime-offline-queue-sent-en-desktop');
  });

  it('stores a message once when the connection drops after the server got it but before its answer came back', async () => {
    const emma = await openThread(EMMA, { locale: 'en' });
    const fang = await openThread(FANG);
    let posts = 0;
    await emma.page.route(`**/api/v1/threads/${ids.threadId}/messages`, async (route) => {
      if (route.request().method() !== 'POST' || posts++ > 0) return route.fallback();
      // Cut first, so that the stored message cannot reach this page by its socket either.
      await emma.cut();
      await route.fetch();
      await route.abort('internetdisconnected');
    });
    await composer(emma.page).fill('Restarted, all green');
    await composer(emma.page).press('Enter');
    await pending(emma.page).and(emma.page.locator('[data-state=waiting]')).waitFor();
    await banner(emma.page).waitFor();
    expect(posts).toBe(1);
    expect(await storedBodies()).toContain('Restarted, all green');

    await emma.restoreNetwork();
    await emma.restoreSocket();
    await message(emma.page, 'Restarted, all green').waitFor();
    await pending(emma.page).waitFor({ state: 'detached' });
    await message(fang.page, 'Restarted, all green').waitFor();
    expect(await message(emma.page, 'Restarted, all green').count()).toBe(1);
    expect(await message(fang.page, 'Restarted, all green').count()).toBe(1);
    expect((await storedBodies()).filter((b) => b === 'Restarted, all green')).toHaveLength(1);
  });

  it('marks a queued message the server refuses as not sent, with its reason, and still sends the one typed after it', async () => {
    const emma = await openThread(EMMA, { locale: 'en' });
    await emma.cut();
    await composer(emma.page).fill('x'.repeat(10_001));
    await composer(emma.page).press('Enter');
    await composer(emma.page).fill('Shorter, then');
    await composer(emma.page).press('Enter');
    await pending(emma.page).nth(1).waitFor();

    await emma.restoreNetwork();
    await emma.restoreSocket();
    const refused = pending(emma.page).and(emma.page.locator('[data-state=failed]'));
    await refused.waitFor();
    await pending(emma.page).nth(1).waitFor({ state: 'detached' });
    expect(await refused.locator('[data-test=pending-mark]').textContent()).toContain('Not sent');
    expect((await refused.locator('[data-test=pending-error]').textContent())?.trim()).not.toBe('');
    expect(await storedBodies()).toContain('Shorter, then');
    await viewportScreenshot(emma.page, 'runtime-offline-queue-refused-en-desktop');
    await refused.locator('[data-test=pending-discard]').click();
    await refused.waitFor({ state: 'detached' });
    await message(emma.page, 'Shorter, then').waitFor();
    await emma.page.reload();
    await message(emma.page, 'Shorter, then').waitFor();
    expect(await pending(emma.page).count()).toBe(0);
  });
});

describe('a dropped connection, on a phone in Chinese', () => {
  it('keeps waiting messages through a reload, drops a discarded one, and sends the rest when the socket is back', async () => {
    const fang = await openThread(FANG, { viewport: PHONE, locale: 'zh-CN' });
    const emma = await openThread(EMMA, { locale: 'en' });

    await fang.cut();
    await banner(fang.page).filter({ hasText: '网络已断开，消息会在恢复连接后发送' }).waitFor();
    await composer(fang.page).fill('交换机已断电，正在排查');
    await composer(fang.page).press('Enter');
    await composer(fang.page).fill('这条不用发了');
    await composer(fang.page).press('Enter');
    await pending(fang.page).nth(1).waitFor();
    expect(await pending(fang.page).first().locator('[data-test=pending-mark]').textContent()).toContain('等待发送');
    expect(await pageWidth(fang.page)).toBeLessThanOrEqual(PHONE.width);
    await viewportScreenshot(fang.page, 'runtime-offline-queue-waiting-zh-phone');
    await fang.page.emulateMedia({ colorScheme: 'dark' });
    await fang.page.waitForFunction(() => document.documentElement.classList.contains('dark'));
    await viewportScreenshot(fang.page, 'runtime-offline-queue-waiting-dark-zh-phone');
    await fang.page.emulateMedia({ colorScheme: 'light' });
    await pending(fang.page).nth(1).locator('[data-test=pending-discard]').click();
    await pending(fang.page).nth(1).waitFor({ state: 'detached' });

    // The page comes back from the server, the socket does not: the message is still only in this browser.
    await fang.restoreNetwork();
    await fang.page.reload();
    await pending(fang.page).first().waitFor();
    expect(await pending(fang.page).allTextContents()).toEqual([expect.stringContaining('交换机已断电，正在排查')]);
    expect(await pending(fang.page).first().getAttribute('data-state')).toBe('waiting');
    await banner(fang.page).filter({ hasText: '正在重新连接…' }).waitFor();
    await viewportScreenshot(fang.page, 'runtime-offline-queue-reloaded-zh-phone');
    expect(await storedBodies()).not.toContain('交换机已断电，正在排查');

    await fang.restoreSocket();
    await banner(fang.page).filter({ hasText: '已重新连接' }).waitFor();
    await viewportScreenshot(fang.page, 'runtime-offline-queue-restored-zh-phone');
    await message(fang.page, '交换机已断电，正在排查').waitFor();
    await pending(fang.page).waitFor({ state: 'detached' });
    await message(emma.page, '交换机已断电，正在排查').waitFor();
    expect(await message(emma.page, '交换机已断电，正在排查').count()).toBe(1);
    expect(await message(fang.page, '这条不用发了').count()).toBe(0);
    const bodies = await storedBodies();
    expect(bodies.filter((b) => b === '交换机已断电，正在排查')).toHaveLength(1);
    expect(bodies).not.toContain('这条不用发了');
  });
});
