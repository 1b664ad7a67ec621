import { io as connect } from 'socket.io-client';
import { describe, expect, it } from 'vitest';
import { accessWorld, DEALS, memberPermissions, ok, PASSWORD, type AccessWorld, type Person } from '../access/access-fixture.ts';
import { TEST_ADMIN_PASSWORD } from '../testing/index.ts';
import { servedForSockets, until } from './socket-testing.ts';

let w: AccessWorld;
const served = servedForSockets(async () => (w = await accessWorld()));

/** A connected client of `login`; it is closed after each test. */
const client = (login: Person | 'admin') => served.connect(login, login === 'admin' ? TEST_ADMIN_PASSWORD : PASSWORD);

const threadOf = async (id: string) => ok(await w.admin.get(`${DEALS}/${id}/thread`)).id as string;

describe('connecting', () => {
  it('refuses a connection without a valid token', async () => {
    const socket = connect(served.url(), { auth: { token: 'tbs_not-a-token' }, transports: ['websocket'], reconnection: false });
    served.track(socket);
    const error = await new Promise<Error>((resolve) => socket.once('connect_error', resolve));
    expect(error.message).toMatch(/UNAUTHENTICATED|invalid/i);
  });
});

describe('a record thread live', () => {
  it('lets a reader join and delivers committed messages to everyone in the room, in seq order', async () => {
    const thread = await threadOf(w.deals.bob);
    const ann = await client('ann');
    const mia = await client('mia');
    expect(await ann.call('thread:join', { threadId: thread })).toMatchObject({ ok: true });
    expect(await mia.call('thread:join', { threadId: thread })).toMatchObject({ ok: true });
    for (let i = 0; i < 10; i++) ok(await w.as.bob.post(`/api/v1/threads/${thread}/messages`, { clientId: `live-${i}`, body: `第${i}条` }), 201);
    for (const who of [ann, mia]) {
      const got = await until(() => {
        const messages = who.seen.filter((e) => e.event === 'message:new' && e.data.clientId?.startsWith('live-'));
        return messages.length === 10 ? messages : undefined;
      }, '10 messages');
      const seqs = got.map((e) => e.data.seq);
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect(got.map((e) => e.data.body)).toEqual(Array.from({ length: 10 }, (_, i) => `第${i}条`));
    }
  });

  it('refuses to let someone who cannot read the record join (404, as for a guessed id)', async () => {
    const carl = await client('carl');
    for (const threadId of [await threadOf(w.deals.ann), '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee']) {
      expect(await carl.call('thread:join', { threadId })).toMatchObject({ error: { code: 'THREAD_NOT_FOUND' } });
    }
    expect(await carl.call('typing', { threadId: await threadOf(w.deals.ann) })).toMatchObject({ error: { code: 'THREAD_NOT_FOUND' } });
  });

  it('sends over the socket with an ack carrying the stored message; a resend is the same message', async () => {
    const thread = await threadOf(w.deals.ann);
    const ann = await client('ann');
    const first = await ann.call('message:send', { threadId: thread, clientId: 'sock-1', body: '从手机发的' });
    expect(first).toMatchObject({ created: true, message: { body: '从手机发的', authorId: w.users.ann } });
    const again = await ann.call('message:send', { threadId: thread, clientId: 'sock-1', body: '从手机发的' });
    expect(again).toMatchObject({ created: false, message: { id: first.message.id } });
  });

  it('answers a malformed payload with a clear error and keeps the connection', async () => {
    const ann = await client('ann');
    expect(await ann.call('message:send', { threadId: 'nope', body: 42 })).toMatchObject({ error: { code: 'FAILED_VALIDATION' } });
    expect(await ann.call('thread:join', null)).toMatchObject({ error: { code: 'FAILED_VALIDATION' } });
    expect(ann.socket.connected).toBe(true);
  });

  it('shows typing to the others in the room only', async () => {
    const thread = await threadOf(w.deals.ann);
    const ann = await client('ann');
    const bob = await client('bob');
    await ann.call('thread:join', { threadId: thread });
    await bob.call('thread:join', { threadId: thread });
    expect(await ann.call('typing', { threadId: thread })).toEqual({ ok: true });
    await until(() => bob.seen.find((e) => e.event === 'typing' && e.data.userId === w.users.ann), 'typing');
    expect(ann.seen.some((e) => e.event === 'typing')).toBe(false);
  });

  it('updates read receipts live in the room', async () => {
    const thread = await threadOf(w.deals.ann);
    const ann = await client('ann');
    await ann.call('thread:join', { threadId: thread });
    const sent = ok(await w.as.ann.post(`/api/v1/threads/${thread}/messages`, { clientId: 'receipt-1', body: '看到请回复' }), 201);
    ok(await w.as.bob.post(`/api/v1/threads/${thread}/read`, { seq: sent.seq }));
    await until(() => ann.seen.find((e) => e.event === 'receipt' && e.data.userId === w.users.bob && e.data.seq === sent.seq), 'receipt');
  });

  it('nudges the inboxes of a conversation\'s members', async () => {
    const dm = ok(await w.as.dan.post('/api/v1/threads/direct', { userId: w.users.carl }));
    const carl = await client('carl');
    ok(await w.as.dan.post(`/api/v1/threads/${dm.id}/messages`, { clientId: 'nudge-1', body: 'hi' }), 201);
    await until(() => carl.seen.find((e) => e.event === 'inbox:changed' && e.data.threadId === dm.id), 'inbox nudge');
  });

  it('puts a new group in its members\' inboxes at once, and a conversation in the inbox of someone added later', async () => {
    const carl = await client('carl');
    const group = ok(await w.as.dan.post('/api/v1/threads', { kind: 'group', title: '新项目组', memberIds: [w.users.carl] }), 201);
    await until(() => carl.seen.find((e) => e.event === 'inbox:changed' && e.data.threadId === group.id && e.data.seq === 0), 'nudge on creation');
    ok(await w.as.dan.post(`/api/v1/threads/${group.id}/messages`, { clientId: 'added-1', body: '欢迎' }), 201);
    const mia = await client('mia');
    ok(await w.as.dan.post(`/api/v1/threads/${group.id}/members`, { userIds: [w.users.mia, w.users.carl] }));
    await until(() => mia.seen.find((e) => e.event === 'inbox:changed' && e.data.threadId === group.id && e.data.seq === 1), 'nudge on being added');
    // Carl was a member already: adding him again tells him nothing new.
    const forCarl = carl.seen.filter((e) => e.event === 'inbox:changed' && e.data.threadId === group.id);
    expect(forCarl.map((e) => e.data.seq)).toEqual([0, 1]);
  });

  it("tells a conversation's members when its title, roles or members change, so their screens read it again", async () => {
    const group = ok(await w.as.dan.post('/api/v1/threads', { kind: 'group', title: '改名前', memberIds: [w.users.carl, w.users.mia] }), 201);
    const carl = await client('carl');
    const ann = await client('ann');
    const updates = () => carl.seen.filter((e) => e.event === 'thread:updated' && e.data.threadId === group.id).length;
    ok(await w.as.dan.patch(`/api/v1/threads/${group.id}`, { title: '改名后' }));
    await until(() => updates() === 1 || undefined, 'told of the new title');
    ok(await w.as.dan.request('PUT', `/api/v1/threads/${group.id}/members/${w.users.mia}`, { body: { role: 'admin' } }));
    await until(() => updates() === 2 || undefined, 'told of the new role');
    ok(await w.as.dan.request('DELETE', `/api/v1/threads/${group.id}/members/${w.users.mia}`), 204);
    await until(() => updates() === 3 || undefined, 'told of the member gone');
    expect(ann.seen.some((e) => e.event === 'thread:updated' && e.data.threadId === group.id)).toBe(false);
  });

  it('spares the nudge to a member\'s socket that is in the thread\'s room: its message:new says more', async () => {
    const dm = ok(await w.as.dan.post('/api/v1/threads/direct', { userId: w.users.ann }));
    const inRoom = await client('ann');
    const elsewhere = await client('ann');
    expect(await inRoom.call('thread:join', { threadId: dm.id })).toMatchObject({ ok: true });
    const sent = ok(await w.as.dan.post(`/api/v1/threads/${dm.id}/messages`, { clientId: 'nudge-2', body: 'hi' }), 201);
    await until(() => elsewhere.seen.find((e) => e.event === 'inbox:changed' && e.data.threadId === dm.id && e.data.seq === sent.seq), 'inbox nudge');
    await until(() => inRoom.seen.find((e) => e.event === 'message:new' && e.data.id === sent.id), 'the message');
    expect(inRoom.seen.some((e) => e.event === 'inbox:changed' && e.data.threadId === dm.id)).toBe(false);
    expect(elsewhere.seen.some((e) => e.event === 'message:new' && e.data.threadId === dm.id)).toBe(false);
  });
});

