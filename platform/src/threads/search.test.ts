import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessWorld, DEALS, memberPermissions, ok, PASSWORD, type AccessWorld } from '../access/access-fixture.ts';
import { asUser } from '../access/index.ts';
import { inTransaction, systemCtx } from '../core/context.ts';
import { linkFilesToRecord } from '../files/index.ts';
import { tokenFor, upload } from '../files/files-fixture.ts';
import { field } from '../testing/meta-builders.ts';
import type { ApiClient } from '../testing/index.ts';
import { backfillChunk } from './search-backfill.ts';
import { scheduleSearchBackfills } from './index.ts';

/** The sales organisation of the access tests: ann and bob (East) read East's deals, carl (West) does not. */
let w: AccessWorld;
const deals = {} as Record<'lead' | 'followUp' | 'machines', string>;
let leadThread: string;
let renewal: { id: string; seq: number };
beforeAll(async () => {
  w = await accessWorld();
  deals.lead = ok(await w.as.ann.post(DEALS, { title: '商机超时未跟进' }), 201).id;
  deals.followUp = ok(await w.as.ann.post(DEALS, { title: '客户跟进记录' }), 201).id;
  deals.machines = ok(await w.as.carl.post(DEALS, { title: '商品机器' }), 201).id;
  leadThread = ok(await w.as.ann.get(`${DEALS}/${deals.lead}/thread`)).id;
  renewal = ok(await w.as.ann.post(`/api/v1/threads/${leadThread}/messages`, { clientId: 'r1', body: '跟进ACME公司 Q3 renewal' }), 201);
  const direct = ok(await w.as.ann.post('/api/v1/threads/direct', { userId: w.users.bob })).id;
  ok(await w.as.ann.post(`/api/v1/threads/${direct}/messages`, { clientId: 'd1', body: '超时的暗号 is swordfish' }), 201);
  await w.t.platform.outbox.idle();
}, 120_000);
afterAll(() => w.t.close());

type Hit = { kind: string; threadId: string | null; seq: number | null; messageId: string | null; object: string | null; recordId: string | null; fileId: string | null; snippet: string; highlights: { start: number; end: number }[] };
const search = async (client: ApiClient, q: string, extra = ''): Promise<Hit[]> => ok(await client.get(`/api/v1/search?q=${encodeURIComponent(q)}${extra}`)).items;
const recordIds = (hits: Hit[]) => hits.filter((h) => h.kind === 'record').map((h) => h.recordId);
const marked = (hit: Hit) => hit.highlights.map((h) => hit.snippet.slice(h.start, h.end));

describe('search in Chinese', () => {
  it('finds 商机超时未跟进 by 商机 or 超时 and 客户跟进记录 by 跟进, marking what matched', async () => {
    const byLead = await search(w.as.ann, '商机', '&kind=record');
    expect(byLead).toEqual([{ kind: 'record', threadId: null, seq: null, messageId: null, object: 'deal', recordId: deals.lead, fileId: null, snippet: '商机超时未跟进', highlights: [{ start: 0, end: 2 }], createdAt: expect.any(String) }]);
    expect(recordIds(await search(w.as.ann, '超时'))).toEqual([deals.lead]);
    expect(recordIds(await search(w.as.ann, '跟进')).sort()).toEqual([deals.lead, deals.followUp].sort());
    expect(marked((await search(w.as.ann, '超时', '&kind=record'))[0]!)).toEqual(['超时']);
  });

  it('does not find 商品机器 by 商机, though an administrator may read both', async () => {
    expect(recordIds(await search(w.admin, '商机'))).toEqual([deals.lead]);
    expect(recordIds(await search(w.admin, '商品'))).toEqual([deals.machines]);
  });

  it('finds one character wherever it stands, marking only that character', async () => {
    const hits = await search(w.as.ann, '录');
    expect(recordIds(hits)).toEqual([deals.followUp]);
    expect(marked(hits[0]!)).toEqual(['录']);
    expect(recordIds(await search(w.as.ann, '跟')).sort()).toEqual([deals.lead, deals.followUp].sort());
  });

  it('finds a message by mixed Latin and Chinese, with the thread and seq to jump to', async () => {
    for (const q of ['acme renewal', 'ACME公司', 'Ｑ３ 跟进']) {
      const [hit] = await search(w.as.ann, q, '&kind=message');
      expect(hit, q).toMatchObject({ kind: 'message', threadId: leadThread, seq: renewal.seq, messageId: renewal.id, object: 'deal', recordId: deals.lead, snippet: '跟进ACME公司 Q3 renewal' });
    }
    expect(marked((await search(w.as.ann, 'acme renewal'))[0]!)).toEqual(['ACME', 'renewal']);
    expect(await search(w.as.ann, 'renewals')).toEqual([]);
    const page = ok(await w.as.ann.get(`/api/v1/threads/${leadThread}/messages?before=${renewal.seq + 1}&limit=1`));
    expect(page.items[0].id).toBe(renewal.id);
  });

  it('ranks by how well a text matches, then the newest first', async () => {
    const group = ok(await w.as.ann.post('/api/v1/threads', { kind: 'group', title: 'ranking', memberIds: [] }), 201).id;
    const send = async (clientId: string, body: string) => ok(await w.as.ann.post(`/api/v1/threads/${group}/messages`, { clientId, body }), 201).id as string;
    const twice = await send('k1', '季度 kickoff, kickoff again');
    const older = await send('k2', 'kickoff one');
    const newer = await send('k3', 'kickoff two');
    await w.t.platform.outbox.idle();
    expect((await search(w.as.ann, 'kickoff')).map((h) => h.messageId)).toEqual([twice, newer, older]);
    expect((await search(w.as.ann, 'kickoff', '&limit=2')).map((h) => h.messageId)).toEqual([twice, newer]);
  });
});

