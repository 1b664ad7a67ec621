import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessWorld, DEALS, ok, type AccessWorld } from '../access/access-fixture.ts';
import type { ApiClient } from '../testing/index.ts';
import { notificationHelpers } from './notifications-fixture.ts';

/**
 * The sales organisation of the access tests: mia (sales manager) reads East's deals and their margins,
 * ann and bob (East) read East's deals but never `margin`, carl (West) cannot read East's deals.
 */
let w: AccessWorld;
beforeAll(async () => {
  w = await accessWorld();
}, 120_000);
afterAll(() => w.t.close());

const { settle, send, group, direct, notifications, badge, setLevel, stored } = notificationHelpers(() => w);
const dealThread = async (client: ApiClient, id: string) => ok(await client.get(`${DEALS}/${id}/thread`)).id as string;
/** A deal of ann's, whose thread she follows; its "created" message has been delivered before anyone else follows. */
const newDeal = async (title: string) => {
  const id = ok(await w.as.ann.post(DEALS, { title, amount: '1' }), 201).id as string;
  await settle();
  return { id, thread: await dealThread(w.as.ann, id) };
};
const follow = async (client: ApiClient, threadId: string) => ok(await client.request('PUT', `/api/v1/threads/${threadId}/follow`));

describe('who is notified of a message', () => {
  it('in a group, its other members; someone it mentions gets a mention instead, with a preview; its author nothing', async () => {
    const g = await group(w.as.mia, [w.users.ann, w.users.bob]);
    const sent = await send(w.as.ann, g, '@bob 请看报价', { mentions: { users: [w.users.bob] } });
    expect(await notifications(w.as.bob, g)).toEqual([
      {
        id: expect.any(String),
        kind: 'mention',
        thread: { id: g, kind: 'group', title: expect.stringMatching(/^group /), object: null, recordId: null },
        count: 1,
        actorId: w.users.ann,
        firstSeq: sent.seq,
        lastSeq: sent.seq,
        messageId: sent.id,
        preview: { seq: sent.seq, kind: 'user', authorId: w.users.ann, text: '@bob 请看报价', event: null, fields: [] },
        read: false,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      },
    ]);
    expect(await notifications(w.as.mia, g)).toEqual([expect.objectContaining({ kind: 'message', count: 1, actorId: w.users.ann })]);
    expect(await notifications(w.as.ann, g)).toEqual([]);
  });

  it('a mention stays a notification of its own, while plain messages count into one', async () => {
    const g = await group(w.as.mia, [w.users.ann, w.users.bob]);
    await send(w.as.ann, g, '@bob 一', { mentions: { users: [w.users.bob] } });
    await send(w.as.ann, g, '二');
    const last = await send(w.as.ann, g, '三');
    expect((await notifications(w.as.bob, g)).map((n) => [n.kind, n.count, n.lastSeq])).toEqual([
      ['message', 2, last.seq],
      ['mention', 1, last.seq - 2],
    ]);
    expect((await notifications(w.as.mia, g)).map((n) => [n.kind, n.count, n.firstSeq, n.lastSeq])).toEqual([['message', 3, last.seq - 2, last.seq]]);
  });

  it('a reply notifies the author of the message replied to', async () => {
    const g = await group(w.as.mia, [w.users.ann, w.users.bob]);
    const question = await send(w.as.bob, g, '这个客户谁跟？');
    const answer = await send(w.as.ann, g, '我来', { replyTo: question.id });
    expect(await notifications(w.as.bob, g)).toEqual([expect.objectContaining({ kind: 'reply', messageId: answer.id, actorId: w.users.ann })]);
    expect((await notifications(w.as.mia, g)).map((n) => [n.kind, n.count])).toEqual([['message', 2]]);
  });

  it('an announcement notifies its readers', async () => {
    const news = await group(w.as.mia, [w.users.ann, w.users.bob], 'announcement');
    const post = await send(w.as.mia, news, '周五全员大会');
    for (const reader of [w.as.ann, w.as.bob]) {
      expect(await notifications(reader, news)).toEqual([expect.objectContaining({ kind: 'message', messageId: post.id, thread: expect.objectContaining({ kind: 'announcement' }) })]);
    }
    expect(await notifications(w.as.mia, news)).toEqual([]);
  });

  it('a reminder of an announcement reaches only those who have not read it, once until they look', async () => {
    const news = await group(w.as.mia, [w.users.ann, w.users.bob], 'announcement');
    const post = await send(w.as.mia, news, '请本周五前提交报销单');
    ok(await w.as.ann.post(`/api/v1/threads/${news}/read`, { seq: post.seq }));
    await settle();
    const remind = async () => {
      expect(ok(await w.as.mia.post(`/api/v1/threads/${news}/messages/${post.id}/remind`))).toEqual({ reminded: 1 });
      await settle();
    };
    await remind();
    await remind();
    const reminders = (await notifications(w.as.bob, news)).filter((n) => n.kind === 'reminder');
    expect(reminders).toEqual([expect.objectContaining({ kind: 'reminder', messageId: post.id, actorId: w.users.mia })]);
    expect((await notifications(w.as.ann, news)).filter((n) => n.kind === 'reminder')).toEqual([]);
  });

  it('direct messages notify the other person: many of them are one notification that counts them', async () => {
    const dm = await direct(w.as.dan, w.users.carl);
    let last = { id: '', seq: 0 };
    for (const body of ['在吗', '报价单发你了', '看完回我']) last = await send(w.as.dan, dm, body);
    expect(await notifications(w.as.carl, dm)).toEqual([
      expect.objectContaining({ kind: 'direct', count: 3, firstSeq: last.seq - 2, lastSeq: last.seq, messageId: last.id, actorId: w.users.dan, preview: expect.objectContaining({ text: '看完回我' }) }),
    ]);
    expect(await notifications(w.as.dan, dm)).toEqual([]);
  });
});

