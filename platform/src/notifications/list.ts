import { sql, type InferResult } from 'kysely';
import type { ObjectAccess } from '../access/index.ts';
import type { Message, Notification, NotificationBadge, NotificationPreview, NotificationsQuery } from '../contracts/index.ts';
import { AppError } from '../core/app-error.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import { decodeCursor, encodeCursor } from '../core/cursor.ts';
import { requireUser } from '../core/guards.ts';
import { toNumber } from '../db/tables.ts';
import { presentMessages, readableThreads, renderFor, type Reader } from '../threads/index.ts';
import { unreadCounts } from './readable.ts';
import { lockPeople, NOW, publishUnread } from './store.ts';

const PREVIEW_LENGTH = 100;

const readerOf = (ctx: Ctx): Reader => {
  const actor = requireUser(ctx);
  return { id: actor.userId, isAdmin: actor.isAdmin };
};

/** A short preview of a message as this reader sees it (`renderFor` already left out hidden fields, or the whole message). */
function preview(message: Message | null): NotificationPreview | null {
  if (!message) return null;
  const chars = [...message.body];
  const changes = message.payload?.changes;
  return {
    seq: message.seq,
    kind: message.kind,
    authorId: message.authorId,
    text: message.kind === 'user' ? (chars.length > PREVIEW_LENGTH ? `${chars.slice(0, PREVIEW_LENGTH).join('')}…` : message.body) : '',
    event: message.kind === 'system' && typeof message.payload?.event === 'string' ? message.payload.event : null,
    fields: Array.isArray(changes) ? changes.map((c: { field: string }) => c.field) : [],
  };
}

function afterCursor(cursor: string): { at: string; id: string } {
  const [at, id] = decodeCursor(cursor, ['text', 'uuid']);
  if (Number.isNaN(Date.parse(at))) throw new AppError('INVALID_CURSOR', 400);
  return { at, id };
}

/**
 * The caller's notifications, latest activity first. Notifications of threads she may no longer read are
 * left out (with their titles and previews), so pages are read until one is full of readable ones.
 */
export async function listNotifications(ctx: Ctx, query: NotificationsQuery): Promise<{ items: Notification[]; nextCursor: string | null }> {
  const reader = readerOf(ctx);
  const base = ctx.db
    .selectFrom('notifications as n')
    .innerJoin('threads as t', 't.id', 'n.thread_id')
    .leftJoin('thread_members as m', (join) => join.onRef('m.thread_id', '=', 'n.thread_id').onRef('m.user_id', '=', 'n.user_id'))
    .selectAll('n')
    .select(['t.kind as thread_kind', 't.title', 't.object', 't.record_id', 'm.role'])
    .where('n.user_id', '=', reader.id);
  let after = query.cursor ? afterCursor(query.cursor) : null;
  const kept: { row: InferResult<typeof base>[number]; access: ObjectAccess | null }[] = [];
  for (;;) {
    let q = query.unread ? base.where('n.read_at', 'is', null) : base;
    if (after) q = q.where(sql<boolean>`(n.updated_at, n.id) < (cast(${after.at} as timestamptz), cast(${after.id} as uuid))`);
    const rows = await q.orderBy('n.updated_at', 'desc').orderBy('n.id', 'desc').limit(query.limit + 1).execute();
    const readable = await readableThreads(ctx, reader, rows.map((r) => ({ threadId: r.thread_id, kind: r.thread_kind, object: r.object, recordId: r.record_id, role: r.role })));
    for (const row of rows) if (readable.has(row.thread_id)) kept.push({ row, access: readable.get(row.thread_id) ?? null });
    if (kept.length > query.limit || rows.length <= query.limit) break;
    const last = rows.at(-1)!;
    after = { at: new Date(last.updated_at).toISOString(), id: last.id };
  }
  const page = kept.slice(0, query.limit);
  const ids = page.map((k) => k.row.message_id);
  const rows = ids.length ? await ctx.db.selectFrom('messages').selectAll().where('id', 'in', ids).execute() : [];
  // The preview has no link cards: a room's rendering spares looking up their titles.
  const byId = new Map((await presentMessages(ctx, rows, 'room')).map((m) => [m.id, m]));
  const items = page.map(({ row, access }): Notification => {
    const message = byId.get(row.message_id);
    return {
      id: row.id,
      kind: row.kind,
      thread: { id: row.thread_id, kind: row.thread_kind, title: row.title, object: row.object, recordId: row.record_id },
      count: row.count,
      actorId: row.actor_id,
      firstSeq: toNumber(row.first_seq),
      lastSeq: toNumber(row.last_seq),
      messageId: row.message_id,
      preview: preview(message ? renderFor(message, access) : null),
      read: row.read_at !== null,
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  });
  const last = page.at(-1)?.row;
  return { items, nextCursor: kept.length > query.limit && last ? encodeCursor([new Date(last.updated_at).toISOString(), last.id]) : null };
}

export async function notificationBadge(ctx: Ctx): Promise<NotificationBadge> {
  const reader = readerOf(ctx);
  return { unread: (await unreadCounts(ctx, [reader])).get(reader.id) ?? 0 };
}

/**
 * Marks the caller's notifications read: the ones named, or all. Naming one that is not hers (or does
 * not exist: the two are not told apart) marks nothing and answers 422.
 */
export async function markNotificationsRead(ctx: Ctx, input: { ids?: string[]; all?: true }): Promise<NotificationBadge> {
  const reader = readerOf(ctx);
  return inTransaction(ctx, async (tx) => {
    await lockPeople(tx, [reader.id]);
    let update = tx.db.updateTable('notifications').set({ read_at: NOW }).where('user_id', '=', reader.id).where('read_at', 'is', null);
    if (input.ids) {
      const ids = [...new Set(input.ids)];
      const mine = new Set((await tx.db.selectFrom('notifications').select('id').where('user_id', '=', reader.id).where('id', 'in', ids).execute()).map((r) => r.id));
      const missing = ids.filter((id) => !mine.has(id));
      if (missing.length) throw new AppError('NOTIFICATION_NOT_FOUND', 422, { params: { count: missing.length }, details: { missing } });
      update = update.where('id', 'in', ids);
    }
    const changed = Number((await update.executeTakeFirst()).numUpdatedRows) > 0;
    if (changed) return { unread: (await publishUnread(tx, [reader])).get(reader.id) ?? 0 };
    return { unread: (await unreadCounts(tx, [reader])).get(reader.id) ?? 0 };
  });
}
