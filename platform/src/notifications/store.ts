import { sql, type ExpressionBuilder } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Message } from '../contracts/index.ts';
import type { Ctx } from '../core/context.ts';
import type { WorkspaceDB } from '../db/tables.ts';
import { publishEvent } from '../events/index.ts';
import type { Reader } from '../threads/index.ts';
import { unreadCounts } from './readable.ts';
import { isPersonal, PERSONAL, type Recipient } from './recipients.ts';

/** Millisecond precision, as the table keeps its times (see the migration): the list's cursor relies on it. */
export const NOW = sql<Date>`date_trunc('milliseconds', now())`;

/**
 * Serialises changes to one person's notifications — from the consumer of any thread, from her own
 * requests, in any process — so that the unread count each change publishes is the count after it.
 * Locks are taken in one sorted pass, so two transactions never wait on each other crosswise.
 */
export async function lockPeople(tx: Ctx, userIds: string[]): Promise<void> {
  const ids = [...new Set(userIds)].sort();
  if (ids.length === 0) return;
  const prefix = `threadbase:notifications:${tx.workspace.schemas.system}:`;
  await sql`select count(pg_advisory_xact_lock(hashtext(${prefix} || id)))
    from (select id from unnest(string_to_array(${ids.join(',')}, ',')) as id order by id) as people`.execute(tx.db);
}

/**
 * Writes the notifications of one message and returns the people whose unread count went up. A mention
 * or a reply is a notification of its own; anything else counts into the person's unread notification of
 * that thread and kind, if there is one (the digest: fifty changes of a record are one notification).
 * Idempotent under the caller's `lockPeople`: events of a thread arrive in seq order, so whoever already
 * has a notification at or after this seq in the thread has had this message.
 */
export async function recordNotifications(tx: Ctx, message: Message, recipients: Recipient[]): Promise<Reader[]> {
  if (recipients.length === 0) return [];
  const done = await tx.db
    .selectFrom('notifications')
    .select('user_id')
    .distinct()
    .where('thread_id', '=', message.threadId)
    .where('user_id', 'in', recipients.map((r) => r.reader.id))
    .where('last_seq', '>=', message.seq)
    .execute();
  const skip = new Set(done.map((d) => d.user_id));
  const rows = recipients
    .filter((r) => !skip.has(r.reader.id))
    .map((r) => ({ id: uuidv7(), user_id: r.reader.id, thread_id: message.threadId, kind: r.kind, first_seq: message.seq, last_seq: message.seq, message_id: message.id, actor_id: message.authorId }));
  const personal = rows.filter((r) => isPersonal(r.kind));
  const digests = rows.filter((r) => !isPersonal(r.kind));
  const raised = new Set<string>();
  if (personal.length) {
    const inserted = await tx.db.insertInto('notifications').values(personal).returning('user_id').execute();
    for (const r of inserted) raised.add(r.user_id);
  }
  if (digests.length) {
    const written = await tx.db
      .insertInto('notifications')
      .values(digests)
      .onConflict((oc) =>
        oc
          .columns(['user_id', 'thread_id', 'kind'])
          // The partial index's predicate, spelled as in the migration: PostgreSQL must prove it from literals.
          .where(sql<boolean>`read_at is null and kind in ('direct', 'message', 'activity')`)
          .doUpdateSet((eb) => ({
            count: sql<number>`notifications.count + 1`,
            last_seq: eb.ref('excluded.last_seq'),
            message_id: eb.ref('excluded.message_id'),
            actor_id: eb.ref('excluded.actor_id'),
            updated_at: NOW,
          })),
      )
      .returning(['user_id', 'count'])
      .execute();
    for (const r of written) if (r.count === 1) raised.add(r.user_id);
  }
  return recipients.filter((r) => raised.has(r.reader.id)).map((r) => r.reader);
}

/**
 * Reminders of a message to people who have not read it: one unread reminder per person and message
 * (a reminder delivered again, or repeated before she looked, adds nothing). Returns those it raised.
 */
