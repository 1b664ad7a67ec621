import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessWorld, DEALS, ok, PASSWORD, type AccessWorld } from '../access/access-fixture.ts';
import { systemCtx } from '../core/context.ts';
import { download, png, tokenFor, upload } from '../files/files-fixture.ts';

/** ann, bob and mia read East's deals; carl (West) reads none of them; members never see `margin`. */
let w: AccessWorld;
let annThread: string;
beforeAll(async () => {
  w = await accessWorld();
  annThread = ok(await w.admin.get(`${DEALS}/${w.deals.ann}/thread`)).id;
}, 120_000);
afterAll(() => w.t.close());

const messages = (thread: string) => `/api/v1/threads/${thread}/messages`;
const message = (thread: string, id: string) => `${messages(thread)}/${id}`;
let n = 0;
const send = async (client = w.as.ann, thread = annThread, extra: Record<string, unknown> = {}) => ok(await client.post(messages(thread), { clientId: `m${++n}`, body: `message ${n}`, ...extra }), 201);
const group = async (members = [w.users.bob, w.users.carl], kind = 'group') => ok(await w.as.ann.post('/api/v1/threads', { kind, title: `team ${++n}`, memberIds: members }), 201).id as string;
const error = (res: { status: number; body: any }) => [res.status, res.body?.error?.code];

describe('editing', () => {
  it("lets the author change her message, keeps what it said before, and shows that it was edited", async () => {
    const sent = await send(w.as.ann, annThread, { body: 'first' });
    expect(sent).toMatchObject({ editedAt: null, recalled: false, reactions: [], attachments: [], links: [], pinned: false });
    ok(await w.as.ann.patch(message(annThread, sent.id), { body: 'second' }));
    const edited = ok(await w.as.ann.patch(message(annThread, sent.id), { body: 'third' }));
    expect(edited).toMatchObject({ body: 'third', seq: sent.seq });
    expect(edited.editedAt).not.toBeNull();
    const history = ok(await w.as.bob.get(`${message(annThread, sent.id)}/history`)).items;
    expect(history.map((v: { version: number; body: string }) => [v.version, v.body])).toEqual([
      [1, 'first'],
      [2, 'second'],
    ]);
  });

  it("refuses to edit someone else's message, a system message, and an empty text; nothing changes", async () => {
    const sent = await send(w.as.ann, annThread, { body: 'mine' });
    expect(error(await w.as.bob.patch(message(annThread, sent.id), { body: 'yours now' }))).toEqual([403, 'MESSAGE_NOT_EDITABLE']);
    const system = ok(await w.as.ann.get(`${messages(annThread)}?after=0&limit=1`)).items[0];
    expect(error(await w.as.ann.patch(message(annThread, system.id), { body: 'rewritten history' }))).toEqual([403, 'MESSAGE_NOT_EDITABLE']);
    expect((await w.as.ann.patch(message(annThread, sent.id), { body: '' })).status).toBe(400);
    expect(ok(await w.as.ann.get(message(annThread, sent.id)))).toMatchObject({ body: 'mine', editedAt: null });
  });

  it('lets a client that was away catch up on what changed since (updatedAfter)', async () => {
    const since = new Date().toISOString();
    const untouched = await send();
    const touched = await send();
    ok(await w.as.ann.patch(message(annThread, touched.id), { body: 'changed while you were away' }));
    const changes = ok(await w.as.bob.get(`${messages(annThread)}?updatedAfter=${encodeURIComponent(since)}`)).items;
    expect(changes.map((m: { id: string }) => m.id)).toEqual([touched.id]);
    expect(changes.map((m: { id: string }) => m.id)).not.toContain(untouched.id);
  });
});

