import type { NotificationLevel, ThreadNotifications } from '../contracts/index.ts';
import { actorId, type Ctx } from '../core/context.ts';
import { readableThread } from '../threads/index.ts';
import { levelOf } from './recipients.ts';

/** The caller's notification level in a thread she may read (404 THREAD_NOT_FOUND otherwise, as everywhere in threads). */
export async function threadNotifications(ctx: Ctx, threadId: string): Promise<ThreadNotifications> {
  const { membership } = await readableThread(ctx, threadId);
  return { threadId, level: membership?.notify ?? 'all', effective: levelOf(membership ?? undefined) };
}

/**
 * Sets the caller's level in a thread. A record's reader who does not follow its thread gets a row as a
 * follower, as when she follows it: the level lives there, and `none` must be able to silence mentions too.
 */
export async function setThreadNotifications(ctx: Ctx, threadId: string, level: NotificationLevel): Promise<ThreadNotifications> {
  const { thread } = await readableThread(ctx, threadId);
  const me = actorId(ctx)!;
  if (thread.kind !== 'record') await ctx.db.updateTable('thread_members').set({ notify: level }).where('thread_id', '=', threadId).where('user_id', '=', me).execute();
  else {
    await ctx.db
      .insertInto('thread_members')
      .values({ thread_id: threadId, user_id: me, role: 'follower', notify: level })
      .onConflict((oc) => oc.columns(['thread_id', 'user_id']).doUpdateSet({ notify: level }))
      .execute();
  }
  return threadNotifications(ctx, threadId);
}
