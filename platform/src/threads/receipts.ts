import type { z } from 'zod';
import type { MessageReceipts } from '../contracts/threads.ts';
import { AppError } from '../core/app-error.ts';
import { actorId, inTransaction, type Ctx } from '../core/context.ts';
import { spendUserToken } from '../core/rate-limit.ts';
import { toNumber } from '../db/tables.ts';
import { publishEvent } from '../events/index.ts';
import { markRead } from './messages.ts';
import { assertMayPost, readableThread } from './thread-access.ts';

type Receipts = z.infer<typeof MessageReceipts>;

/**
 * Who has read a message (已读回执): everyone the message is for — the members, or a record thread's
 * followers — whose read mark has reached its seq. The author is not counted.
 */
export async function messageReceipts(ctx: Ctx, threadId: string, messageId: string): Promise<Receipts> {
  const [found] = await receiptsOf(ctx, threadId, [messageId]);
  if (!found) throw new AppError('MESSAGE_NOT_FOUND', 404);
  return found;
}

/** Receipts of several messages of one thread in two queries (a thread's own messages on screen); others are left out. */
export async function receiptsOf(ctx: Ctx, threadId: string, messageIds: string[]): Promise<Receipts[]> {
  await readableThread(ctx, threadId);
  const messages = await ctx.db.selectFrom('messages').select(['id', 'seq', 'author_id']).where('id', 'in', messageIds).where('thread_id', '=', threadId).orderBy('seq').execute();
  if (messages.length === 0) return [];
  const members = await ctx.db.selectFrom('thread_members').select(['user_id', 'last_read_seq']).where('thread_id', '=', threadId).orderBy('joined_at').execute();
  return messages.map((message) => {
    const seq = toNumber(message.seq);
    const people = members.filter((p) => p.user_id !== message.author_id);
    const readBy = people.filter((p) => toNumber(p.last_read_seq) >= seq).map((p) => p.user_id);
    const unreadBy = people.filter((p) => toNumber(p.last_read_seq) < seq).map((p) => p.user_id);
    return { messageId: message.id, seq, readBy, unreadBy, read: readBy.length, total: people.length };
  });
}

/** Moves the caller's read mark and tells the thread's room (receipts update live). */
export async function markThreadRead(ctx: Ctx, threadId: string, seq: number): Promise<void> {
  const { thread } = await readableThread(ctx, threadId);
  const upTo = Math.min(seq, toNumber(thread.last_seq));
  const me = actorId(ctx)!;
  await inTransaction(ctx, async (tx) => {
    await markRead(tx, threadId, me, upTo);
    await publishEvent(tx, { aggregateType: 'thread', aggregateId: threadId, type: 'thread.read', payload: { threadId, userId: me, seq: upTo } });
  });
}

/**
 * Reminds (DING) everyone who has not read a message yet: for announcements and groups, by whoever may
 * post there; the reminder goes to their inboxes and, live, to their sockets.
 */
export async function remindUnread(ctx: Ctx, threadId: string, messageId: string): Promise<{ reminded: number }> {
  spendUserToken(ctx, ctx.platform.messageRate);
  const readable = await readableThread(ctx, threadId);
  assertMayPost(readable);
  const { unreadBy } = await messageReceipts(ctx, threadId, messageId);
  if (unreadBy.length === 0) return { reminded: 0 };
  await inTransaction(ctx, (tx) =>
    publishEvent(tx, { aggregateType: 'thread', aggregateId: threadId, type: 'message.remind', payload: { threadId, messageId, userIds: unreadBy, by: actorId(ctx) } }),
  );
  return { reminded: unreadBy.length };
}