describe('losing access while connected', () => {
  it('an unshared record\'s thread: removed from the room at once, nothing more delivered', async () => {
    const thread = await threadOf(w.deals.carl);
    const share = ok(await w.as.carl.post(`${DEALS}/${w.deals.carl}/shares`, { grantee: { kind: 'user', id: w.users.ann } }), 201);
    const ann = await client('ann');
    expect(await ann.call('thread:join', { threadId: thread })).toMatchObject({ ok: true });
    ok(await w.as.carl.delete(`${DEALS}/${w.deals.carl}/shares/${share.id}`), 204);
    await until(() => ann.seen.find((e) => e.event === 'thread:removed' && e.data.threadId === thread), 'removal');
    ok(await w.as.carl.post(`/api/v1/threads/${thread}/messages`, { clientId: 'after-unshare', body: 'secret' }), 201);
    await new Promise((r) => setTimeout(r, 300));
    expect(ann.seen.some((e) => e.event === 'message:new' && e.data.body === 'secret')).toBe(false);
  });

  it('removed from a group: out of the room at once', async () => {
    const group = ok(await w.as.mia.post('/api/v1/threads', { title: 'kick', memberIds: [w.users.dan] }), 201);
    const dan = await client('dan');
    expect(await dan.call('thread:join', { threadId: group.id })).toMatchObject({ ok: true });
    ok(await w.as.mia.delete(`/api/v1/threads/${group.id}/members/${w.users.dan}`), 204);
    await until(() => dan.seen.find((e) => e.event === 'thread:removed' && e.data.threadId === group.id), 'removal');
  });

  it('a role tightened: every socket leaves the rooms it may no longer read', async () => {
    const thread = await threadOf(w.deals.bob);
    const ann = await client('ann');
    expect(await ann.call('thread:join', { threadId: thread })).toMatchObject({ ok: true });
    ok(await w.admin.patch(`/api/v1/access/roles/${w.roles.member}`, { permissions: memberPermissions('own') }));
    try {
      await until(() => ann.seen.find((e) => e.event === 'thread:removed' && e.data.threadId === thread), 'removal');
    } finally {
      ok(await w.admin.patch(`/api/v1/access/roles/${w.roles.member}`, { permissions: memberPermissions() }));
    }
  });
});