describe('search under access control', () => {
  it('gives someone in another department nothing of a record she cannot read, nor of its thread', async () => {
    for (const q of ['商机', '跟进', 'acme renewal', '超时']) expect(await search(w.as.carl, q), q).toEqual([]);
  });

  it('never shows a direct message to anyone outside it, administrators included', async () => {
    const forBob = await search(w.as.bob, '暗号');
    expect(forBob).toEqual([expect.objectContaining({ kind: 'message', snippet: '超时的暗号 is swordfish', highlights: [{ start: 3, end: 5 }] })]);
    for (const client of [w.as.carl, w.as.mia, w.admin]) expect(await search(client, 'swordfish')).toEqual([]);
  });

  it('finds the record and its thread once the record is shared, and no longer once unshared', async () => {
    const share = ok(await w.as.ann.post(`${DEALS}/${deals.lead}/shares`, { grantee: { kind: 'user', id: w.users.carl } }), 201);
    expect((await search(w.as.carl, '跟进')).map((h) => [h.kind, h.recordId]).sort()).toEqual([
      ['message', deals.lead],
      ['record', deals.lead],
    ]);
    ok(await w.as.ann.delete(`${DEALS}/${deals.lead}/shares/${share.id}`), 204);
    expect(await search(w.as.carl, '跟进')).toEqual([]);
  });

  it('finds a file by name for its uploader and administrators, and for the readers of the record it is linked to', async () => {
    const name = '季度报告-商机.pdf';
    const res = await upload(w.t.app, await tokenFor(w.t.app, 'ann', PASSWORD), new TextEncoder().encode('%PDF-1.4'), name, 'application/pdf');
    expect(res.status).toBe(201);
    const fileId = res.json.id as string;
    await w.t.platform.outbox.idle();
    const files = async (client: ApiClient) => (await search(client, '报告', '&kind=file')).map((h) => h.fileId);
    expect(await files(w.as.ann)).toEqual([fileId]);
    expect(await files(w.admin)).toEqual([fileId]);
    expect(await files(w.as.bob)).toEqual([]);
    const annCtx = await asUser(systemCtx(w.t.platform, w.t.platform.workspaces.list()[0]!), w.users.ann);
    await inTransaction(annCtx, (tx) => linkFilesToRecord(tx, [fileId], 'deal', deals.lead));
    expect(await files(w.as.bob)).toEqual([fileId]);
    expect(await files(w.as.carl)).toEqual([]);
    expect(marked((await search(w.as.bob, '商机 pdf', '&kind=file'))[0]!)).toEqual(['商机', 'pdf']);
  });

  it('leaves out records whose name field is hidden from the user, but not their threads', async () => {
    ok(await w.admin.patch(`/api/v1/access/roles/${w.roles.member}`, { permissions: [{ ...memberPermissions()[0], fields: { margin: 'hidden', title: 'hidden' } }, memberPermissions()[1]] }));
    try {
      expect(await search(w.as.bob, '跟进', '&kind=record')).toEqual([]);
      expect((await search(w.as.bob, '跟进')).map((h) => h.kind)).toEqual(['message']);
      expect(recordIds(await search(w.as.mia, '跟进'))).toHaveLength(2);
    } finally {
      ok(await w.admin.patch(`/api/v1/access/roles/${w.roles.member}`, { permissions: memberPermissions() }));
    }
  });
});

