import { sql } from 'kysely';
import type { Ctx } from '../core/context.ts';
import { jsonb } from '../db/tables.ts';
import { announceChange } from './message-changes.ts';

/**
 * A card is a system message whose payload shows something that goes on changing (an approval's state):
 * its owner posts it with `appendMessage` and redraws it here, in the change's transaction. Readers see
 * the new payload when they fetch the message; the thread's room hears `message:updated` with change
 * `card`. A card holds nothing that only some readers may see: one payload goes to the whole room.
 */
export async function updateCardMessage(tx: Ctx, threadId: string, messageId: string, payload: Record<string, unknown>): Promise<void> {
  // One statement, no read first: a card changes only in its owner's transaction, under the owner's lock.
  const row = await tx.db
    .updateTable('messages')
    .set({ payload: jsonb(payload), updated_at: sql`now()` })
    .where('thread_id', '=', threadId)
    .where('id', '=', messageId)
    .where('kind', '=', 'system')
    .returning(['id', 'thread_id'])
    .executeTakeFirst();
  if (!row) throw new Error(`message ${messageId} is not a card in thread ${threadId}`);
  await announceChange(tx, row, 'card');
}
