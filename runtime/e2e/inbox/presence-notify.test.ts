import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE, logIn, pageWidth, startE2eApp, transitionsDone, viewportScreenshot, type E2eApp } from '../support/index.ts';
import { ALICE, BRUCE, CAROL, GROUP, asUser, seed } from './presence-notify.seed.ts';

type Recorded = { title: string; body: string; tag: string };
declare global {
  interface Window {
    __notifications: Recorded[];
    __clickLastNotification: () => void;
    __chimeNotes: number;
  }
}

let app: E2eApp;
let alice: Page;
let ids: Awaited<ReturnType<typeof seed>>;

const personAvatar = (page: Page, name: string) => page.locator('[data-test=person-row]', { hasText: name }).locator('.user-avatar');
const notifications = (page: Page) => page.evaluate(() => window.__notifications);
/** Waits until the page has made this many notifications. */
const notified = (page: Page, count: number) => page.waitForFunction((n) => window.__notifications.length >= n, count);

async function signIn(page: Page, who: { login: string; password: string }, path = '/'): Promise<void> {
  await page.goto(`${app.url}${path}`);
  await logIn(page, who.login, who.password);
}

/**
 * The page keeps calling the browser's real Notification API; this only writes down each notification
 * it makes (and lets the test click the last one, which a real person does on the desktop), and counts
 * the notes the chime plays.
 */
function recordNotifications(): void {
  const Real = window.Notification;
  const made: Notification[] = [];
  window.__notifications = [];
  window.__chimeNotes = 0;
  class Recording extends Real {
    constructor(title: string, options?: NotificationOptions) {
      super(title, options);
      window.__notifications.push({ title, body: options?.body ?? '', tag: options?.tag ?? '' });
      made.push(this);
    }
  }
  Object.defineProperty(Recording, 'permission', { get: () => Real.permission });
  Object.defineProperty(Recording, 'requestPermission', { value: (...args: []) => Real.requestPermission(...args) });
  window.Notification = Recording;
  window.__clickLastNotification = () => made.at(-1)?.onclick?.call(made.at(-1)!, new Event('click'));
  const start = AudioScheduledSourceNode.prototype.start;
  AudioScheduledSourceNode.prototype.start = function (...args: [number?]) {
    window.__chimeNotes++;
    return start.apply(this, args);
  };
}

beforeAll(async () => {
  app = await startE2eApp();
  ids = await seed(app);
  alice = await app.newPage();
  await alice.context().grantPermissions(['notifications'], { origin: app.url });
  await alice.addInitScript(recordNotifications);
  await signIn(alice, ALICE);
  await alice.waitForURL((url) => url.pathname === '/directory');
});
afterAll(() => app?.close());

