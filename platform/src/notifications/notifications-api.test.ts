import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessWorld, ok, PASSWORD, type AccessWorld } from '../access/access-fixture.ts';
import { systemCtx } from '../core/context.ts';
import type { Notification } from '../contracts/index.ts';
import { serveHttp, type RunningServer } from '../server.ts';
import { apiClient } from '../testing/index.ts';
import { notificationHelpers } from './notifications-fixture.ts';

/** The sales organisation of the access tests (see access-fixture.ts); here about reading, the badge and the API. */
let w: AccessWorld;
let server: RunningServer;
beforeAll(async () => {
  w = await accessWorld();
  server = await serveHttp(w.t.platform, { port: 0, host: '127.0.0.1', spas: false });
}, 120_000);
afterAll(async () => {
  await server.close();
  await w.t.close();
});

const { settle, send, group, direct, notifications, badge, stored } = notificationHelpers(() => w);
const GUESSED = '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee';
const readAll = async (client = w.as.bob) => ok(await client.post('/api/v1/notifications/read', { all: true }));

describe('reading', () => {
  it('reading a thread reads its notifications up to the read mark; what comes after notifies anew', async () => {
    const dm = await direct(w.as.ann, w.users.bob);
    const first = await send(w.as.ann, dm, '一');
    const second = await send(w.as.ann, dm, '二');
    const before = await badge(w.as.bob);
    ok(await w.as.bob.post(`/api/v1/threads/${dm}/read`, { seq: first.seq }));
    await settle();
    expect((await notifications(w.as.bob, dm)).map((n) => [n.count, n.read])).toEqual([[2, false]]);
    ok(await w.as.bob.post(`/api/v1/threads/${dm}/read`, { seq: second.seq }));
    await settle();
    expect((await notifications(w.as.bob, dm)).map((n) => [n.count, n.read])).toEqual([[2, true]]);
    expect(await badge(w.as.bob)).toBe(before - 1);
    const third = await send(w.as.ann, dm, '三');
    expect((await notifications(w.as.bob, dm)).map((n) => [n.count, n.firstSeq, n.read])).toEqual([
      [1, third.seq, false],
      [2, first.seq, true],
    ]);
  });

  it('sending in a thread reads what she had unread there', async () => {
    const g = await group(w.as.mia, [w.users.ann, w.users.bob]);
    await send(w.as.ann, g, '周报交了吗');
    expect((await notifications(w.as.bob, g)).map((n) => n.read)).toEqual([false]);
    await send(w.as.bob, g, '交了');
    expect((await notifications(w.as.bob, g)).map((n) => n.read)).toEqual([true]);
  });

  it('marks read the notifications named, or all, and answers the badge after', async () => {
    await readAll();
    const threads = [await group(w.as.mia, [w.users.bob]), await group(w.as.mia, [w.users.bob]), await group(w.as.mia, [w.users.bob])];
    for (const g of threads) await send(w.as.mia, g, '请查收');
    expect(await badge(w.as.bob)).toBe(3);
    const [newest] = await notifications(w.as.bob, threads[2]);
    expect(ok(await w.as.bob.post('/api/v1/notifications/read', { ids: [newest!.id, newest!.id] }))).toEqual({ unread: 2 });
    expect((await notifications(w.as.bob, threads[2]))[0]!.read).toBe(true);
    expect(await readAll()).toEqual({ unread: 0 });
    expect(await badge(w.as.bob)).toBe(0);
    expect(ok(await w.as.bob.get('/api/v1/notifications?unread=true')).items).toEqual([]);
  });

  it("refuses another person's notification ids, marking nothing, in the caller's language", async () => {
    const toBob = await direct(w.as.dan, w.users.bob);
    const toDan = await direct(w.as.mia, w.users.dan);
    await send(w.as.dan, toBob, '私信');
    await send(w.as.mia, toDan, '私信');
    const [bobs] = await notifications(w.as.bob, toBob);
    const [dans] = await notifications(w.as.dan, toDan);
    for (const ids of [[bobs!.id], [dans!.id, bobs!.id], [GUESSED]]) {
      const res = await w.as.dan.post('/api/v1/notifications/read', { ids });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'NOTIFICATION_NOT_FOUND', message: '其中 1 条通知不存在或不属于你，未标记任何通知为已读。' });
    }
    expect((await notifications(w.as.bob, toBob))[0]!.read).toBe(false);
    expect((await notifications(w.as.dan, toDan))[0]!.read).toBe(false);
    ok(await w.as.carl.patch('/api/v1/me', { locale: 'en' }));
    const english = await w.as.carl.post('/api/v1/notifications/read', { ids: [bobs!.id] });
    expect(english.body.error.message).toBe('1 of these notifications do not exist or are not yours; none was marked read.');
  });
});

describe('the list', () => {
  it('comes newest first, page by page with a cursor, and unread only on request', async () => {
    await readAll();
    const threads: string[] = [];
    for (let i = 0; i < 5; i++) {
      threads.push(await group(w.as.mia, [w.users.bob]));
      await send(w.as.mia, threads.at(-1)!, `第 ${i} 条`);
    }
    const seen: Notification[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Notification[]; nextCursor: string | null } = ok(await w.as.bob.get(`/api/v1/notifications?limit=2${cursor ? `&cursor=${cursor}` : ''}`));
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.map((n) => n.id)).toEqual((await notifications(w.as.bob)).map((n) => n.id));
    expect(seen.map((n) => n.thread.id).filter((id) => threads.includes(id))).toEqual(threads.toReversed());
    const [oldest] = await notifications(w.as.bob, threads[0]);
    ok(await w.as.bob.post('/api/v1/notifications/read', { ids: [oldest!.id] }));
    const unread = ok(await w.as.bob.get('/api/v1/notifications?unread=true&limit=100')).items.map((n: { thread: { id: string } }) => n.thread.id);
    expect(unread).toEqual(threads.slice(1).toReversed());
  });

  it('cuts a long message to 100 characters in the preview', async () => {
    const dm = await direct(w.as.mia, w.users.bob);
    await send(w.as.mia, dm, '长'.repeat(150));
    expect((await notifications(w.as.bob, dm))[0]!.preview!.text).toBe(`${'长'.repeat(100)}…`);
  });
});

