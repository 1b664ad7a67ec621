import { inTransaction, type Ctx } from '../core/context.ts';
import type { DeliveredEvent, OutboxDispatcher } from '../events/index.ts';
import { toNumber } from '../db/tables.ts';
import { presentMessages, readableThreads, type Reader } from '../threads/index.ts';
import { readersOf } from './readable.ts';
import { recipientsOf } from './recipients.ts';
import { hasUnreadUpTo, lockPeople, markThreadNotificationsRead, publishUnread, recordNotifications, recordReminders, withdrawNotifications } from './store.ts';

/**
 * A committed message notifies its recipients. Its author's read mark moved past it when she sent it
 * (threads' sendMessage), without a `thread.read` event: what she had unread there up to it is read.
 */
async function messageWithThread(ctx: Ctx, messageId: string) {
  const row = await ctx.db
    .selectFrom('messages as m')
    .innerJoin('threads as t', 't.id', 'm.thread_id')
    .selectAll('m')
    .select(['t.kind as thread_kind', 't.object', 't.record_id'])
    .where('m.id', '=', messageId)
    .executeTakeFirst();
  // Gone with its thread (a deleted record) before the event got here.
  if (!row) return null;
  // As a room sees it: who it is for does not depend on link titles, and a new message has no reactions.
  const message = (await presentMessages(ctx, [row], 'room', true))[0]!;
  return { message, thread: { id: row.thread_id, kind: row.thread_kind, object: row.object, recordId: row.record_id } };
}

async function onMessage(ctx: Ctx, messageId: string): Promise<void> {
  const found = await messageWithThread(ctx, messageId);
  if (!found) return;
  const { message, thread } = found;
  const recipients = await recipientsOf(ctx, thread, message);
  const { authorId } = message;
  const author = message.kind === 'user' && authorId && (await hasUnreadUpTo(ctx, authorId, message.threadId, message.seq)) ? authorId : null;
  if (recipients.length === 0 && !author) return;
  const authorReader = author ? (await readersOf(ctx, [author])).get(author) : undefined;
  await inTransaction(ctx, async (tx) => {
    await lockPeople(tx, [...recipients.map((r) => r.reader.id), ...(author ? [author] : [])]);
    const changed = await recordNotifications(tx, message, recipients);
    if (author && (await markThreadNotificationsRead(tx, author, message.threadId, message.seq)) && authorReader) changed.push(authorReader);
    await publishUnread(tx, changed);
  });
}

/**
 * A reminder (DING) to those who had not read a message when it was sent: each still unread, still
 * able to read the thread, gets one reminder notification.
 */
async function onRemind(ctx: Ctx, payload: { messageId: string; userIds: string[]; by: string | null }): Promise<void> {
  const found = await messageWithThread(ctx, payload.messageId);
  if (!found || found.message.recalled) return;
  const { message, thread } = found;
  const members = await ctx.db.selectFrom('thread_members').select(['user_id', 'role', 'last_read_seq']).where('thread_id', '=', thread.id).where('user_id', 'in', payload.userIds).execute();
  const unread = members.filter((m) => toNumber(m.last_read_seq) < message.seq);
  const readers = await readersOf(ctx, unread.map((m) => m.user_id));
  const reminded: Reader[] = [];
  for (const m of unread) {
    const reader = readers.get(m.user_id);
    const ref = { threadId: thread.id, kind: thread.kind, object: thread.object, recordId: thread.recordId, role: m.role };
    if (reader && (await readableThreads(ctx, reader, [ref])).has(thread.id)) reminded.push(reader);
  }
  if (reminded.length === 0) return;
  await inTransaction(ctx, async (tx) => {
    await lockPeople(tx, reminded.map((r) => r.id));
    await publishUnread(tx, await recordReminders(tx, message, reminded, payload.by));
  });
}

/** A recalled message withdraws its unread notifications (see `withdrawNotifications`). */
async function onRecall(ctx: Ctx, payload: { messageId: string }): Promise<void> {
  const message = await ctx.db.selectFrom('messages').select(['id', 'thread_id', 'seq']).where('id', '=', payload.messageId).executeTakeFirst();
  if (!message) return;
  await inTransaction(ctx, async (tx) => {
    const people = await tx.db.selectFrom('notifications').select('user_id').distinct().where('thread_id', '=', message.thread_id).where('read_at', 'is', null).execute();
    await lockPeople(tx, people.map((p) => p.user_id));
    const fewer = await withdrawNotifications(tx, { id: message.id, threadId: message.thread_id, seq: toNumber(message.seq) });
    await publishUnread(tx, [...(await readersOf(tx, fewer)).values()]);
  });
}

/** Reading a thread up to a seq reads its notifications up to there (`thread.read` from threads' markThreadRead). */
async function onRead(ctx: Ctx, payload: { threadId: string; userId: string; seq: number }): Promise<void> {
  if (!(await hasUnreadUpTo(ctx, payload.userId, payload.threadId, payload.seq))) return;
  const reader = (await readersOf(ctx, [payload.userId])).get(payload.userId);
  await inTransaction(ctx, async (tx) => {
    await lockPeople(tx, [payload.userId]);
    if ((await markThreadNotificationsRead(tx, payload.userId, payload.threadId, payload.seq)) && reader) await publishUnread(tx, [reader]);
  });
}

async function handle(event: DeliveredEvent, ctx: Ctx): Promise<void> {
  if (event.type === 'message.created') return onMessage(ctx, event.payload.messageId as string);
  if (event.type === 'message.remind') return onRemind(ctx, event.payload as { messageId: string; userIds: string[]; by: string | null });
  if (event.type === 'message.updated' && event.payload.change === 'recalled') return onRecall(ctx, event.payload as { messageId: string });
  if (event.type === 'thread.read') return onRead(ctx, event.payload as { threadId: string; userId: string; seq: number });
}

/**
 * The `notifications` outbox consumer. Reacting to threads' events rather than being called by them keeps
 * sending and reading as fast as before and threads free of any import of this folder.
 */
export function registerNotifications(outbox: OutboxDispatcher): void {
  outbox.register('notifications', handle, { types: ['message.created', 'message.remind', 'message.updated', 'thread.read'] });
}