describe('keeping the index', () => {
  it('follows a record renamed and deleted', async () => {
    ok(await w.as.ann.patch(`${DEALS}/${deals.followUp}`, { title: '客户回访' }));
    await w.t.platform.outbox.idle();
    expect(recordIds(await search(w.as.ann, '跟进记录'))).toEqual([]);
    expect(recordIds(await search(w.as.ann, '回访'))).toEqual([deals.followUp]);
    ok(await w.as.ann.delete(`${DEALS}/${deals.followUp}`), 204);
    await w.t.platform.outbox.idle();
    expect(await search(w.as.ann, '回访')).toEqual([]);
  });

  it('indexes a delivery twice as once, and takes people\'s messages but not system messages', async () => {
    const ctx = systemCtx(w.t.platform, w.t.platform.workspaces.list()[0]!);
    const entries = () => ctx.db.selectFrom('search_entries').select(['kind', 'message_id']).where('thread_id', '=', leadThread).execute();
    expect(await entries()).toEqual([{ kind: 'message', message_id: renewal.id }]);
    await ctx.db.updateTable('outbox_deliveries').set({ status: 'pending', next_attempt_at: new Date() }).where('consumer', '=', 'search').execute();
    w.t.platform.outbox.wake(ctx.workspace.schemas.system);
    await w.t.platform.outbox.idle();
    expect(await entries()).toEqual([{ kind: 'message', message_id: renewal.id }]);
    expect(recordIds(await search(w.as.ann, '商机'))).toEqual([deals.lead]);
    // Every event was delivered again (prepared statements go generic on PostgreSQL after a few runs): none failed.
    expect(await ctx.db.selectFrom('outbox_deliveries').select(['status', 'last_error']).where('consumer', '=', 'search').where('status', '<>', 'done').execute()).toEqual([]);
  });
});

