import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE, TEST_ADMIN_PASSWORD, pageWidth, startE2eApp, transitionsDone, viewportScreenshot, type E2eApp } from '../support/index.ts';
import { REVIEWER, SELLER, seed } from './thread-compose.seed.ts';

let app: E2eApp;
let ids: Awaited<ReturnType<typeof seed>>;
let admin: Page;
let seller: Page;

const composer = (page: Page) => page.locator('textarea[data-test=composer]');
const message = (page: Page, text: string) => page.locator('[data-test=message]', { hasText: text });

async function signedIn(login: string, password: string, options: Parameters<E2eApp['newPage']>[0] = {}): Promise<Page> {
  const page = await app.newPage(options);
  await page.context().request.post(`${app.url}/api/v1/auth/login`, { data: { login, password } });
  return page;
}

/** A picture drawn in the page, handed to the composer as a paste or to the thread as a drop, as a person's clipboard or file manager would. */
async function giveImage(page: Page, how: 'paste' | 'drop', name: string, color: string): Promise<void> {
  await page.evaluate(
    async ({ how, name, color }) => {
      const canvas = document.createElement('canvas');
      canvas.width = 160;
      canvas.height = 100;
      const g = canvas.getContext('2d')!;
      g.fillStyle = color;
      g.fillRect(0, 0, 160, 100);
      g.fillStyle = '#fff';
      g.fillRect(20, 20, 60, 60);
      const blob = await new Promise<Blob>((resolve) => canvas.toBlob((b) => resolve(b!), 'image/png'));
      const data = new DataTransfer();
      data.items.add(new File([blob], name, { type: 'image/png' }));
      if (how === 'paste') {
        document.querySelector('textarea[data-test=composer]')!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
      } else {
        const thread = document.querySelector('[data-test=record-thread]')!;
        for (const type of ['dragenter', 'dragover', 'drop']) thread.dispatchEvent(new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }));
      }
    },
    { how, name, color },
  );
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  app = await startE2eApp();
  ids = await seed(app);
  admin = await signedIn('admin', TEST_ADMIN_PASSWORD);
  await admin.goto(`${app.url}/o/deal/${ids.dealId}`);
  seller = await signedIn(SELLER.login, SELLER.password, { locale: 'en' });
  await seller.goto(`${app.url}/o/deal/${ids.dealId}`);
  await seller.locator('[data-test=thread-live]', { hasText: 'Live' }).waitFor();
  await admin.locator('[data-test=thread-live]', { hasText: '实时' }).waitFor();
});
afterAll(() => app?.close());