describe('a followed record', () => {
  it('fifty changes and a message are one notification to a follower, "51 updates", not fifty-one', async () => {
    const deal = await newDeal('大单');
    await follow(w.as.mia, deal.thread);
    for (let amount = 2; amount <= 51; amount++) ok(await w.as.ann.patch(`${DEALS}/${deal.id}`, { amount: String(amount) }));
    const comment = await send(w.as.bob, deal.thread, '我来跟进');
    expect(await notifications(w.as.mia, deal.thread)).toEqual([
      expect.objectContaining({ kind: 'activity', count: 51, actorId: w.users.bob, messageId: comment.id, thread: { id: deal.thread, kind: 'record', title: null, object: 'deal', recordId: deal.id } }),
    ]);
    // Ann follows her deal: her own changes are nothing to her, bob's message is.
    expect((await notifications(w.as.ann, deal.thread)).map((n) => [n.kind, n.count])).toEqual([['activity', 1]]);
    expect(await stored(w.users.bob, deal.thread)).toEqual([]);
  });

  it('shows a change in the preview by the names of the fields changed, without values', async () => {
    const deal = await newDeal('预览');
    await follow(w.as.mia, deal.thread);
    ok(await w.as.ann.patch(`${DEALS}/${deal.id}`, { amount: '2' }));
    await settle();
    const [activity] = await notifications(w.as.mia, deal.thread);
    expect(activity!.preview).toEqual({ seq: activity!.lastSeq, kind: 'system', authorId: w.users.ann, text: '', event: 'record.changed', fields: ['amount'] });
  });

  it('a change only of a field hidden from a follower is nothing to her; previews never name a hidden field', async () => {
    const deal = await newDeal('毛利保密');
    await follow(w.as.mia, deal.thread);
    ok(await w.admin.patch(`${DEALS}/${deal.id}`, { margin: '999' }));
    await settle();
    expect(await stored(w.users.ann, deal.thread)).toEqual([]);
    expect(await notifications(w.as.mia, deal.thread)).toEqual([expect.objectContaining({ count: 1, preview: expect.objectContaining({ fields: ['margin'] }) })]);
    ok(await w.admin.patch(`${DEALS}/${deal.id}`, { margin: '1000', title: '毛利保密 v2' }));
    await settle();
    const forAnn = await notifications(w.as.ann, deal.thread);
    expect(forAnn).toEqual([expect.objectContaining({ count: 1, preview: expect.objectContaining({ fields: ['title'] }) })]);
    expect(JSON.stringify(forAnn)).not.toContain('margin');
    expect((await notifications(w.as.mia, deal.thread))[0]!.preview!.fields.sort()).toEqual(['margin', 'title']);
  });

  it('someone mentioned on a record she may not read gets nothing and learns nothing, now or later', async () => {
    const deal = await newDeal('机密商机');
    const before = await badge(w.as.carl);
    await send(w.as.ann, deal.thread, '@carl 看看这个', { mentions: { users: [w.users.carl] } });
    await send(w.as.bob, deal.thread, '+1');
    ok(await w.as.ann.patch(`${DEALS}/${deal.id}`, { amount: '5' }));
    await settle();
    expect(await stored(w.users.carl, deal.thread)).toEqual([]);
    expect(await badge(w.as.carl)).toBe(before);
    expect(JSON.stringify(ok(await w.as.carl.get('/api/v1/notifications?limit=100')))).not.toContain(deal.thread);
    const level = await w.as.carl.get(`/api/v1/threads/${deal.thread}/notifications`);
    expect([level.status, level.body.error.code]).toEqual([404, 'THREAD_NOT_FOUND']);
  });

  it('once the record is no longer shared with her, its notifications leave her list and her badge', async () => {
    const deal = await newDeal('共享');
    const share = ok(await w.as.ann.post(`${DEALS}/${deal.id}/shares`, { grantee: { kind: 'user', id: w.users.carl } }), 201);
    await follow(w.as.carl, deal.thread);
    const before = await badge(w.as.carl);
    await send(w.as.ann, deal.thread, '西区也来看看');
    expect(await notifications(w.as.carl, deal.thread)).toHaveLength(1);
    expect(await badge(w.as.carl)).toBe(before + 1);
    ok(await w.as.ann.delete(`${DEALS}/${deal.id}/shares/${share.id}`), 204);
    expect(await notifications(w.as.carl, deal.thread)).toEqual([]);
    expect(await badge(w.as.carl)).toBe(before);
  });
});

