import type { Ctx } from '../core/context.ts';

const BATCH = 5000;

/** Deletes notifications read more than `days` ago: unread ones stay whatever their age. Returns how many went. */
export async function purgeReadNotifications(ctx: Ctx, days: number, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - days * 86_400_000);
  let purged = 0;
  for (;;) {
    const old = ctx.db.selectFrom('notifications').select('id').where('read_at', '<', before).limit(BATCH);
    const deleted = Number((await ctx.db.deleteFrom('notifications').where('id', 'in', old).executeTakeFirst()).numDeletedRows);
    purged += deleted;
    if (deleted < BATCH) return purged;
  }
}
