import type { z } from 'zod';
import { appendAudit } from '../audit/index.ts';
import type { Message, MessageHistory, RecordLink } from '../contracts/threads.ts';
import { AppError } from '../core/app-error.ts';
import { actorId, inTransaction, type Ctx } from '../core/context.ts';
import { jsonb } from '../db/tables.ts';
import { assertLive, messageChanged, messageIn } from './message-changes.ts';
import { getMessage } from './messages.ts';
import { messagingSettings } from './messaging-settings.ts';
import { assertMayPost, readableThread } from './thread-access.ts';

/** Its author changes a message's text; the text it replaces is kept as a version anyone in the thread may see. */
export async function editMessage(ctx: Ctx, threadId: string, messageId: string, body: string): Promise<Message> {
  const readable = await readableThread(ctx, threadId);
  assertMayPost(readable);
  await inTransaction(ctx, async (tx) => {
    const row = await messageIn(tx, threadId, messageId, true);
    assertLive(row);
    if (row.author_id !== actorId(ctx)) throw new AppError('MESSAGE_NOT_EDITABLE', 403);
    if (row.body === body) return;
    const { count } = await tx.db.selectFrom('message_edits').select((eb) => eb.fn.countAll<string>().as('count')).where('message_id', '=', messageId).executeTakeFirstOrThrow();
    await tx.db.insertInto('message_edits').values({ message_id: messageId, version: Number(count) + 1, body: row.body, edited_at: row.edited_at ?? row.created_at }).execute();
    await messageChanged(tx, row, 'edited', { body, edited_at: new Date() });
  });
  return getMessage(ctx, threadId, messageId);
}

/** The versions an edited message had, oldest first, each with the time it was written. */
export async function messageHistory(ctx: Ctx, threadId: string, messageId: string): Promise<z.infer<typeof MessageHistory>> {
  await readableThread(ctx, threadId);
  const row = await messageIn(ctx, threadId, messageId);
  if (row.recalled_at) throw new AppError('MESSAGE_RECALLED', 409);
  const versions = await ctx.db.selectFrom('message_edits').select(['version', 'body', 'edited_at']).where('message_id', '=', messageId).orderBy('version').execute();
  return { items: versions.map((v) => ({ version: v.version, body: v.body, writtenAt: new Date(v.edited_at).toISOString() })) };
}

const MODERATORS = ['owner', 'admin'];

/**
 * Recalling (撤回) takes a message back for everyone: its text, files, links, reactions, pin and earlier
 * versions go; "recalled" stays in its place so the conversation keeps its order. Its author may recall
 * within the workspace's window; a group's owner and admins, and workspace administrators, at any time.
 * Audited, since it removes what others may have read.
 */
export async function recallMessage(ctx: Ctx, threadId: string, messageId: string): Promise<Message> {
  const readable = await readableThread(ctx, threadId);
  const me = actorId(ctx);
  await inTransaction(ctx, async (tx) => {
    const row = await messageIn(tx, threadId, messageId, true);
    assertLive(row);
    const moderator = (ctx.actor.kind === 'user' && ctx.actor.isAdmin) || (readable.thread.kind !== 'record' && MODERATORS.includes(readable.membership?.role ?? ''));
    if (!moderator) {
      if (row.author_id !== me) throw new AppError('MESSAGE_NOT_EDITABLE', 403);
      const { recallMinutes } = await messagingSettings(tx);
      if (Date.now() - new Date(row.created_at).getTime() > recallMinutes * 60_000) throw new AppError('RECALL_WINDOW_PASSED', 403, { params: { minutes: recallMinutes } });
    }
    await tx.db.deleteFrom('message_edits').where('message_id', '=', messageId).execute();
    await tx.db.deleteFrom('message_reactions').where('message_id', '=', messageId).execute();
    await messageChanged(tx, row, 'recalled', {
      body: '',
      recalled_at: new Date(),
      edited_at: null,
      pinned_at: null,
      pinned_by: null,
      attachments: jsonb<string[]>([]),
      links: jsonb<RecordLink[]>([]),
      mentions: jsonb<string[]>([]),
    });
    await appendAudit(tx, { action: 'message.recall', targetType: 'message', targetId: messageId, details: { threadId, authorId: row.author_id, byAuthor: row.author_id === me } });
  });
  return getMessage(ctx, threadId, messageId);
}