describe('levels per thread', () => {
  it('at "mentions" only mentions and replies notify; at "none" nothing does', async () => {
    const g = await group(w.as.mia, [w.users.ann, w.users.bob]);
    expect(await setLevel(w.as.bob, g, 'mentions')).toEqual({ threadId: g, level: 'mentions', effective: 'mentions' });
    await send(w.as.ann, g, '午饭吃什么');
    expect(await stored(w.users.bob, g)).toEqual([]);
    const own = await send(w.as.bob, g, '面');
    await send(w.as.mia, g, '好', { replyTo: own.id });
    await send(w.as.ann, g, '@bob 走', { mentions: { users: [w.users.bob] } });
    expect((await notifications(w.as.bob, g)).map((n) => n.kind)).toEqual(['mention', 'reply']);
    await setLevel(w.as.bob, g, 'none');
    await send(w.as.ann, g, '@bob 人呢', { mentions: { users: [w.users.bob] } });
    expect(await notifications(w.as.bob, g)).toHaveLength(2);
    expect(ok(await w.as.bob.get(`/api/v1/threads/${g}/notifications`))).toEqual({ threadId: g, level: 'none', effective: 'none' });
    expect(ok(await w.as.ann.get(`/api/v1/threads/${g}/notifications`))).toEqual({ threadId: g, level: 'all', effective: 'all' });
  });

  it('a muted conversation notifies as "mentions"', async () => {
    const g = await group(w.as.mia, [w.users.ann, w.users.bob]);
    ok(await w.as.bob.delete(`/api/v1/threads/${g}/follow`));
    expect(ok(await w.as.bob.get(`/api/v1/threads/${g}/notifications`))).toEqual({ threadId: g, level: 'all', effective: 'mentions' });
    await send(w.as.ann, g, '闲聊');
    expect(await stored(w.users.bob, g)).toEqual([]);
    await send(w.as.ann, g, '@bob 正事', { mentions: { users: [w.users.bob] } });
    expect((await notifications(w.as.bob, g)).map((n) => n.kind)).toEqual(['mention']);
  });

  it('a reader of a record who does not follow it may set a level: she then follows it, and "none" silences even mentions', async () => {
    const deal = await newDeal('安静');
    expect(ok(await w.as.bob.get(`/api/v1/threads/${deal.thread}`)).following).toBe(false);
    expect(await setLevel(w.as.bob, deal.thread, 'none')).toEqual({ threadId: deal.thread, level: 'none', effective: 'none' });
    expect(ok(await w.as.bob.get(`/api/v1/threads/${deal.thread}`)).following).toBe(true);
    await send(w.as.ann, deal.thread, '@bob 在吗', { mentions: { users: [w.users.bob] } });
    ok(await w.as.ann.patch(`${DEALS}/${deal.id}`, { amount: '3' }));
    await settle();
    expect(await stored(w.users.bob, deal.thread)).toEqual([]);
    const refused = await w.as.carl.request('PUT', `/api/v1/threads/${deal.thread}/notifications`, { body: { level: 'all' } });
    expect([refused.status, refused.body.error.code]).toEqual([404, 'THREAD_NOT_FOUND']);
  });
});

describe('a recalled message', () => {
  it('withdraws its unread mention and counts one fewer in unread digests, leaving read ones as they were', async () => {
    const g = await group(w.as.mia, [w.users.ann, w.users.bob]);
    const recall = async (id: string) => {
      ok(await w.as.ann.post(`/api/v1/threads/${g}/messages/${id}/recall`));
      await settle();
    };
    const kinds = async (client: ApiClient) => (await notifications(client, g)).map((n) => [n.kind, n.count, n.read]);
    const mention = await send(w.as.ann, g, '@bob 撤回我', { mentions: { users: [w.users.bob] } });
    await send(w.as.ann, g, '一');
    const second = await send(w.as.ann, g, '二');
    const bobBefore = await badge(w.as.bob);
    expect(await kinds(w.as.bob)).toEqual([['message', 2, false], ['mention', 1, false]]);

    await recall(mention.id);
    expect(await kinds(w.as.bob)).toEqual([['message', 2, false]]);
    expect(await badge(w.as.bob)).toBe(bobBefore - 1);
    expect(await kinds(w.as.mia)).toEqual([['message', 2, false]]);

    ok(await w.as.mia.post(`/api/v1/threads/${g}/read`, { seq: second.seq }));
    await settle();
    await recall(second.id);
    expect(await kinds(w.as.bob)).toEqual([['message', 1, false]]);
    expect(await kinds(w.as.mia), 'read before the recall').toEqual([['message', 2, true]]);
  });
});