describe('files in the record’s thread', () => {
  it('uploads a file from the button with its progress, sends it, and the other person downloads it', async () => {
    await admin.locator('[data-test=attach-input]').setInputFiles({ name: '报价单.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n% quotation\n'.repeat(2000)) });
    await admin.locator('[data-test=upload-item][data-status=done]', { hasText: '报价单.pdf' }).waitFor();
    await composer(admin).fill('请看报价单');
    await composer(admin).press('Enter');
    await message(admin, '请看报价单').locator('[data-test=attachment-file]', { hasText: '报价单.pdf' }).waitFor();
    expect(await admin.locator('[data-test=upload-item]').count()).toBe(0);

    const chip = message(seller, '请看报价单').locator('[data-test=attachment-file]', { hasText: '报价单.pdf' });
    await chip.waitFor();
    expect(await chip.textContent()).toMatch(/kB/);
    const href = await chip.getAttribute('href');
    const download = await seller.context().request.get(`${app.url}${href}`);
    expect(download.status()).toBe(200);
    expect((await download.body()).subarray(0, 8).toString()).toBe('%PDF-1.4');
  });

  it('shows the server’s reason for a file it refuses, which may then be removed', async () => {
    await seller.locator('[data-test=attach-input]').setInputFiles({ name: 'setup.exe', mimeType: 'application/x-msdownload', buffer: Buffer.from('MZ') });
    const refused = seller.locator('[data-test=upload-item][data-status=failed]', { hasText: 'setup.exe' });
    await refused.locator('[data-test=upload-error]', { hasText: 'Files of type application/x-msdownload may not be uploaded here' }).waitFor();
    expect(await seller.locator('[data-test=send]').isDisabled()).toBe(true);
    await refused.locator('[data-test=upload-remove]').click();
    expect(await seller.locator('[data-test=upload-item]').count()).toBe(0);

    const settings = await app.api<Record<string, unknown>>('GET', '/api/v1/files/settings');
    await app.api('PUT', '/api/v1/files/settings', { ...settings, maxBytes: 1024 * 1024 });
    try {
      await seller.locator('[data-test=attach-input]').setInputFiles({ name: 'scan.pdf', mimeType: 'application/pdf', buffer: Buffer.alloc(3 * 1024 * 1024, 1) });
      await seller.locator('[data-test=upload-item][data-status=failed]', { hasText: 'scan.pdf' }).locator('[data-test=upload-error]', { hasText: 'The file is larger than' }).waitFor();
      await viewportScreenshot(seller, 'runtime-thread-compose-refused-en-desktop');
      await seller.locator('[data-test=upload-remove]').click();
    } finally {
      await app.api('PUT', '/api/v1/files/settings', settings);
    }
  });

  it('takes a pasted and a dropped image, shows thumbnails that open full size, for both people', async () => {
    await giveImage(admin, 'paste', 'pasted.png', '#3370ff');
    await giveImage(admin, 'drop', 'dropped.png', '#00b42a');
    await admin.locator('[data-test=upload-item][data-status=done]').nth(1).waitFor();
    await viewportScreenshot(admin, 'runtime-thread-compose-uploads-desktop');
    await composer(admin).fill('现场照片');
    await composer(admin).press('Enter');

    const theirs = message(seller, '现场照片').locator('[data-test=attachment-image]');
    await theirs.nth(1).waitFor();
    expect(await theirs.count()).toBe(2);
    await seller.waitForFunction(() => [...document.querySelectorAll('[data-test=attachment-image] img')].every((img) => (img as HTMLImageElement).naturalWidth > 0));
    await theirs.first().click();
    await seller.locator('.el-image-viewer__wrapper').waitFor();
    await seller.waitForFunction(() => (document.querySelector('.el-image-viewer__img') as HTMLImageElement | null)?.naturalWidth === 160);
    await viewportScreenshot(seller, 'runtime-thread-compose-preview-en-desktop');
    await seller.keyboard.press('Escape');
    await seller.locator('.el-image-viewer__wrapper').waitFor({ state: 'detached' });
  });
});

describe('mentions', () => {
  it('picks a person with the keyboard, sends the mention and notifies her', async () => {
    await composer(admin).fill('');
    await composer(admin).pressSequentially('请 @');
    await admin.locator('[data-test=mention-picker]').waitFor();
    await admin.keyboard.press('Escape');
    await admin.locator('[data-test=mention-picker]').waitFor({ state: 'detached' });
    await composer(admin).pressSequentially('zsh');
    const option = admin.locator('[data-test=mention-option]', { hasText: REVIEWER.displayName });
    await option.waitFor();
    await admin.keyboard.press('ArrowDown');
    await admin.keyboard.press('ArrowUp');
    expect(await option.getAttribute('aria-selected')).toBe('true');
    await viewportScreenshot(admin, 'runtime-thread-compose-mention-desktop');
    await admin.keyboard.press('Enter');
    expect(await composer(admin).inputValue()).toBe(`请 @${REVIEWER.displayName} `);
    await composer(admin).pressSequentially('帮忙审核一下');
    await composer(admin).press('Enter');

    const sent = message(seller, '帮忙审核一下');
    await sent.locator('[data-test=mention]', { hasText: `@${REVIEWER.displayName}` }).waitFor();
    const stored = await app.api<{ items: { body: string; mentions: string[] }[] }>('GET', `/api/v1/threads/${ids.threadId}/messages?system=false`);
    expect(stored.items.find((m) => m.body.includes('帮忙审核一下'))?.mentions).toEqual([ids.reviewerId]);

    const { token } = await post<{ token: string }>('/api/v1/auth/login', { login: REVIEWER.login, password: REVIEWER.password });
    const notes = await eventually(
      () => get<{ items: { kind: string; thread: { id: string }; preview: string | null }[] }>('/api/v1/notifications', token),
      (page) => page.items.some((n) => n.kind === 'mention'),
    );
    expect(notes.items.find((n) => n.kind === 'mention')).toMatchObject({ thread: { id: ids.threadId } });
  });
});

