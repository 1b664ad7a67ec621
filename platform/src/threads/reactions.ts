import { z } from 'zod';
import type { Reactions } from '../contracts/threads.ts';
import { actorId, inTransaction, type Ctx } from '../core/context.ts';
import { assertLive, messageChanged, messageIn } from './message-changes.ts';
import { groupReactions } from './message-view.ts';
import { readableThread } from './thread-access.ts';

/**
 * Everyone who may read a thread may react (announcement readers too); reacting twice with one emoji, or
 * taking back a reaction not given, changes nothing and tells no one.
 */
export async function setReaction(ctx: Ctx, threadId: string, messageId: string, emoji: string, on: boolean): Promise<z.infer<typeof Reactions>> {
  await readableThread(ctx, threadId);
  const me = actorId(ctx)!;
  await inTransaction(ctx, async (tx) => {
    const row = await messageIn(tx, threadId, messageId);
    assertLive(row);
    const changed = on
      ? await tx.db.insertInto('message_reactions').values({ message_id: messageId, user_id: me, emoji }).onConflict((oc) => oc.doNothing()).returning('emoji').executeTakeFirst()
      : await tx.db.deleteFrom('message_reactions').where('message_id', '=', messageId).where('user_id', '=', me).where('emoji', '=', emoji).returning('emoji').executeTakeFirst();
    if (changed) await messageChanged(tx, row, 'reaction');
  });
  return { messageId, reactions: await reactionsOf(ctx, messageId) };
}

export async function reactionsOf(ctx: Ctx, messageId: string) {
  return groupReactions(await ctx.db.selectFrom('message_reactions').select(['emoji', 'user_id']).where('message_id', '=', messageId).orderBy('created_at').execute());
}