describe('presence dots', () => {
  it('show a colleague going online, away and offline as it happens', async () => {
    await alice.locator('[data-test=people-search]').fill('Bruce');
    const dot = personAvatar(alice, 'Bruce Lee');
    await dot.and(alice.locator('[data-presence=offline]')).waitFor();
    expect(await dot.getAttribute('aria-label')).toBe('离线');

    const bruce = await app.newPage({ locale: 'en' });
    await signIn(bruce, BRUCE);
    await bruce.waitForURL((url) => url.pathname === '/directory');
    await dot.and(alice.locator('[data-presence=online]')).waitFor();
    expect(await dot.getAttribute('title')).toBe('在线');

    // His tab goes to the background: it says it is away, and is back at once when shown again.
    const setVisibility = (state: 'hidden' | 'visible') =>
      bruce.evaluate((value) => {
        Object.defineProperty(document, 'visibilityState', { value, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    await setVisibility('hidden');
    await dot.and(alice.locator('[data-presence=away]')).waitFor();
    await viewportScreenshot(alice, 'runtime-presence-directory-away');
    await setVisibility('visible');
    await dot.and(alice.locator('[data-presence=online]')).waitFor();

    await bruce.close();
    await dot.and(alice.locator('[data-presence=offline]')).waitFor();
  });

  it('show in the person drawer, and mine is online', async () => {
    await alice.locator('[data-test=people-search]').fill('王爱丽');
    await alice.locator('[data-test=person-row]', { hasText: ALICE.displayName }).click();
    const hero = alice.locator('[data-test=person-detail] .hero .user-avatar');
    await hero.and(alice.locator('[data-presence=online]')).waitFor();
    await viewportScreenshot(alice, 'runtime-presence-person-drawer');
    await alice.keyboard.press('Escape');
    await transitionsDone(alice);
  });
});

describe('desktop notifications', () => {
  it('are turned on in my account, with the browser’s permission', async () => {
    await alice.locator('.shell-nav').getByText('我的账号').click();
    const card = alice.locator('[data-test=notify-card]');
    const desktop = card.locator('[data-test=notify-desktop] [role=switch]');
    expect(await desktop.getAttribute('aria-checked')).toBe('false');
    expect(await card.locator('[data-test=notify-sound] [role=switch]').getAttribute('aria-checked')).toBe('true');
    await card.locator('[data-test=notify-desktop]').click();
    await card.locator('[data-test=notify-desktop] [role=switch][aria-checked=true]').waitFor({ state: 'attached' });
    expect(await card.locator('[data-test=notify-problem]').count()).toBe(0);
    await card.scrollIntoViewIfNeeded();
    await viewportScreenshot(alice, 'runtime-notify-settings');
  });

  it('say plainly when the browser does not allow them', async () => {
    // Nobody granted this browser window anything: the browser refuses or dismisses the request.
    const carol = await app.newPage({ viewport: PHONE });
    await signIn(carol, CAROL, '/account');
    const card = carol.locator('[data-test=notify-card]');
    await card.locator('[data-test=notify-desktop]').click();
    await card.locator('[data-test=notify-problem]').waitFor();
    expect(await card.locator('[data-test=notify-desktop] [role=switch]').getAttribute('aria-checked')).toBe('false');
    expect(await card.locator('[data-test=notify-problem]').textContent()).toMatch(/浏览器已禁止|没有获得通知权限/);
    expect(await pageWidth(carol)).toBeLessThanOrEqual(PHONE.width);
    await card.scrollIntoViewIfNeeded();
    await viewportScreenshot(carol, 'runtime-notify-refused-phone');
    await carol.close();
  });

  it('tell me of a message while I am on another page, and open its conversation when clicked', async () => {
    await alice.locator('.shell-nav').getByText('通讯录').click();
    await alice.waitForURL(/\/directory$/);
    const direct = await asUser<{ id: string }>(app, BRUCE, 'POST', '/api/v1/threads/direct', { userId: ids.aliceId });
    await asUser(app, BRUCE, 'POST', `/api/v1/threads/${direct.id}/messages`, { clientId: 'e2e-dm-1', body: 'Are you free at three?' });
    await notified(alice, 1);
    expect(await notifications(alice)).toEqual([{ title: 'Bruce Lee', body: 'Are you free at three?', tag: direct.id }]);
    expect(await alice.evaluate(() => window.__chimeNotes)).toBeGreaterThan(0);

    await alice.evaluate(() => window.__clickLastNotification());
    await alice.waitForURL(new RegExp(`/inbox/${direct.id}$`));
    await alice.locator('[data-test=message]', { hasText: 'Are you free at three?' }).waitFor();
    // The conversation header says he is offline (no tab of his is open).
    expect(await alice.locator('[data-test=conversation] .sub').textContent()).toBe('单聊 · 离线');

    // While she reads his conversation, his next message needs no notification; the group's does.
    await asUser(app, BRUCE, 'POST', `/api/v1/threads/${direct.id}/messages`, { clientId: 'e2e-dm-2', body: 'See you then' });
    await alice.locator('[data-test=message]', { hasText: 'See you then' }).waitFor();
    await asUser(app, CAROL, 'POST', `/api/v1/threads/${ids.groupId}/messages`, { clientId: 'e2e-group-1', body: '周报已经发了' });
    await notified(alice, 2);
    expect(await notifications(alice).then((list) => list.length)).toBe(2);
    expect((await notifications(alice))[1]).toEqual({ title: GROUP, body: '陈卡萝：周报已经发了', tag: ids.groupId });
  });

  it('stay quiet for my own messages', async () => {
    await asUser(app, ALICE, 'POST', `/api/v1/threads/${ids.groupId}/messages`, { clientId: 'e2e-group-2', body: '收到' });
    // Carol's answer after mine is the next one told: mine came and went without a notification.
    await asUser(app, CAROL, 'POST', `/api/v1/threads/${ids.groupId}/messages`, { clientId: 'e2e-group-3', body: '好的' });
    await notified(alice, 3);
    expect((await notifications(alice)).map((n) => n.body)).toEqual(['Are you free at three?', '陈卡萝：周报已经发了', '陈卡萝：好的']);
  });
});

describe('a group’s name and its link to join', () => {
  let link = '';

  it('is renamed by its owner, and the members see the new name at once', async () => {
    const carol = await app.newPage();
    await signIn(carol, CAROL, `/inbox/${ids.groupId}`);
    await carol.locator('[data-test=conversation-title]').waitFor();
    await alice.goto(`${app.url}/inbox/${ids.groupId}`);
    await alice.locator('[data-test=members-open]').click();
    await alice.locator('[data-test=rename-input]').fill('华东销售一组');
    await alice.locator('[data-test=rename-save]').click();
    await alice.locator('[data-test=conversation-title]', { hasText: '华东销售一组' }).waitFor();
    await alice.locator('[data-test=inbox-item] [data-test=inbox-title]', { hasText: '华东销售一组' }).waitFor();
    await carol.locator('[data-test=conversation-title]', { hasText: '华东销售一组' }).waitFor();
    await carol.locator('[data-test=inbox-item] [data-test=inbox-title]', { hasText: '华东销售一组' }).waitFor();
    await carol.close();
  });

  it('gets a link to share, which the owner copies', async () => {
    const panel = alice.locator('[data-test=join-link]');
    await panel.locator('[data-test=join-link-none]').waitFor();
    await panel.locator('[data-test=join-link-create]').click();
    const url = panel.locator('[data-test=join-link-url]');
    await url.waitFor();
    link = await url.inputValue();
    expect(link).toMatch(new RegExp(`^${app.url}/join/[A-Za-z0-9_-]{22}$`));
    expect(await panel.locator('[data-test=join-link-expiry]').textContent()).toMatch(/^有效期至/);
    await viewportScreenshot(alice, 'runtime-group-settings-drawer');
  });

  it('lets a colleague join from his phone and opens the conversation', async () => {
    const bruce = await app.newPage({ viewport: PHONE, locale: 'en' });
    // Not logged in yet: the link survives the login page.
    await signIn(bruce, BRUCE, new URL(link).pathname);
    await bruce.locator('[data-test=join-title]', { hasText: '华东销售一组' }).waitFor();
    expect(await bruce.locator('[data-test=join-preview]').textContent()).toContain('2 members');
    expect(await pageWidth(bruce)).toBeLessThanOrEqual(PHONE.width);
    await viewportScreenshot(bruce, 'runtime-join-preview-phone-en');
    await bruce.locator('[data-test=join-button]').click();
    await bruce.waitForURL(new RegExp(`/inbox/${ids.groupId}$`));
    await bruce.locator('[data-test=conversation-title]', { hasText: '华东销售一组' }).waitFor();
    await bruce.locator('[data-test=message]', { hasText: '好的' }).waitFor();
    await bruce.emulateMedia({ colorScheme: 'dark' });
    await bruce.locator('[data-test=conversation-back]').click();
    await bruce.locator('[data-test=inbox-item]').first().waitFor();
    await viewportScreenshot(bruce, 'runtime-inbox-phone-dark-en');
    await bruce.emulateMedia({ colorScheme: 'light' });

    // A wrong code, and one not even shaped like a code, both say plainly that the link does not work.
    for (const code of ['AAAAAAAAAAAAAAAAAAAAAA', 'nope']) {
      await bruce.goto(`${app.url}/join/${code}`);
      await bruce.locator('[data-test=join-invalid]', { hasText: 'This link does not work' }).waitFor();
    }
    await viewportScreenshot(bruce, 'runtime-join-invalid-phone-en');
  });

  it('stops working once turned off', async () => {
    const panel = alice.locator('[data-test=join-link]');
    await panel.locator('[data-test=join-link-off]').click();
    await alice.locator('.el-message-box .el-button--danger').click();
    await panel.locator('[data-test=join-link-none]').waitFor();
    const carol = await app.newPage();
    await signIn(carol, CAROL, new URL(link).pathname);
    await carol.locator('[data-test=join-invalid]', { hasText: '链接无效' }).waitFor();
  });
});