describe('recalling', () => {
  it("takes the message back for everyone: text, files, links, reactions and earlier versions go, its place stays", async () => {
    const token = await tokenFor(w.t.app, 'ann', PASSWORD);
    const file = (await upload(w.t.app, token, Buffer.from('quote'), 'quote.txt', 'text/plain')).json;
    const sent = await send(w.as.ann, annThread, { body: 'oops', attachments: [file.id], links: [{ object: 'deal', recordId: w.deals.bob }] });
    ok(await w.as.ann.patch(message(annThread, sent.id), { body: 'oops, edited' }));
    ok(await w.as.bob.request('PUT', `${message(annThread, sent.id)}/reactions/👍`));
    const bobToken = await tokenFor(w.t.app, 'bob', PASSWORD);
    expect((await download(w.t.app, bobToken, `/api/v1/files/${file.id}`)).status).toBe(200);

    const recalled = ok(await w.as.ann.post(`${message(annThread, sent.id)}/recall`));
    expect(recalled).toMatchObject({ seq: sent.seq, body: '', recalled: true, attachments: [], links: [], reactions: [], editedAt: null });
    expect(error(await w.as.bob.get(`${message(annThread, sent.id)}/history`))).toEqual([409, 'MESSAGE_RECALLED']);
    expect((await download(w.t.app, bobToken, `/api/v1/files/${file.id}`)).status).toBe(404);
    expect(error(await w.as.ann.post(`${message(annThread, sent.id)}/recall`))).toEqual([409, 'MESSAGE_RECALLED']);
    expect(error(await w.as.ann.patch(message(annThread, sent.id), { body: 'back' }))).toEqual([409, 'MESSAGE_RECALLED']);
    const audit = await systemCtx(w.t.platform, w.t.platform.workspaces.list()[0]!).db.selectFrom('audit_log').select('target_id').where('action', '=', 'message.recall').execute();
    expect(audit.map((e) => e.target_id)).toContain(sent.id);
  });

  it('is for the author within the workspace window; administrators and group owners may recall any time', async () => {
    const late = await send();
    ok(await w.admin.request('PUT', '/api/v1/messaging/settings', { body: { recallMinutes: 0 } }));
    try {
      expect(error(await w.as.ann.post(`${message(annThread, late.id)}/recall`))).toEqual([403, 'RECALL_WINDOW_PASSED']);
      expect(error(await w.as.bob.post(`${message(annThread, late.id)}/recall`))).toEqual([403, 'MESSAGE_NOT_EDITABLE']);
      expect(ok(await w.admin.post(`${message(annThread, late.id)}/recall`)).recalled).toBe(true);
      const team = await group();
      const bobs = await send(w.as.bob, team);
      expect(ok(await w.as.ann.post(`${message(team, bobs.id)}/recall`)).recalled).toBe(true);
    } finally {
      ok(await w.admin.request('PUT', '/api/v1/messaging/settings', { body: { recallMinutes: 1440 } }));
    }
    expect(error(await w.as.ann.request('PUT', '/api/v1/messaging/settings', { body: { recallMinutes: 5 } }))).toEqual([403, 'FORBIDDEN']);
    expect((await w.admin.request('PUT', '/api/v1/messaging/settings', { body: { recallMinutes: -1 } })).status).toBe(400);
  });
});

describe('reactions', () => {
  it('counts each person once per emoji; taking one back removes only hers', async () => {
    const sent = await send();
    const path = (emoji: string) => `${message(annThread, sent.id)}/reactions/${encodeURIComponent(emoji)}`;
    ok(await w.as.bob.request('PUT', path('👍')));
    ok(await w.as.bob.request('PUT', path('👍')));
    ok(await w.as.mia.request('PUT', path('👍')));
    const after = ok(await w.as.ann.request('PUT', path('thumbsup')));
    expect(after.reactions).toEqual([
      { emoji: '👍', count: 2, userIds: [w.users.bob, w.users.mia] },
      { emoji: 'thumbsup', count: 1, userIds: [w.users.ann] },
    ]);
    expect(ok(await w.as.bob.delete(path('👍'))).reactions[0]).toEqual({ emoji: '👍', count: 1, userIds: [w.users.mia] });
    expect(ok(await w.as.bob.get(message(annThread, sent.id))).reactions).toHaveLength(2);
  });

  it('refuses what is not an emoji, and anyone who cannot read the thread learns nothing', async () => {
    const sent = await send();
    expect((await w.as.bob.request('PUT', `${message(annThread, sent.id)}/reactions/${encodeURIComponent('<b>hi</b>')}`)).status).toBe(400);
    expect(error(await w.as.carl.request('PUT', `${message(annThread, sent.id)}/reactions/${encodeURIComponent('👍')}`))).toEqual([404, 'THREAD_NOT_FOUND']);
  });
});

describe('pins', () => {
  it('in a record thread any reader pins; the pinned list shows the latest pin first', async () => {
    const [a, b] = [await send(), await send()];
    ok(await w.as.bob.request('PUT', `/api/v1/threads/${annThread}/pins/${a.id}`), 204);
    ok(await w.as.ann.request('PUT', `/api/v1/threads/${annThread}/pins/${b.id}`), 204);
    const pins = ok(await w.as.mia.get(`/api/v1/threads/${annThread}/pins`)).items.map((m: { id: string }) => m.id);
    expect(pins.slice(0, 2)).toEqual([b.id, a.id]);
    ok(await w.as.ann.delete(`/api/v1/threads/${annThread}/pins/${a.id}`), 204);
    expect(ok(await w.as.mia.get(message(annThread, a.id))).pinned).toBe(false);
  });

  it("in a group only its owner and admins pin", async () => {
    const team = await group();
    const sent = await send(w.as.bob, team);
    expect(error(await w.as.bob.request('PUT', `/api/v1/threads/${team}/pins/${sent.id}`))).toEqual([403, 'FORBIDDEN']);
    ok(await w.as.ann.request('PUT', `/api/v1/threads/${team}/members/${w.users.bob}`, { body: { role: 'admin' } }));
    ok(await w.as.bob.request('PUT', `/api/v1/threads/${team}/pins/${sent.id}`), 204);
  });
});

