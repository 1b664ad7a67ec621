import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessWorld, DEALS, ok, type AccessWorld } from '../access/access-fixture.ts';
import { systemCtx } from '../core/context.ts';

/** The sales organisation of the access tests: members never see `margin`; carl (West) cannot read East's deals. */
let w: AccessWorld;
beforeAll(async () => {
  w = await accessWorld();
}, 120_000);
afterAll(() => w.t.close());

const threadOf = async (client = w.admin, id = w.deals.ann) => ok(await client.get(`${DEALS}/${id}/thread`));
const messages = (id: string, query = '') => `/api/v1/threads/${id}/messages${query}`;
const GUESSED = '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee';

describe('the thread of a record', () => {
  it('is opened with the record: its creator follows it and "created" is its first message', async () => {
    const id = ok(await w.as.ann.post(DEALS, { title: 'with a thread', amount: '10' }), 201).id;
    const thread = await threadOf(w.as.ann, id);
    expect(thread).toMatchObject({ kind: 'record', object: 'deal', recordId: id, following: true, members: [{ userId: w.users.ann, role: 'follower' }] });
    expect(thread.lastMessage).toMatchObject({ kind: 'system', seq: 1, payload: { event: 'record.created', recordId: id } });
  });

  it('tells tracked field changes, old → new, to readers who may read the field; others do not see them', async () => {
    ok(await w.admin.patch(`${DEALS}/${w.deals.bob}`, { title: 'renamed deal' }));
    const thread = await threadOf(w.admin, w.deals.bob);
    const forMia = ok(await w.as.mia.get(messages(thread.id, '?after=0'))).items;
    expect(forMia.map((m: { payload: { event: string } }) => m.payload.event)).toEqual(['record.created', 'record.changed', 'record.changed']);
    expect(forMia[1].payload.changes).toEqual([{ field: 'margin', old: null, new: '250.00' }]);
    expect(forMia[2].payload.changes).toEqual([{ field: 'title', old: "bob's deal", new: 'renamed deal' }]);
    const forAnn = ok(await w.as.ann.get(messages(thread.id, '?after=0'))).items;
    expect(forAnn.map((m: { seq: number }) => m.seq)).toEqual([1, 3]);
    expect(JSON.stringify(forAnn)).not.toContain('margin');
    expect(ok(await w.as.ann.get(`/api/v1/threads/${thread.id}`)).lastMessage.payload.changes).toEqual([{ field: 'title', old: "bob's deal", new: 'renamed deal' }]);
  });

  it('is readable exactly by the record\'s readers: anyone else gets 404 on every call, as for a guessed id', async () => {
    const thread = await threadOf();
    for (const id of [thread.id, GUESSED]) {
      for (const res of [
        await w.as.carl.get(`/api/v1/threads/${id}`),
        await w.as.carl.get(messages(id)),
        await w.as.carl.post(messages(id), { clientId: 'c1', body: 'hi' }),
        await w.as.carl.post(`/api/v1/threads/${id}/read`, { seq: 1 }),
        await w.as.carl.request('PUT', `/api/v1/threads/${id}/follow`),
      ]) {
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe('THREAD_NOT_FOUND');
      }
    }
    expect((await w.as.carl.get(`${DEALS}/${w.deals.ann}/thread`)).status).toBe(404);
    const share = ok(await w.as.ann.post(`${DEALS}/${w.deals.ann}/shares`, { grantee: { kind: 'user', id: w.users.carl } }), 201);
    expect((await w.as.carl.get(messages(thread.id))).status).toBe(200);
    ok(await w.as.ann.delete(`${DEALS}/${w.deals.ann}/shares/${share.id}`), 204);
    expect((await w.as.carl.get(messages(thread.id))).status).toBe(404);
  });

  it('goes with the record when it is deleted', async () => {
    const id = ok(await w.as.ann.post(DEALS, { title: 'short-lived' }), 201).id;
    const thread = await threadOf(w.as.ann, id);
    ok(await w.as.ann.delete(`${DEALS}/${id}`), 204);
    expect((await w.admin.get(`/api/v1/threads/${thread.id}`)).status).toBe(404);
  });
});

