import { sql } from 'kysely';
import type { E2eApp } from '../support/index.ts';

const both = (zh: string, en: string) => ({ 'zh-CN': zh, en });

/** How many messages the long thread holds: its "created" event, the old kickoff note, then the bulk. */
export const TOTAL = 10_001;
/** The old message that search finds, second in the thread. */
export const KICKOFF = { seq: 2, body: '海鸥计划启动会纪要：先做华南区试点' };

const model = {
  objects: [
    {
      name: 'deal',
      label: both('商机', 'Deal'),
      pluralLabel: both('商机', 'Deals'),
      recordName: 'title',
      fields: [{ name: 'title', type: 'text', label: both('商机名称', 'Deal name'), required: true }],
      layouts: [{ name: 'main', label: both('商机详情', 'Deal'), sections: [{ label: both('基本信息', 'Basics'), columns: 1, fields: ['title'] }] }],
      listViews: [{ name: 'all', label: both('全部商机', 'All deals'), columns: ['title'], sort: 'title', pageSize: 20 }],
    },
  ],
};

export const SELLER = { login: 'seller', password: 'seller-password-1', displayName: 'Emma Seller' };
export const WRITER = { login: 'wang', password: 'writer-password-1', displayName: '王写手' };

type Created = { id: string };

/**
 * A deal whose thread holds ten thousand messages over a week. The kickoff note goes through the API
 * (so that search indexes it); the rest are written straight into the table in one statement, since the
 * API's sending rate (10 a second per person) would take a quarter of an hour. Every tenth message is
 * long, every 25th carries a reaction, so that rows differ in height; the last one replies to the kickoff.
 */
export async function seed(app: E2eApp) {
  const seller = await app.api<Created>('POST', '/api/v1/org/users', { ...SELLER, locale: 'en' });
  const writer = await app.api<Created>('POST', '/api/v1/org/users', { ...WRITER });
  await app.api('PUT', '/api/v1/meta/draft', model);
  await app.api('POST', '/api/v1/meta/publish', { note: 'e2e thread scroll' });
  const deal = await app.api<Created>('POST', '/api/v1/objects/deal/records', { title: '海鸥计划' });
  const thread = await app.api<Created>('GET', `/api/v1/objects/deal/records/${deal.id}/thread`);
  const kickoff = await app.api<Created & { seq: number }>('POST', `/api/v1/threads/${thread.id}/messages`, { clientId: 'kickoff', body: KICKOFF.body });
  if (kickoff.seq !== KICKOFF.seq) throw new Error(`the kickoff note has seq ${kickoff.seq}`);

  const schema = app.platform.workspaces.list().find((w) => w.isDefault)!.schemas.system;
  const t = (name: string) => sql.table(`${schema}.${name}`);
  const db = app.platform.db.kysely;
  const admin = (await sql<{ id: string }>`select id from ${t('users')} where login = 'admin'`.execute(db)).rows[0]!.id;
  const last = TOTAL;
  // A week of history, one message a minute, ending an hour ago; the record's creation and the kickoff note before all of it.
  await sql`update ${t('messages')} set created_at = now() - interval '8 days', updated_at = now() - interval '8 days' where thread_id = ${thread.id}`.execute(db);
  await sql`
    insert into ${t('messages')} (id, thread_id, seq, kind, author_id, client_id, body, reply_to, created_at, updated_at)
    select gen_random_uuid(), ${thread.id}, n,
      'user',
      case when n % 3 = 0 then ${seller.id}::uuid else ${admin}::uuid end,
      'bulk-' || n,
      case
        when n = ${last} then '按启动会说的办'
        when n % 10 = 0 then '消息 #' || n || '：' || repeat('这一条比较长，写了好几行，好让每一行的高度各不相同。', 4)
        else '消息 #' || n
      end,
      case when n = ${last} then ${kickoff.id}::uuid end,
      now() - interval '1 hour' - (${last} - n) * interval '1 minute',
      now() - interval '1 hour' - (${last} - n) * interval '1 minute'
    from generate_series(3, ${last}) as n`.execute(db);
  await sql`
    insert into ${t('message_reactions')} (message_id, user_id, emoji)
    select id, ${seller.id}, '👍' from ${t('messages')} where thread_id = ${thread.id} and seq >= 3 and seq % 25 = 0`.execute(db);
  await sql`update ${t('threads')} set last_seq = ${last}, last_message_at = now() - interval '1 hour' where id = ${thread.id}`.execute(db);
  return { sellerId: seller.id, writerId: writer.id, dealId: deal.id, threadId: thread.id };
}
