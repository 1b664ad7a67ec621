import type { Ctx } from '../core/context.ts';
import { jsonb } from '../db/tables.ts';
import { messageChanged, messageIn } from './message-changes.ts';

/**
 * A card is a system message whose payload shows something that goes on changing (an approval's state):
 * its owner posts it with `appendMessage` and redraws it here, in the change's transaction. Readers see
 * the new payload when they fetch the message; the thread's room hears `message:updated` with change
 * `card`. A card holds nothing that only some readers may see: one payload goes to the whole room.
 */
export async function updateCardMessage(tx: Ctx, threadId: string, messageId: string, payload: Record<string, unknown>): Promise<void> {
  const row = await messageIn(tx, threadId, messageId, true);
  if (row.kind !== 'system') throw new Error(`message ${messageId} is not a card`);
  await messageChanged(tx, row, 'card', { payload: jsonb(payload) });
}