describe('sending messages', () => {
  it('numbers messages per thread and lets a client catch up after its last seq, in order, nothing twice', async () => {
    const thread = await threadOf();
    const first = ok(await w.as.bob.post(messages(thread.id), { clientId: 'bob-1', body: '客户说下周签约' }), 201);
    const second = ok(await w.as.ann.post(messages(thread.id), { clientId: 'ann-1', body: '好的，我跟进', replyTo: first.id }), 201);
    expect(second.seq).toBe(first.seq + 1);
    expect(ok(await w.as.bob.get(messages(thread.id, `?after=${first.seq - 1}`))).items.map((m: { body: string }) => m.body)).toEqual(['客户说下周签约', '好的，我跟进']);
    const back = ok(await w.as.bob.get(messages(thread.id, `?before=${second.seq}&limit=1`)));
    expect(back).toMatchObject({ items: [{ id: first.id }], hasMore: true });
    expect(ok(await w.as.bob.get(messages(thread.id, '?after=0&system=false'))).items.every((m: { kind: string }) => m.kind === 'user')).toBe(true);
  });

  it('stores a message once whatever the number of resends with the same clientId, even at the same moment', async () => {
    const thread = await threadOf();
    const sends = await Promise.all(Array.from({ length: 5 }, () => w.as.bob.post(messages(thread.id), { clientId: 'bob-retry', body: 'once' })));
    expect(sends.map((s) => s.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(sends.map((s) => s.body.id)).size).toBe(1);
    const stored = await systemCtx(w.t.platform, w.t.platform.workspaces.list()[0]!).db.selectFrom('messages').select('id').where('client_id', '=', 'bob-retry').execute();
    expect(stored).toHaveLength(1);
  });

  it('gives concurrent senders distinct, gap-free seqs, each with its outbox event', async () => {
    const thread = await threadOf();
    const before = ok(await w.admin.get(`/api/v1/threads/${thread.id}`)).lastSeq;
    const sent = await Promise.all(Array.from({ length: 20 }, (_, i) => w.as.ann.post(messages(thread.id), { clientId: `burst-${i}`, body: `#${i}` })));
    const seqs = sent.map((s) => ok(s, 201).seq).sort((a: number, b: number) => a - b);
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => before + 1 + i));
    const ctx = systemCtx(w.t.platform, w.t.platform.workspaces.list()[0]!);
    const events = await ctx.db.selectFrom('outbox_events').select('payload').where('aggregate_type', '=', 'thread').where('aggregate_id', '=', thread.id).execute();
    expect(events.filter((e) => (e.payload as { seq: number }).seq > before)).toHaveLength(20);
  });

  it('writes messages sent together in one thread together, each author read up to her own, a resend among them stored once', async () => {
    const thread = await threadOf();
    const first = ok(await w.as.ann.post(messages(thread.id), { clientId: 'together-0', body: 'first' }), 201);
    const people = [w.as.ann, w.as.bob, w.as.mia];
    const sent = await Promise.all([
      ...Array.from({ length: 30 }, (_, i) => people[i % 3]!.post(messages(thread.id), { clientId: `together-${i + 1}`, body: `#${i + 1}` })),
      w.as.ann.post(messages(thread.id), { clientId: 'together-0', body: 'first' }),
    ]);
    expect(sent.at(-1)).toMatchObject({ status: 200, body: { id: first.id, seq: first.seq } });
    const seqs = sent.slice(0, 30).map((s) => ok(s, 201).seq as number);
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => first.seq + 1 + i));
    for (const [i, client] of people.entries()) {
      const own = Math.max(...seqs.filter((_, k) => k % 3 === i));
      expect(ok(await client.get(`/api/v1/threads/${thread.id}`)).lastReadSeq).toBeGreaterThanOrEqual(own);
    }
    const stored = ok(await w.admin.get(messages(thread.id, `?after=${first.seq - 1}&limit=100`))).items;
    expect(stored.map((m: { clientId: string }) => m.clientId).filter((c: string) => c?.startsWith('together-'))).toHaveLength(31);
  });

  it('refuses a reply to a message of another thread, an empty body and an oversized one', async () => {
    const thread = await threadOf();
    const other = await threadOf(w.admin, w.deals.bob);
    const foreign = ok(await w.admin.get(messages(other.id, '?after=0&limit=1'))).items[0];
    const reply = await w.as.ann.post(messages(thread.id), { clientId: 'x1', body: 'hi', replyTo: foreign.id });
    expect(reply.status).toBe(422);
    expect(reply.body.error.code).toBe('REPLY_NOT_FOUND');
    const empty = await w.as.ann.post(messages(thread.id), { clientId: 'x2', body: '  ' });
    expect([empty.status, empty.body.error.code]).toEqual([422, 'MESSAGE_EMPTY']);
    expect((await w.as.ann.post(messages(thread.id), { clientId: 'x3', body: 'x'.repeat(10_001) })).status).toBe(400);
  });
});

