import { sql, type Updateable } from 'kysely';
import { AppError } from '../core/app-error.ts';
import type { Ctx } from '../core/context.ts';
import type { WorkspaceDB } from '../db/tables.ts';
import { publishEvent } from '../events/index.ts';
import type { MessageRow } from './message-view.ts';

/** What happened to a message after it was sent; the `message.updated` event names it (`card`: a card's payload changed, see cards.ts). */
export type MessageChange = 'edited' | 'recalled' | 'reaction' | 'pinned' | 'unpinned' | 'card';

/**
 * The message, in its thread; `lock` holds its row until commit, so two edits or an edit and a recall
 * never interleave.
 */
export async function messageIn(ctx: Ctx, threadId: string, messageId: string, lock = false): Promise<MessageRow> {
  let query = ctx.db.selectFrom('messages').selectAll().where('thread_id', '=', threadId).where('id', '=', messageId);
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw new AppError('MESSAGE_NOT_FOUND', 404);
  return row;
}

/** Only people's messages that still exist change after sending. */
export function assertLive(row: MessageRow): void {
  if (row.kind !== 'user') throw new AppError('MESSAGE_NOT_EDITABLE', 403);
  if (row.recalled_at) throw new AppError('MESSAGE_RECALLED', 409);
}

/**
 * Writes a change to a message (`set`: its new columns, if any), in the change's transaction: `updated_at`
 * moves with it, so that clients that were away can ask for what changed, and the event tells the
 * thread's room and the search index.
 */
export async function messageChanged(tx: Ctx, row: MessageRow, change: MessageChange, set: Updateable<WorkspaceDB['messages']> = {}): Promise<void> {
  await tx.db.updateTable('messages').set({ ...set, updated_at: sql`now()` }).where('id', '=', row.id).execute();
  await announceChange(tx, row, change);
}

/** The `message.updated` event of a change already written. */
export async function announceChange(tx: Ctx, row: Pick<MessageRow, 'id' | 'thread_id'>, change: MessageChange): Promise<void> {
  await publishEvent(tx, { aggregateType: 'thread', aggregateId: row.thread_id, type: 'message.updated', payload: { threadId: row.thread_id, messageId: row.id, change } });
}