describe('editing and recalling one’s own messages', () => {
  it('edits a message in place and the other person sees it edited, live', async () => {
    // While edited, its text is in the editor's field, not in the message: find it by its seq.
    const seq = await message(admin, '请看报价单').getAttribute('data-seq');
    const mine = admin.locator(`[data-test=message][data-seq="${seq}"]`);
    await mine.hover();
    await mine.locator('[data-test=message-menu]').click();
    await admin.locator('.el-dropdown-menu__item:visible', { hasText: '撤回' }).waitFor();
    await viewportScreenshot(admin, 'runtime-thread-compose-menu-desktop');
    await admin.locator('.el-dropdown-menu__item:visible', { hasText: '编辑' }).click();
    const editor = mine.locator('textarea[data-test=message-edit-input]');
    await editor.fill('请看新版报价单');
    await editor.press('Enter');
    await message(admin, '请看新版报价单').locator('.edited').waitFor();
    const seen = message(seller, '请看新版报价单');
    await seen.locator('.edited', { hasText: 'edited' }).waitFor();
    expect(await seen.locator('[data-test=attachment-file]').count()).toBe(1);
  });

  it('recalls a message after confirming, and it turns into “recalled” for the other person, live', async () => {
    const mine = message(admin, '现场照片');
    await mine.hover();
    await mine.locator('[data-test=message-menu]').click();
    // The edit's menu may still be fading out: pick from the menu that is open once nothing moves.
    await transitionsDone(admin);
    await admin.locator('.el-dropdown-menu__item:visible', { hasText: '撤回' }).click();
    await admin.locator('.el-message-box').waitFor();
    await transitionsDone(admin);
    await admin.locator('.el-message-box .el-button--danger').click();
    await seller.locator('[data-test=message] .recalled', { hasText: 'This message was recalled' }).waitFor();
    expect(await message(seller, '现场照片').count()).toBe(0);
    expect(await seller.locator('[data-test=attachment-image]').count()).toBe(0);
  });
});

describe('typing and small screens', () => {
  it('tells the others who is typing', async () => {
    await composer(seller).pressSequentially('Looks good');
    await admin.locator('[data-test=typing]', { hasText: `${SELLER.displayName} 正在输入…` }).waitFor();
    await viewportScreenshot(admin, 'runtime-thread-compose-typing-desktop');
    await composer(seller).press('Enter');
    await message(admin, 'Looks good').waitFor();
    await admin.locator('[data-test=typing]').waitFor({ state: 'detached' });
    await viewportScreenshot(admin, 'runtime-thread-compose-desktop');
  });

  it('fits a phone in English, light and dark: files, mentions and the recalled message without sideways scrolling', async () => {
    const phone = await signedIn(SELLER.login, SELLER.password, { viewport: PHONE, locale: 'en' });
    await phone.goto(`${app.url}/o/deal/${ids.dealId}`);
    await message(phone, 'Looks good').waitFor();
    await phone.locator('[data-test=attach-input]').setInputFiles({ name: 'site-visit-notes.txt', mimeType: 'text/plain', buffer: Buffer.from('notes\n'.repeat(500)) });
    await phone.locator('[data-test=upload-item][data-status=done]').waitFor();
    await composer(phone).pressSequentially('@zsh');
    await phone.locator('[data-test=mention-option]').first().waitFor();
    await message(phone, '帮忙审核一下').scrollIntoViewIfNeeded();
    expect(await pageWidth(phone)).toBeLessThanOrEqual(PHONE.width);
    await viewportScreenshot(phone, 'runtime-thread-compose-en-phone');
    await phone.emulateMedia({ colorScheme: 'dark' });
    await phone.waitForFunction(() => document.documentElement.classList.contains('dark'));
    await viewportScreenshot(phone, 'runtime-thread-compose-dark-en-phone');
  });
});

async function post<T>(path: string, body: unknown): Promise<T> {
  const response = await fetch(app.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function get<T>(path: string, token: string): Promise<T> {
  const response = await fetch(app.url + path, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}