describe('mentions', () => {
  it('resolves @people and @departments (with those below) to people, who then follow the record', async () => {
    const thread = await threadOf();
    const sent = ok(await w.as.ann.post(messages(thread.id), { clientId: 'm-1', body: '@mia @East-North 请看', mentions: { users: [w.users.mia], departments: [w.departments.eastNorth] } }), 201);
    expect(sent.mentions.sort()).toEqual([w.users.mia, w.users.dan].sort());
    const followers = ok(await w.as.mia.get(`/api/v1/threads/${thread.id}`)).members.map((m: { userId: string }) => m.userId);
    expect(followers).toEqual(expect.arrayContaining([w.users.mia, w.users.dan]));
  });

  it('@all is for the owner of a group, not for its members nor on a record; an unknown person is 422', async () => {
    const group = ok(await w.as.mia.post('/api/v1/threads', { title: '全员', memberIds: [w.users.ann, w.users.bob] }), 201);
    expect(ok(await w.as.mia.post(messages(group.id), { clientId: 'all-1', body: '@所有人', mentions: { all: true } }), 201).mentions).toHaveLength(3);
    expect((await w.as.ann.post(messages(group.id), { clientId: 'all-2', body: '@所有人', mentions: { all: true } })).status).toBe(403);
    expect((await w.as.ann.post(messages((await threadOf()).id), { clientId: 'all-3', body: '@所有人', mentions: { all: true } })).status).toBe(403);
    expect((await w.as.ann.post(messages(group.id), { clientId: 'all-4', body: '@?', mentions: { users: [GUESSED] } })).status).toBe(422);
  });
});