describe('attachments and record links', () => {
  it("sends files that everyone in the conversation may download, and no one else", async () => {
    const token = await tokenFor(w.t.app, 'ann', PASSWORD);
    const image = (await upload(w.t.app, token, await png(640, 480), 'site.png', 'image/png')).json;
    const sent = await send(w.as.ann, annThread, { body: '', attachments: [image.id] });
    expect(sent.attachments).toEqual([{ id: image.id, name: 'site.png', size: image.size, contentType: 'image/png', thumbnail: true, width: 640, height: 480 }]);
    const bob = await tokenFor(w.t.app, 'bob', PASSWORD);
    expect((await download(w.t.app, bob, `/api/v1/files/${image.id}`)).status).toBe(200);
    expect((await download(w.t.app, bob, `/api/v1/files/${image.id}/thumbnail`)).status).toBe(200);
    const carl = await tokenFor(w.t.app, 'carl', PASSWORD);
    expect((await download(w.t.app, carl, `/api/v1/files/${image.id}`)).status).toBe(404);
  });

  it("refuses files the sender may not read, and an empty message; nothing is sent", async () => {
    const token = await tokenFor(w.t.app, 'carl', PASSWORD);
    const carls = (await upload(w.t.app, token, Buffer.from('secret'), 'secret.txt', 'text/plain')).json;
    const before = ok(await w.as.ann.get(`/api/v1/threads/${annThread}`)).lastSeq;
    const refused = await w.as.ann.post(messages(annThread), { clientId: 'refused-file', body: 'see this', attachments: [carls.id] });
    expect(error(refused)).toEqual([422, 'ATTACHMENT_NOT_FOUND']);
    expect(refused.body.error.details.fileIds).toEqual([carls.id]);
    expect(error(await w.as.ann.post(messages(annThread), { clientId: 'nothing', body: ' ' }))).toEqual([422, 'MESSAGE_EMPTY']);
    expect(ok(await w.as.ann.get(`/api/v1/threads/${annThread}`)).lastSeq).toBe(before);
  });

  it("shows a linked record as a card with its name to those who may read it, and as a closed card to others", async () => {
    const team = await group([w.users.bob, w.users.carl]);
    const sent = await send(w.as.ann, team, { body: 'look at this deal', links: [{ object: 'deal', recordId: w.deals.ann }] });
    expect(sent.links).toEqual([{ object: 'deal', recordId: w.deals.ann, title: "ann's deal", readable: true }]);
    expect(ok(await w.as.bob.get(message(team, sent.id))).links[0]).toMatchObject({ title: "ann's deal", readable: true });
    expect(ok(await w.as.carl.get(message(team, sent.id))).links[0]).toEqual({ object: 'deal', recordId: w.deals.ann, title: null, readable: false });
    expect(JSON.stringify(ok(await w.as.carl.get(`${messages(team)}?after=0`)))).not.toContain("ann's deal");
  });

  it("refuses a link to a record the sender may not read, as to one that does not exist", async () => {
    for (const recordId of [w.deals.carl, '0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee']) {
      expect(error(await w.as.ann.post(messages(annThread), { clientId: `link-${recordId}`, body: 'x', links: [{ object: 'deal', recordId }] }))).toEqual([422, 'LINKED_RECORD_NOT_FOUND']);
    }
  });
});

describe('forwarding', () => {
  it("copies text, files and links into other conversations with the original author, once per clientId", async () => {
    const token = await tokenFor(w.t.app, 'ann', PASSWORD);
    const file = (await upload(w.t.app, token, Buffer.from('plan'), 'plan.txt', 'text/plain')).json;
    const sent = await send(w.as.ann, annThread, { body: 'the plan', attachments: [file.id] });
    const team = await group([w.users.bob, w.users.carl]);
    const forward = { threadIds: [team], clientId: 'fwd-1' };
    const [copy] = ok(await w.as.bob.post(`${message(annThread, sent.id)}/forward`, forward)).items;
    expect(copy).toMatchObject({ threadId: team, authorId: w.users.bob, body: 'the plan', forwardedFrom: { authorId: w.users.ann, createdAt: sent.createdAt } });
    expect(copy.attachments.map((a: { id: string }) => a.id)).toEqual([file.id]);
    expect(ok(await w.as.bob.post(`${message(annThread, sent.id)}/forward`, forward)).items[0].id).toBe(copy.id);
    const carl = await tokenFor(w.t.app, 'carl', PASSWORD);
    expect((await download(w.t.app, carl, `/api/v1/files/${file.id}`)).status).toBe(200);
  });

  it("sends nothing when one target may not be posted to", async () => {
    const sent = await send();
    const team = await group([w.users.bob]);
    const channel = await group([w.users.bob], 'announcement');
    const before = ok(await w.as.ann.get(`/api/v1/threads/${team}`)).lastSeq;
    expect(error(await w.as.bob.post(`${message(annThread, sent.id)}/forward`, { threadIds: [team, channel], clientId: 'fwd-2' }))).toEqual([403, 'THREAD_READ_ONLY']);
    expect(ok(await w.as.ann.get(`/api/v1/threads/${team}`)).lastSeq).toBe(before);
    expect(error(await w.as.carl.post(`${message(annThread, sent.id)}/forward`, { threadIds: [team], clientId: 'fwd-3' }))).toEqual([404, 'THREAD_NOT_FOUND']);
  });
});