export async function recordReminders(tx: Ctx, message: Message, readers: Reader[], by: string | null): Promise<Reader[]> {
  if (readers.length === 0) return [];
  const reminded = await tx.db
    .selectFrom('notifications')
    .select('user_id')
    .where('message_id', '=', message.id)
    .where('kind', '=', 'reminder')
    .where('read_at', 'is', null)
    .where('user_id', 'in', readers.map((r) => r.id))
    .execute();
  const skip = new Set(reminded.map((r) => r.user_id));
  const fresh = readers.filter((r) => !skip.has(r.id));
  if (fresh.length === 0) return [];
  await tx.db
    .insertInto('notifications')
    .values(fresh.map((r) => ({ id: uuidv7(), user_id: r.id, thread_id: message.threadId, kind: 'reminder' as const, first_seq: message.seq, last_seq: message.seq, message_id: message.id, actor_id: by })))
    .execute();
  return fresh;
}

/**
 * A recalled message is no news any more: unread notifications of it alone go (its mention, reply or
 * reminder; a digest of only it), and an unread digest that counted it counts one fewer. Read ones stay
 * as they were. Returns the people whose unread count went down.
 */
export async function withdrawNotifications(tx: Ctx, message: { id: string; threadId: string; seq: number }): Promise<string[]> {
  const counted = (eb: ExpressionBuilder<WorkspaceDB, 'notifications'>) =>
    eb.and([eb('thread_id', '=', message.threadId), eb('read_at', 'is', null), eb('first_seq', '<=', message.seq), eb('last_seq', '>=', message.seq)]);
  const gone = await tx.db
    .deleteFrom('notifications')
    .where((eb) => eb.or([eb.and([eb('message_id', '=', message.id), eb('read_at', 'is', null), eb('kind', 'in', PERSONAL)]), eb.and([counted(eb), eb('kind', 'not in', PERSONAL), eb('count', '<=', 1)])]))
    .returning('user_id')
    .execute();
  const fewer = await tx.db
    .updateTable('notifications')
    .set((eb) => ({ count: eb('count', '-', 1), updated_at: NOW }))
    .where((eb) => eb.and([counted(eb), eb('kind', 'not in', PERSONAL), eb('count', '>', 1)]))
    .returning('user_id')
    .execute();
  return [...new Set([...gone, ...fewer].map((r) => r.user_id))];
}

/** Her read mark in the thread reached `seq`: what she has now seen is read. Whether anything changed. */
export async function markThreadNotificationsRead(tx: Ctx, userId: string, threadId: string, seq: number): Promise<boolean> {
  const result = await tx.db
    .updateTable('notifications')
    .set({ read_at: NOW })
    .where('user_id', '=', userId)
    .where('thread_id', '=', threadId)
    .where('read_at', 'is', null)
    .where('last_seq', '<=', seq)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Whether `markThreadNotificationsRead` would change anything: read marks move far more often than notifications exist. */
export async function hasUnreadUpTo(ctx: Ctx, userId: string, threadId: string, seq: number): Promise<boolean> {
  const found = await ctx.db
    .selectFrom('notifications')
    .select('id')
    .where('user_id', '=', userId)
    .where('thread_id', '=', threadId)
    .where('read_at', 'is', null)
    .where('last_seq', '<=', seq)
    .limit(1)
    .executeTakeFirst();
  return found !== undefined;
}

/**
 * Tells each person's open sessions her new unread count (realtime delivers `notification.changed` to
 * her user room), in the transaction of the change. One aggregate per person keeps her events in order.
 */
export async function publishUnread(tx: Ctx, readers: Reader[]): Promise<Map<string, number>> {
  const counts = await unreadCounts(tx, readers);
  for (const reader of readers) {
    await publishEvent(tx, { aggregateType: 'notifications', aggregateId: reader.id, type: 'notification.changed', payload: { userId: reader.id, unread: counts.get(reader.id) ?? 0 } });
  }
  return counts;
}