describe('direct messages, groups and announcements', () => {
  it('two people have one direct thread, which nobody else can read', async () => {
    const a = ok(await w.as.ann.post('/api/v1/threads/direct', { userId: w.users.bob }));
    const b = ok(await w.as.bob.post('/api/v1/threads/direct', { userId: w.users.ann }));
    expect(b.id).toBe(a.id);
    expect(a.members.map((m: { userId: string }) => m.userId).sort()).toEqual([w.users.ann, w.users.bob].sort());
    ok(await w.as.bob.post(messages(a.id), { clientId: 'dm-1', body: '在吗？' }), 201);
    expect((await w.as.carl.get(messages(a.id))).status).toBe(404);
    expect((await w.admin.get(messages(a.id))).status).toBe(404);
    expect((await w.as.ann.post('/api/v1/threads/direct', { userId: GUESSED })).status).toBe(422);
  });

  it('in a group everyone posts; in an announcement channel only its publisher', async () => {
    const group = ok(await w.as.mia.post('/api/v1/threads', { title: '华东销售群', memberIds: [w.users.ann, w.users.bob] }), 201);
    expect(group.members).toEqual([{ userId: w.users.mia, role: 'owner' }, { userId: w.users.ann, role: 'member' }, { userId: w.users.bob, role: 'member' }]);
    ok(await w.as.ann.post(messages(group.id), { clientId: 'g-1', body: '大家好' }), 201);
    expect((await w.as.carl.get(`/api/v1/threads/${group.id}`)).status).toBe(404);
    const news = ok(await w.as.mia.post('/api/v1/threads', { kind: 'announcement', title: '通知', memberIds: [w.users.ann] }), 201);
    const refused = await w.as.ann.post(messages(news.id), { clientId: 'n-1', body: 'me too' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('THREAD_READ_ONLY');
    ok(await w.as.mia.post(messages(news.id), { clientId: 'n-2', body: '周五开会' }), 201);
    expect(ok(await w.as.ann.get(messages(news.id))).items[0].body).toBe('周五开会');
  });
});

describe('members', () => {
  it('the owner adds and removes people; anyone but the owner may leave; members may not add', async () => {
    const group = ok(await w.as.mia.post('/api/v1/threads', { title: '项目组', memberIds: [w.users.ann, w.users.bob] }), 201);
    expect((await w.as.carl.get(`/api/v1/threads/${group.id}`)).status).toBe(404);
    const added = ok(await w.as.mia.post(`/api/v1/threads/${group.id}/members`, { userIds: [w.users.carl] }));
    expect(added.members.map((m: { userId: string }) => m.userId)).toContain(w.users.carl);
    expect((await w.as.carl.get(messages(group.id))).status).toBe(200);
    expect((await w.as.ann.post(`/api/v1/threads/${group.id}/members`, { userIds: [w.users.dan] })).status).toBe(403);
    expect((await w.as.ann.delete(`/api/v1/threads/${group.id}/members/${w.users.bob}`)).status).toBe(403);
    expect((await w.as.ann.delete(`/api/v1/threads/${group.id}/members/${w.users.ann}`)).status).toBe(204);
    expect((await w.as.ann.get(messages(group.id))).status).toBe(404);
    expect((await w.as.mia.delete(`/api/v1/threads/${group.id}/members/${w.users.bob}`)).status).toBe(204);
    expect((await w.as.bob.get(messages(group.id))).status).toBe(404);
    expect((await w.as.mia.delete(`/api/v1/threads/${group.id}/members/${w.users.mia}`)).status).toBe(403);
  });

  it('inviting someone to a record\'s thread shares the record with her for reading, audited; only who may share may invite', async () => {
    const id = ok(await w.as.ann.post(DEALS, { title: 'invite carl' }), 201).id;
    const thread = await threadOf(w.as.ann, id);
    expect((await w.as.bob.post(`/api/v1/threads/${thread.id}/members`, { userIds: [w.users.carl] })).status).toBe(403);
    expect((await w.as.carl.get(`${DEALS}/${id}`)).status).toBe(404);
    ok(await w.as.ann.post(`/api/v1/threads/${thread.id}/members`, { userIds: [w.users.carl] }));
    expect((await w.as.carl.get(`${DEALS}/${id}`)).status).toBe(200);
    expect(ok(await w.as.carl.get(`/api/v1/threads/${thread.id}`)).following).toBe(true);
    expect((await w.as.carl.patch(`${DEALS}/${id}`, { region: 'x' })).status).toBe(403);
    const audit = await systemCtx(w.t.platform, w.t.platform.workspaces.list()[0]!).db.selectFrom('audit_log').selectAll().where('action', '=', 'access.share.create').where('target_id', '=', id).execute();
    expect(audit).toHaveLength(1);
  });
});

describe('the inbox and read state', () => {
  it('lists conversations by latest activity with unread counts; reading clears them, never moving back', async () => {
    const dm = ok(await w.as.dan.post('/api/v1/threads/direct', { userId: w.users.carl }));
    ok(await w.as.dan.post(messages(dm.id), { clientId: 'i-1', body: 'one' }), 201);
    const last = ok(await w.as.dan.post(messages(dm.id), { clientId: 'i-2', body: 'two' }), 201);
    const inbox = ok(await w.as.carl.get('/api/v1/inbox'));
    expect(inbox.items[0]).toMatchObject({ id: dm.id, unread: 2, lastMessage: { body: 'two' } });
    expect(inbox.unread).toBeGreaterThanOrEqual(2);
    expect(ok(await w.as.carl.post(`/api/v1/threads/${dm.id}/read`, { seq: last.seq })).unread).toBe(0);
    expect(ok(await w.as.carl.post(`/api/v1/threads/${dm.id}/read`, { seq: 0 })).lastReadSeq).toBe(last.seq);
    expect(ok(await w.as.dan.get('/api/v1/inbox')).items.find((t: { id: string }) => t.id === dm.id).unread).toBe(0);
    expect(ok(await w.as.carl.get('/api/v1/inbox?kind=record')).items.every((t: { kind: string }) => t.kind === 'record')).toBe(true);
  });

  it('shows who has read a message ("2/3 read") and who has not, never counting its author', async () => {
    const group = ok(await w.as.mia.post('/api/v1/threads', { title: '回执', memberIds: [w.users.ann, w.users.bob, w.users.dan] }), 201);
    const sent = ok(await w.as.mia.post(messages(group.id), { clientId: 'r-1', body: '请确认' }), 201);
    ok(await w.as.ann.post(`/api/v1/threads/${group.id}/read`, { seq: sent.seq }));
    ok(await w.as.bob.post(`/api/v1/threads/${group.id}/read`, { seq: sent.seq }));
    const receipts = ok(await w.as.mia.get(`/api/v1/threads/${group.id}/messages/${sent.id}/receipts`));
    expect(receipts).toMatchObject({ read: 2, total: 3, unreadBy: [w.users.dan] });
    expect(receipts.readBy.sort()).toEqual([w.users.ann, w.users.bob].sort());
    expect((await w.as.carl.get(`/api/v1/threads/${group.id}/messages/${sent.id}/receipts`)).status).toBe(404);
    const elsewhere = await w.as.mia.get(`/api/v1/threads/${group.id}/messages/${GUESSED}/receipts`);
    expect(elsewhere.body.error.code).toBe('MESSAGE_NOT_FOUND');
  });

  it('answers the receipts of several messages in one request, leaving out ids that are not the thread\'s', async () => {
    const group = ok(await w.as.mia.post('/api/v1/threads', { title: '批量回执', memberIds: [w.users.ann, w.users.bob] }), 201);
    const first = ok(await w.as.mia.post(messages(group.id), { clientId: 'rb-1', body: '一' }), 201);
    const second = ok(await w.as.ann.post(messages(group.id), { clientId: 'rb-2', body: '二' }), 201);
    ok(await w.as.bob.post(`/api/v1/threads/${group.id}/read`, { seq: first.seq }));
    const list = ok(await w.as.mia.get(`/api/v1/threads/${group.id}/receipts?messageIds=${second.id},${GUESSED},${first.id},${first.id}`));
    // Ann's own message moved her read mark past the first.
    expect(list.items.map((r: { messageId: string }) => r.messageId)).toEqual([first.id, second.id]);
    expect(list.items[0]).toMatchObject({ seq: first.seq, unreadBy: [], read: 2, total: 2 });
    expect(list.items[0].readBy.sort()).toEqual([w.users.ann, w.users.bob].sort());
    expect(list.items[1]).toMatchObject({ seq: second.seq, readBy: [], read: 0, total: 2 });
    expect(list.items[1].unreadBy.sort()).toEqual([w.users.mia, w.users.bob].sort());
    expect((await w.as.carl.get(`/api/v1/threads/${group.id}/receipts?messageIds=${first.id}`)).status).toBe(404);
    const tooMany = Array.from({ length: 101 }, (_, i) => `0190aaaa-bbbb-7ccc-8ddd-${String(i).padStart(12, '0')}`).join(',');
    for (const bad of ['', 'messageIds=', 'messageIds=nope', `messageIds=${tooMany}`]) {
      const answer = await w.as.mia.get(`/api/v1/threads/${group.id}/receipts?${bad}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('FAILED_VALIDATION');
    }
  });

  it('holds followed record threads the user may still read; unfollowing takes one out', async () => {
    const thread = await threadOf(w.as.carl, w.deals.carl);
    expect(ok(await w.as.carl.get('/api/v1/inbox?kind=record')).items.map((t: { id: string }) => t.id)).toContain(thread.id);
    ok(await w.as.carl.request('DELETE', `/api/v1/threads/${thread.id}/follow`));
    expect(ok(await w.as.carl.get('/api/v1/inbox?kind=record')).items.map((t: { id: string }) => t.id)).not.toContain(thread.id);
    ok(await w.as.carl.request('PUT', `/api/v1/threads/${thread.id}/follow`));
    expect(ok(await w.as.carl.get('/api/v1/inbox?kind=record')).items.map((t: { id: string }) => t.id)).toContain(thread.id);
  });

  it('drops a followed record thread once its record is out of reach', async () => {
    const id = ok(await w.as.bob.post(DEALS, { title: 'followed then hidden' }), 201).id;
    const thread = await threadOf(w.as.bob, id);
    ok(await w.as.ann.request('PUT', `/api/v1/threads/${thread.id}/follow`));
    expect(ok(await w.as.ann.get('/api/v1/inbox?kind=record')).items.map((t: { id: string }) => t.id)).toContain(thread.id);
    ok(await w.admin.patch(`${DEALS}/${id}`, { owner: w.users.carl }));
    expect(ok(await w.as.ann.get('/api/v1/inbox?kind=record')).items.map((t: { id: string }) => t.id)).not.toContain(thread.id);
  });
});