describe('changes after sending, live', () => {
  it('tells the room of edits, reactions, pins and recalls, with the message as it now is', async () => {
    const thread = await threadOf(w.deals.ann);
    const bob = await client('bob');
    await bob.call('thread:join', { threadId: thread });
    const sent = ok(await w.as.ann.post(`/api/v1/threads/${thread}/messages`, { clientId: 'live-edit', body: '报价 100 万' }), 201);
    const path = `/api/v1/threads/${thread}/messages/${sent.id}`;
    const change = (kind: string) => until(() => bob.seen.find((e) => e.event === 'message:updated' && e.data.change === kind && e.data.message.id === sent.id)?.data.message, kind);
    ok(await w.as.ann.patch(path, { body: '报价 120 万' }));
    expect(await change('edited')).toMatchObject({ body: '报价 120 万', seq: sent.seq });
    ok(await w.as.mia.request('PUT', `${path}/reactions/${encodeURIComponent('👍')}`));
    expect((await change('reaction')).reactions).toEqual([{ emoji: '👍', count: 1, userIds: [w.users.mia] }]);
    ok(await w.as.ann.request('PUT', `/api/v1/threads/${thread}/pins/${sent.id}`), 204);
    expect((await change('pinned')).pinned).toBe(true);
    ok(await w.as.ann.post(`${path}/recall`));
    expect(await change('recalled')).toMatchObject({ body: '', recalled: true, reactions: [] });
  });

  it('carries record links without titles to the room: each reader fetches the card she may see', async () => {
    const thread = await threadOf(w.deals.ann);
    const bob = await client('bob');
    await bob.call('thread:join', { threadId: thread });
    ok(await w.as.ann.post(`/api/v1/threads/${thread}/messages`, { clientId: 'live-link', body: 'see', links: [{ object: 'deal', recordId: w.deals.mia }] }), 201);
    const live = await until(() => bob.seen.find((e) => e.event === 'message:new' && e.data.clientId === 'live-link')?.data, 'linked message');
    expect(live.links).toEqual([{ object: 'deal', recordId: w.deals.mia, title: null, readable: null }]);
  });

  it('tells the sockets watching an object that its records changed (never which or how), a burst in few nudges', async () => {
    const bob = await client('bob');
    expect(await bob.call('object:watch', { object: 'deal' })).toEqual({ ok: true });
    const nudges = () => bob.seen.filter((e) => e.event === 'records:changed');
    const created = ok(await w.as.ann.post(DEALS, { title: '看板实时' }), 201);
    await until(() => nudges().length === 1 || undefined, 'nudge on create');
    expect(nudges()[0]!.data).toEqual({ object: 'deal' });
    for (let i = 0; i < 5; i++) ok(await w.as.ann.patch(`${DEALS}/${created.id}`, { title: `看板实时 ${i}` }));
    ok(await w.as.ann.request('DELETE', `${DEALS}/${created.id}`), 204);
    // The last change is always told, after the others were folded together.
    await until(() => bob.seen.find((e, i) => e.event === 'records:changed' && i > bob.seen.indexOf(nudges()[0]!)), 'nudge after the burst');
    expect(nudges().length).toBeLessThan(7);
    expect(await bob.call('object:unwatch', { object: 'deal' })).toEqual({ ok: true });
  });

  it('refuses to watch an object that does not exist or that the person may not read', async () => {
    const carl = await client('carl');
    expect(await carl.call('object:watch', { object: 'nothing_here' })).toMatchObject({ error: { code: 'OBJECT_NOT_FOUND' } });
    expect(await carl.call('object:watch', { object: 'Bad Name!' })).toMatchObject({ error: { code: 'FAILED_VALIDATION' } });
    ok(await w.admin.patch(`/api/v1/access/roles/${w.roles.member}`, { permissions: memberPermissions().filter((p) => p.object !== '*') }));
    try {
      expect(await carl.call('object:watch', { object: 'customer' })).toMatchObject({ error: { code: 'OBJECT_ACCESS_DENIED' } });
    } finally {
      ok(await w.admin.patch(`/api/v1/access/roles/${w.roles.member}`, { permissions: memberPermissions() }));
    }
  });

  it('tells the room that the record changed, and reminds the unread of an announcement', async () => {
    const thread = await threadOf(w.deals.ann);
    const bob = await client('bob');
    await bob.call('thread:join', { threadId: thread });
    ok(await w.as.ann.patch(`${DEALS}/${w.deals.ann}`, { title: 'renamed live' }));
    await until(() => bob.seen.find((e) => e.event === 'record:changed' && e.data.recordId === w.deals.ann), 'record:changed');
    const channel = ok(await w.as.ann.post('/api/v1/threads', { kind: 'announcement', title: '公告', memberIds: [w.users.bob] }), 201).id;
    const notice = ok(await w.as.ann.post(`/api/v1/threads/${channel}/messages`, { clientId: 'notice', body: '放假通知' }), 201);
    ok(await w.as.ann.post(`/api/v1/threads/${channel}/messages/${notice.id}/remind`));
    await until(() => bob.seen.find((e) => e.event === 'reminder' && e.data.messageId === notice.id), 'reminder');
  });
});
