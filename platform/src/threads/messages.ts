import { sql, type Selectable } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { ObjectAccess } from '../access/index.ts';
import type { Message, SendMessage } from '../contracts/threads.ts';
import { AppError } from '../core/app-error.ts';
import { actorId, inTransaction, type Ctx } from '../core/context.ts';
import { jsonb, toNumber, type WorkspaceDB } from '../db/tables.ts';
import { publishEvent } from '../events/index.ts';
import { resolveMentions } from './mentions.ts';
import { assertMayPost, readableThread } from './thread-access.ts';

type MessageRow = Selectable<WorkspaceDB['messages']>;
type NewMessage = { kind: 'user' | 'system'; authorId: string | null; clientId?: string; body?: string; replyTo?: string; mentions?: string[]; payload?: Record<string, unknown> };

export const toMessage = (r: MessageRow): Message => ({
  id: r.id,
  threadId: r.thread_id,
  seq: toNumber(r.seq),
  kind: r.kind,
  authorId: r.author_id,
  clientId: r.client_id,
  body: r.body,
  mentions: r.mentions,
  replyTo: r.reply_to,
  payload: r.payload,
  createdAt: new Date(r.created_at).toISOString(),
});

/**
 * Appends a message in the caller's transaction. Taking the thread's next seq locks the thread row
 * until commit, so seq order is commit order; the outbox event commits with the message or not at all.
 */
export async function appendMessage(tx: Ctx, threadId: string, message: NewMessage): Promise<Message> {
  const { last_seq } = await tx.db
    .updateTable('threads')
    .set({ last_seq: sql`last_seq + 1`, last_message_at: sql`now()` })
    .where('id', '=', threadId)
    .returning('last_seq')
    .executeTakeFirstOrThrow();
  const row = await tx.db
    .insertInto('messages')
    .values({
      id: uuidv7(),
      thread_id: threadId,
      seq: last_seq,
      kind: message.kind,
      author_id: message.authorId,
      client_id: message.clientId ?? null,
      body: message.body ?? '',
      mentions: jsonb(message.mentions ?? []),
      reply_to: message.replyTo ?? null,
      payload: message.payload ? jsonb(message.payload) : null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await publishEvent(tx, { aggregateType: 'thread', aggregateId: threadId, type: 'message.created', payload: { threadId, messageId: row.id, seq: toNumber(row.seq), kind: row.kind } });
  return toMessage(row);
}

/**
 * Sends a person's message. The client's `clientId` makes it idempotent: a resend after a lost answer
 * returns the message already stored (`created: false`) instead of a second copy. Sending marks the
 * thread read up to the new message for its author.
 */
export async function sendMessage(ctx: Ctx, threadId: string, input: SendMessage): Promise<{ message: Message; created: boolean }> {
  const me = actorId(ctx)!;
  const readable = await readableThread(ctx, threadId);
  assertMayPost(readable);
  const stored = () => ctx.db.selectFrom('messages').selectAll().where('thread_id', '=', threadId).where('author_id', '=', me).where('client_id', '=', input.clientId).executeTakeFirst();
  if (input.replyTo && !(await ctx.db.selectFrom('messages').select('id').where('id', '=', input.replyTo).where('thread_id', '=', threadId).executeTakeFirst())) {
    throw new AppError('REPLY_NOT_FOUND', 422);
  }
  const mentions = await resolveMentions(ctx, readable, input.mentions);
  try {
    const message = await inTransaction(ctx, async (tx) => {
      const sent = await appendMessage(tx, threadId, { kind: 'user', authorId: me, clientId: input.clientId, body: input.body, replyTo: input.replyTo, mentions });
      await markRead(tx, threadId, me, sent.seq, readable.thread.kind === 'record' ? 'follower' : 'member');
      // People mentioned on a record follow it from then on (a follow grants nothing: reading still needs access).
      if (readable.thread.kind === 'record' && mentions.length) {
        await tx.db.insertInto('thread_members').values(mentions.map((user_id) => ({ thread_id: threadId, user_id, role: 'follower' as const }))).onConflict((oc) => oc.columns(['thread_id', 'user_id']).doNothing()).execute();
      }
      return sent;
    });
    return { message, created: true };
  } catch (error) {
    // A resend (or two sends racing) of one clientId: the unique key refuses the copy, whose seq is rolled
    // back with it, and the answer is the message stored first. Checking before sending would cost every
    // send a round trip for the rare resend.
    const winner = (error as { code?: string }).code === '23505' ? await stored() : undefined;
    if (winner) return { message: toMessage(winner), created: false };
    throw error;
  }
}

/** Moves the user's read mark forward (never back). A record thread's reader gets a row (as follower) on first read. */
export async function markRead(ctx: Ctx, threadId: string, userId: string, seq: number, roleIfNew: 'follower' | 'member' = 'follower'): Promise<void> {
  await ctx.db
    .insertInto('thread_members')
    .values({ thread_id: threadId, user_id: userId, role: roleIfNew, last_read_seq: seq })
    .onConflict((oc) => oc.columns(['thread_id', 'user_id']).doUpdateSet({ last_read_seq: sql`greatest(thread_members.last_read_seq, excluded.last_read_seq)` }))
    .execute();
}

/** A system message as one reader may see it: field changes she may not read are left out, and a message left empty is omitted. */
export function renderFor(message: Message, access: ObjectAccess | null): Message | null {
  const changes = message.payload?.changes as { field: string }[] | undefined;
  if (message.kind !== 'system' || !access || !changes) return message;
  const visible = changes.filter((c) => !access.hidden.has(c.field));
  if (visible.length === 0) return null;
  return { ...message, payload: { ...message.payload, changes: visible } };
}

/** Catching up (`after`: oldest first) or scrolling back (`before`, or neither: newest first). */
export async function listMessages(ctx: Ctx, threadId: string, query: { after?: number; before?: number; limit: number; system: boolean }): Promise<{ items: Message[]; hasMore: boolean }> {
  const { access } = await readableThread(ctx, threadId);
  let q = ctx.db.selectFrom('messages').selectAll().where('thread_id', '=', threadId);
  if (!query.system) q = q.where('kind', '=', 'user');
  if (query.after !== undefined) q = q.where('seq', '>', query.after).orderBy('seq', 'asc');
  else {
    if (query.before !== undefined) q = q.where('seq', '<', query.before);
    q = q.orderBy('seq', 'desc');
  }
  const rows = await q.limit(query.limit + 1).execute();
  const items = rows.slice(0, query.limit).map(toMessage).map((m) => renderFor(m, access)).filter((m): m is Message => m !== null);
  return { items, hasMore: rows.length > query.limit };
}