describe('groups and channels', () => {
  it("lets the owner rename the group and name admins; members cannot", async () => {
    const team = await group();
    expect(error(await w.as.bob.patch(`/api/v1/threads/${team}`, { title: 'mine now' }))).toEqual([403, 'FORBIDDEN']);
    expect(ok(await w.as.ann.patch(`/api/v1/threads/${team}`, { title: '华东销售群', avatarUrl: '/avatars/east.png' }))).toMatchObject({ title: '华东销售群', avatarUrl: '/avatars/east.png', ownerId: w.users.ann });
    expect(error(await w.as.bob.request('PUT', `/api/v1/threads/${team}/members/${w.users.carl}`, { body: { role: 'admin' } }))).toEqual([403, 'FORBIDDEN']);
    expect((await w.as.ann.request('PUT', `/api/v1/threads/${team}/members/${w.users.carl}`, { body: { role: 'publisher' } })).status).toBe(400);
    const members = ok(await w.as.ann.request('PUT', `/api/v1/threads/${team}/members/${w.users.carl}`, { body: { role: 'admin' } })).members;
    expect(members).toContainEqual({ userId: w.users.carl, role: 'admin' });
  });

  it("makes a channel reader a publisher, and reminds those who have not read an announcement", async () => {
    const channel = await group([w.users.bob, w.users.carl], 'announcement');
    expect(error(await w.as.bob.post(messages(channel), { clientId: 'early', body: 'me too' }))).toEqual([403, 'THREAD_READ_ONLY']);
    ok(await w.as.ann.request('PUT', `/api/v1/threads/${channel}/members/${w.users.bob}`, { body: { role: 'publisher' } }));
    const notice = await send(w.as.bob, channel, { body: '周五下午全员会议' });
    ok(await w.as.carl.post(`/api/v1/threads/${channel}/read`, { seq: notice.seq }));
    expect(ok(await w.as.bob.post(`${message(channel, notice.id)}/remind`))).toEqual({ reminded: 1 });
    expect(error(await w.as.carl.post(`${message(channel, notice.id)}/remind`))).toEqual([403, 'THREAD_READ_ONLY']);
  });
});

describe('someone who cannot read the thread', () => {
  it('learns nothing from any call about its messages: 404 as for a guessed thread', async () => {
    const sent = await send();
    const path = message(annThread, sent.id);
    const calls = (thread: string, id: string) => [
      () => w.as.carl.get(message(thread, id)),
      () => w.as.carl.patch(message(thread, id), { body: 'x' }),
      () => w.as.carl.get(`${message(thread, id)}/history`),
      () => w.as.carl.post(`${message(thread, id)}/recall`),
      () => w.as.carl.request('PUT', `${message(thread, id)}/reactions/thumbsup`),
      () => w.as.carl.delete(`${message(thread, id)}/reactions/thumbsup`),
      () => w.as.carl.post(`${message(thread, id)}/forward`, { threadIds: [thread], clientId: 'probe' }),
      () => w.as.carl.post(`${message(thread, id)}/remind`),
      () => w.as.carl.get(`/api/v1/threads/${thread}/pins`),
      () => w.as.carl.request('PUT', `/api/v1/threads/${thread}/pins/${id}`),
      () => w.as.carl.delete(`/api/v1/threads/${thread}/pins/${id}`),
      () => w.as.carl.patch(`/api/v1/threads/${thread}`, { title: 'x' }),
      () => w.as.carl.request('PUT', `/api/v1/threads/${thread}/members/${w.users.carl}`, { body: { role: 'admin' } }),
    ];
    for (const [thread, id] of [
      [annThread, sent.id],
      ['0190aaaa-bbbb-7ccc-8ddd-eeeeeeeeeeee', sent.id],
    ]) {
      for (const call of calls(thread!, id!)) expect(error(await call())).toEqual([404, 'THREAD_NOT_FOUND']);
    }
    expect(ok(await w.as.ann.get(path))).toMatchObject({ body: sent.body, reactions: [], pinned: false });
  });
});
