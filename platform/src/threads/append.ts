import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { RecordLink } from '../contracts/threads.ts';
import type { Ctx } from '../core/context.ts';
import { jsonb } from '../db/tables.ts';
import { outboxNotify, outboxWrites, wakeAfterCommit, type HeldDelivery } from '../events/index.ts';
import type { MessageRow } from './message-view.ts';

export type NewMessage = {
  kind: 'user' | 'system';
  authorId: string | null;
  clientId?: string;
  body?: string;
  replyTo?: string;
  mentions?: string[];
  payload?: Record<string, unknown>;
  attachments?: string[];
  links?: RecordLink[];
  forwardedFrom?: { authorId: string | null; createdAt: string };
};

/** What else a person's messages write in their statement: each author's read mark, and who follows. */
export type SentBy = {
  /** Each author's read mark moves past her message (a row with this role if she has none). */
  readMarkRole: 'member' | 'follower';
  /** People mentioned follow the thread from then on (on a record: a follow grants nothing, reading still needs access). */
  followMentions: boolean;
  /** Delivered to sockets by this process right after commit (realtime's `deliverSent`). */
  live?: LiveDelivery;
};

/**
 * `held`: the consumer's deliveries wait for this process (see `HeldDelivery`). `inflight`: events of the
 * thread this process holds and delivers before these. The statement then also answers what the delivery
 * needs, so that it can go out without another round trip (`live_clear`, `live_members` on the first row).
 */
export type LiveDelivery = { held: HeldDelivery; inflight: number[] };

/**
 * A stored message with the id of its `message.created` event and, with `live`, on the first row:
 * `live_clear`, whether every earlier event of the thread was delivered, as far as this statement could
 * know (no other event of the thread committed while it waited for its locks; `null` or false: ask again
 * after commit); `live_members`, the thread's members.
 */
export type AppendedRow = MessageRow & { event_id: string | number; live_clear?: boolean | null; live_members?: string[] | null };

/**
 * Appends messages to a thread with consecutive seqs, in one statement whatever their number: the seqs
 * (taking them locks the thread row, so seq order is commit order), the messages, their outbox events
 * and, for people's messages (`sentBy`), the authors' read marks and the mentioned people's follows. In the
 * caller's transaction, or on its own (`inOneStatement`): a busy thread then holds its lock for one
 * round trip per batch of messages.
 */
export async function appendMessages(tx: Ctx, threadId: string, messages: NewMessage[], sentBy?: SentBy): Promise<AppendedRow[]> {
  const n = messages.length;
  const t = (name: string) => sql.table(`${tx.workspace.schemas.system}.${name}`);
  const values = messages.map((m, ord) => ({
    ord,
    id: uuidv7(),
    kind: m.kind,
    author_id: m.authorId,
    client_id: m.clientId ?? null,
    body: m.body ?? '',
    mentions: m.mentions ?? [],
    reply_to: m.replyTo ?? null,
    payload: m.payload ?? null,
    attachments: m.attachments ?? [],
    links: m.links ?? [],
    forwarded_from: m.forwardedFrom ?? null,
  }));
  const people = sentBy
    ? sql`, read_marks as (
        insert into ${t('thread_members')} (thread_id, user_id, role, last_read_seq)
        select thread_id, author_id, ${sentBy.readMarkRole}, max(seq) from new_messages where author_id is not null group by thread_id, author_id
        on conflict (thread_id, user_id) do update set last_read_seq = greatest(${t('thread_members')}.last_read_seq, excluded.last_read_seq)
      ), followers as (
        insert into ${t('thread_members')} (thread_id, user_id, role)
        select distinct ${threadId}::uuid, mentioned.id::uuid, 'follower'
        from new_messages, jsonb_array_elements_text(new_messages.mentions) as mentioned(id)
        where ${sql.lit(sentBy.followMentions)} and mentioned.id::uuid not in (select author_id from new_messages where author_id is not null)
        on conflict (thread_id, user_id) do nothing
      )`
    : sql``;
  wakeAfterCommit(tx, ['message.created']);
  const live = sentBy?.live;
  const first = sql`new_messages.seq = (select min(seq) from new_messages)`;
  // The aggregate's counter as this statement's snapshot saw it, beside its value after the statement's
  // own events: equal but for them, nothing of the thread committed in between, so the snapshot saw
  // every earlier delivery.
  const liveColumns = live
    ? sql`, case when ${first} then (
          (select seq from outbox_counter) - ${n} = coalesce((select a.seq from ${t('outbox_aggregates')} a where a.aggregate_type = 'thread' and a.aggregate_id = ${threadId}), 0)
          and not exists (select 1 from ${t('outbox_deliveries')} d
            where d.consumer = ${live.held.consumer} and d.aggregate_type = 'thread' and d.aggregate_id = ${threadId} and d.status = 'pending'
              and d.event_id < (select min(id) from outbox_inserted) and d.event_id <> all(${`{${live.inflight.join(',')}}`}::bigint[]))
        ) end as live_clear,
        case when ${first} then array(select user_id from ${t('thread_members')} where thread_id = ${threadId}) end as live_members`
    : sql``;
  const { rows } = await sql<AppendedRow>`
    with thread as (
      update ${t('threads')} set last_seq = last_seq + ${n}, last_message_at = now() where id = ${threadId} returning last_seq
    ), new_messages as (
      insert into ${t('messages')} (id, thread_id, seq, kind, author_id, client_id, body, mentions, reply_to, payload, attachments, links, forwarded_from)
      select v.id, ${threadId}, thread.last_seq - ${n} + 1 + v.ord, v.kind, v.author_id, v.client_id, v.body, v.mentions, v.reply_to, v.payload, v.attachments, v.links, v.forwarded_from
      from thread, jsonb_to_recordset(${jsonb(values)}) as v(ord int, id uuid, kind text, author_id uuid, client_id text, body text, mentions jsonb, reply_to uuid, payload jsonb, attachments jsonb, links jsonb, forwarded_from jsonb)
      returning *
    ), outbox_source as (
      select cast(seq - (select min(seq) from new_messages) as int) as ord, 'message.created' as type,
        jsonb_build_object('threadId', thread_id, 'messageId', id, 'seq', seq, 'kind', kind) as payload, author_id as actor_id
      from new_messages
    ), ${outboxWrites(tx, { type: 'thread', id: threadId }, 'outbox_source', n, live?.held)}${people}
    select new_messages.*, outbox_inserted.id as event_id${liveColumns}
    from new_messages join outbox_inserted on (outbox_inserted.payload->>'messageId')::uuid = new_messages.id, (select ${outboxNotify(tx)}) as notified
    order by seq`.execute(tx.db);
  if (rows.length !== n) throw new Error(`thread ${threadId} does not exist`);
  return rows;
}

/** Appends one message in the caller's transaction (see `appendMessages`). */
export async function appendMessage(tx: Ctx, threadId: string, message: NewMessage): Promise<AppendedRow> {
  return (await appendMessages(tx, threadId, [message]))[0]!;
}