describe('back-filling the index', () => {
  const ctx = () => systemCtx(w.t.platform, w.t.platform.workspaces.list()[0]!);
  const backfillEvents = async () =>
    Number((await ctx().db.selectFrom('outbox_events').select((eb) => eb.fn.countAll<string>().as('n')).where('type', '=', 'search.backfill').executeTakeFirstOrThrow()).n);

  it('indexes texts written before search existed, chunk by chunk, each chunk once', async () => {
    const group = ok(await w.as.ann.post('/api/v1/threads', { kind: 'group', title: 'archive', memberIds: [w.users.bob] }), 201).id as string;
    // Written as before search existed: no events.
    const t = (name: string) => sql.table(`${ctx().workspace.schemas.system}.${name}`);
    await sql`insert into ${t('messages')} (id, thread_id, seq, kind, author_id, body)
      select gen_random_uuid(), ${group}, g, 'user', ${w.users.ann}, '旧消息 number' || (g - 1) from generate_series(1, 1100) g`.execute(ctx().db);
    await sql`update ${t('threads')} set last_seq = 1100 where id = ${group}`.execute(ctx().db);
    await ctx().db.deleteFrom('search_entries').execute();
    await ctx().db.deleteFrom('search_sources').execute();
    expect(await search(w.as.bob, 'number1099')).toEqual([]);

    expect(await scheduleSearchBackfills(ctx())).toEqual(['files', 'messages', 'records:customer', 'records:deal']);
    expect(await scheduleSearchBackfills(ctx()), 'already under way').toEqual([]);
    await w.t.platform.outbox.idle();
    for (const q of ['number0', 'number1099']) expect((await search(w.as.bob, q)).map((h) => h.threadId), q).toEqual([group]);
    expect(recordIds(await search(w.as.ann, '商机'))).toEqual([deals.lead]);
    expect((await search(w.as.ann, '报告', '&kind=file'))).toHaveLength(1);
    const inGroup = await ctx().db.selectFrom('search_entries').select((eb) => eb.fn.countAll<string>().as('n')).where('thread_id', '=', group).executeTakeFirstOrThrow();
    expect(Number(inGroup.n)).toBe(1100);
    expect(await ctx().db.selectFrom('search_sources').select('source').where('done_at', 'is', null).execute()).toEqual([]);

    // The first chunk delivered again, after the back-fill moved on and ended: nothing more to do.
    const events = await backfillEvents();
    await backfillChunk(ctx(), { source: 'messages', indexedAs: 't1', cursor: null });
    expect(await backfillEvents()).toBe(events);
    expect(await scheduleSearchBackfills(ctx()), 'done').toEqual([]);
  });

  it('indexes every record again when its object gets another name field, and forgets objects no longer published', async () => {
    const republish = async (change: (deal: { recordName: string; fields: { name: string }[] }) => void) => {
      const draft = ok(await w.admin.get('/api/v1/meta/draft')).document;
      change(draft.objects.find((o: { name: string }) => o.name === 'deal'));
      ok(await w.admin.request('PUT', '/api/v1/meta/draft', { body: draft }));
      ok(await w.admin.post('/api/v1/meta/publish'));
      await w.t.platform.outbox.idle();
    };
    await republish((deal) => deal.fields.push(field('code', 'text')));
    ok(await w.admin.patch(`${DEALS}/${deals.lead}`, { code: '合同HT-001' }));
    await w.t.platform.outbox.idle();
    expect(await search(w.as.ann, '合同')).toEqual([]);

    await republish((deal) => (deal.recordName = 'code'));
    expect(recordIds(await search(w.as.ann, '合同'))).toEqual([deals.lead]);
    expect(recordIds(await search(w.as.ann, '商机'))).toEqual([]);
    await republish((deal) => (deal.recordName = 'title'));
    expect(recordIds(await search(w.as.ann, '商机'))).toEqual([deals.lead]);
    expect(await search(w.as.ann, '合同')).toEqual([]);

    await ctx().db.insertInto('search_sources').values({ source: 'records:ghost', indexed_as: 't1:name', done_at: new Date() }).execute();
    await ctx().db.insertInto('search_entries').values({ kind: 'record', object: 'ghost', record_id: deals.lead, body: 'ghost', lexemes: sql<string>`'ghost'::tsvector`, created_at: new Date() }).execute();
    expect(await scheduleSearchBackfills(ctx())).toEqual([]);
    expect(await ctx().db.selectFrom('search_entries').select('id').where('object', '=', 'ghost').execute()).toEqual([]);
    expect(await ctx().db.selectFrom('search_sources').select('source').where('source', '=', 'records:ghost').execute()).toEqual([]);
  });
});

describe('bad queries', () => {
  it('refuses an empty, punctuation-only or over-long query with its own code, in the user\'s language', async () => {
    for (const q of ['', '   ', '！？。，']) {
      const res = await w.as.ann.get(`/api/v1/search?q=${encodeURIComponent(q)}`);
      expect(res.status, q).toBe(400);
      expect(res.body.error.code).toBe('SEARCH_QUERY_EMPTY');
    }
    expect((await w.as.ann.get('/api/v1/search')).body.error.code).toBe('SEARCH_QUERY_EMPTY');
    const long = await w.as.ann.get(`/api/v1/search?q=${encodeURIComponent('商'.repeat(101))}`);
    expect(long.status).toBe(400);
    expect(long.body.error).toEqual({ code: 'SEARCH_QUERY_TOO_LONG', message: '搜索内容最多 100 个字符。', details: { max: 100 } });
    expect((await w.as.ann.get(`/api/v1/search?q=${encodeURIComponent('商'.repeat(100))}`)).status).toBe(200);
    for (const extra of ['&kind=thread', '&limit=0', '&limit=51']) expect((await w.as.ann.get(`/api/v1/search?q=x${extra}`)).status, extra).toBe(400);
    expect((await w.t.app.request('/api/v1/search?q=x')).status).toBe(401);
  });
});