describe('delivery', () => {
  it('counts a redelivered event once, also after its notification was read', async () => {
    const g = await group(w.as.mia, [w.users.ann, w.users.bob]);
    await send(w.as.ann, g, '一');
    await send(w.as.ann, g, '@bob 二', { mentions: { users: [w.users.bob] } });
    await send(w.as.ann, g, '三');
    const [digest] = (await notifications(w.as.bob, g)).filter((n) => n.kind === 'message');
    ok(await w.as.bob.post('/api/v1/notifications/read', { ids: [digest!.id] }));
    const before = { bob: await stored(w.users.bob, g), mia: await stored(w.users.mia, g) };
    expect(before.mia.map((n) => n.count)).toEqual([3]);
    const ctx = systemCtx(w.t.platform, w.t.platform.workspaces.list()[0]!);
    const events = ctx.db.selectFrom('outbox_events').select('id').where('aggregate_type', '=', 'thread').where('aggregate_id', '=', g);
    await ctx.db.updateTable('outbox_deliveries').set({ status: 'pending', next_attempt_at: new Date() }).where('consumer', '=', 'notifications').where('event_id', 'in', events).execute();
    w.t.platform.outbox.wake(ctx.workspace.schemas.system);
    await settle();
    expect({ bob: await stored(w.users.bob, g), mia: await stored(w.users.mia, g) }).toEqual(before);
    expect(await ctx.db.selectFrom('outbox_deliveries').select(['status', 'last_error']).where('consumer', '=', 'notifications').where('status', '<>', 'done').execute()).toEqual([]);
  });

  it("tells the person's open sessions the new unread count", async () => {
    await readAll();
    await settle();
    const login = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.66.0.1' }, body: JSON.stringify({ login: 'bob', password: PASSWORD }) });
    const socket: Socket = connect(server.url, { auth: { token: ((await login.json()) as { token: string }).token }, transports: ['websocket'], reconnection: false });
    const heard: number[] = [];
    socket.on('notification', (data: { unread: number }) => heard.push(data.unread));
    try {
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
      await send(w.as.ann, await direct(w.as.ann, w.users.bob), '在线吗');
      await expect.poll(() => heard).toEqual([1]);
      await readAll();
      await settle();
      await expect.poll(() => heard).toEqual([1, 0]);
    } finally {
      socket.disconnect();
    }
  });
});

describe('bad input', () => {
  it('is refused with a code, changing nothing', async () => {
    const g = await group(w.as.mia, [w.users.bob]);
    const cases: [Promise<{ status: number; body: any }>, number, string][] = [
      [w.as.bob.request('PUT', `/api/v1/threads/${g}/notifications`, { body: { level: 'loud' } }), 400, 'FAILED_VALIDATION'],
      [w.as.bob.request('PUT', `/api/v1/threads/${g}/notifications`, { body: {} }), 400, 'FAILED_VALIDATION'],
      [w.as.bob.request('PUT', `/api/v1/threads/${GUESSED}/notifications`, { body: { level: 'none' } }), 404, 'THREAD_NOT_FOUND'],
      [w.as.bob.request('PUT', '/api/v1/threads/not-an-id/notifications', { body: { level: 'none' } }), 400, 'FAILED_VALIDATION'],
      [w.as.bob.post('/api/v1/notifications/read', {}), 400, 'FAILED_VALIDATION'],
      [w.as.bob.post('/api/v1/notifications/read', { ids: [] }), 400, 'FAILED_VALIDATION'],
      [w.as.bob.post('/api/v1/notifications/read', { ids: ['nope'] }), 400, 'FAILED_VALIDATION'],
      [w.as.bob.post('/api/v1/notifications/read', { all: false }), 400, 'FAILED_VALIDATION'],
      [w.as.bob.post('/api/v1/notifications/read', { ids: [GUESSED], all: true }), 400, 'FAILED_VALIDATION'],
      [w.as.bob.get('/api/v1/notifications?limit=0'), 400, 'FAILED_VALIDATION'],
      [w.as.bob.get('/api/v1/notifications?limit=101'), 400, 'FAILED_VALIDATION'],
      [w.as.bob.get('/api/v1/notifications?cursor=garbage'), 400, 'INVALID_CURSOR'],
      [w.as.bob.get(`/api/v1/notifications?cursor=${Buffer.from(JSON.stringify(['yesterday', GUESSED])).toString('base64url')}`), 400, 'INVALID_CURSOR'],
      [apiClient(w.t.app).get('/api/v1/notifications/badge'), 401, 'UNAUTHENTICATED'],
    ];
    for (const [call, status, code] of cases) {
      const res = await call;
      expect([res.status, res.body.error.code], JSON.stringify(res.body)).toEqual([status, code]);
    }
    expect(ok(await w.as.bob.get(`/api/v1/threads/${g}/notifications`)).level).toBe('all');
  });
});
