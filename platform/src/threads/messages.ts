import { sql } from 'kysely';
import type { Message, SendMessage } from '../contracts/threads.ts';
import { AppError } from '../core/app-error.ts';
import { actorId, type Ctx } from '../core/context.ts';
import { spendUserToken } from '../core/rate-limit.ts';
import { urgently } from '../db/lanes.ts';
import { attachableFiles, linkableRecords } from './attachments.ts';
import { resolveMentions } from './mentions.ts';
import { presentMessages, renderFor } from './message-view.ts';
import { storeBatched } from './send-batcher.ts';
import { assertMayPost, readableThread } from './thread-access.ts';

/**
 * Sends a person's message. The client's `clientId` makes it idempotent: a resend after a lost answer
 * returns the message already stored (`created: false`) instead of a second copy. Sending marks the
 * thread read up to the new message for its author.
 */
export function sendMessage(ctx: Ctx, threadId: string, input: SendMessage): Promise<{ message: Message; created: boolean }> {
  // Someone is waiting for it (over HTTP too): on the embedded database it goes before queued reports.
  return urgently(() => send(ctx, threadId, input));
}

async function send(ctx: Ctx, threadId: string, input: SendMessage): Promise<{ message: Message; created: boolean }> {
  // Per person, over HTTP and every socket together, so several tabs do not multiply what one may send.
  spendUserToken(ctx, ctx.platform.messageRate);
  const readable = await readableThread(ctx, threadId);
  assertMayPost(readable);
  if (!input.body.trim() && input.attachments.length === 0 && input.links.length === 0) throw new AppError('MESSAGE_EMPTY', 422);
  if (input.replyTo && !(await ctx.db.selectFrom('messages').select('id').where('id', '=', input.replyTo).where('thread_id', '=', threadId).executeTakeFirst())) {
    throw new AppError('REPLY_NOT_FOUND', 422);
  }
  const [mentions, attachments, links] = await Promise.all([resolveMentions(ctx, readable, input.mentions), attachableFiles(ctx, input.attachments), linkableRecords(ctx, input.links)]);
  const { row, created } = await storeBatched(ctx, readable, { kind: 'user', authorId: actorId(ctx)!, clientId: input.clientId, body: input.body, replyTo: input.replyTo, mentions, attachments, links });
  const [message] = await presentMessages(ctx, [row], { reader: ctx }, created);
  return { message: message!, created };
}

/** Moves the user's read mark forward (never back). A record thread's reader gets a row (as follower) on first read. */
export async function markRead(ctx: Ctx, threadId: string, userId: string, seq: number, roleIfNew: 'follower' | 'member' = 'follower'): Promise<void> {
  await ctx.db
    .insertInto('thread_members')
    .values({ thread_id: threadId, user_id: userId, role: roleIfNew, last_read_seq: seq })
    .onConflict((oc) => oc.columns(['thread_id', 'user_id']).doUpdateSet({ last_read_seq: sql`greatest(thread_members.last_read_seq, excluded.last_read_seq)` }))
    .execute();
}

/**
 * Catching up (`after`: oldest first), scrolling back (`before`, or neither: newest first), or the changes
 * since a time (`updatedAfter`: edits, recalls, reactions, pins; oldest change first).
 */
export async function listMessages(
  ctx: Ctx,
  threadId: string,
  query: { after?: number; before?: number; updatedAfter?: string; limit: number; system: boolean },
): Promise<{ items: Message[]; hasMore: boolean }> {
  const { access } = await readableThread(ctx, threadId);
  let q = ctx.db.selectFrom('messages').selectAll().where('thread_id', '=', threadId);
  if (!query.system) q = q.where('kind', '=', 'user');
  if (query.updatedAfter !== undefined) q = q.where('updated_at', '>', new Date(query.updatedAfter)).where('updated_at', '>', sql<Date>`created_at`).orderBy('updated_at', 'asc').orderBy('seq', 'asc');
  else if (query.after !== undefined) q = q.where('seq', '>', query.after).orderBy('seq', 'asc');
  else {
    if (query.before !== undefined) q = q.where('seq', '<', query.before);
    q = q.orderBy('seq', 'desc');
  }
  const rows = await q.limit(query.limit + 1).execute();
  const items = (await presentMessages(ctx, rows.slice(0, query.limit), { reader: ctx })).map((m) => renderFor(m, access)).filter((m): m is Message => m !== null);
  return { items, hasMore: rows.length > query.limit };
}

/** One message as this reader sees it (live events carry link cards without titles: this fills them in). */
export async function getMessage(ctx: Ctx, threadId: string, messageId: string): Promise<Message> {
  const { access } = await readableThread(ctx, threadId);
  const row = await ctx.db.selectFrom('messages').selectAll().where('thread_id', '=', threadId).where('id', '=', messageId).executeTakeFirst();
  const message = row ? renderFor((await presentMessages(ctx, [row], { reader: ctx }))[0]!, access) : null;
  if (!message) throw new AppError('MESSAGE_NOT_FOUND', 404);
  return message;
}
