import { sql } from 'kysely';
import type { Ctx } from '../core/context.ts';

const BATCH = 5000;

/**
 * Deletes outbox events older than `days` whose every delivery is done; their deliveries go with them.
 * An event with a pending delivery is still owed to a consumer, and one with a dead delivery is the
 * evidence of what failed: both stay. Returns how many events went.
 */
export async function purgeDeliveredEvents(ctx: Ctx, days: number, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - days * 86_400_000);
  let purged = 0;
  for (;;) {
    const old = ctx.db
      .selectFrom('outbox_events as e')
      .select('e.id')
      .where('e.created_at', '<', before)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('outbox_deliveries as d').select(sql.lit(1).as('one')).whereRef('d.event_id', '=', 'e.id').where('d.status', '<>', 'done'))))
      .orderBy('e.id')
      .limit(BATCH);
    const deleted = Number((await ctx.db.deleteFrom('outbox_events').where('id', 'in', old).executeTakeFirst()).numDeletedRows);
    purged += deleted;
    if (deleted < BATCH) return purged;
  }
}
