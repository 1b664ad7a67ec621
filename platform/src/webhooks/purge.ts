import type { Ctx } from '../core/context.ts';

const BATCH = 1000;

/**
 * Webhook history past its retention (TB_WEBHOOK_RETENTION_DAYS): finished deliveries (with their
 * attempts), events no delivery refers to any more, and the answers kept for inbound idempotency keys.
 * A delivery still owed is never purged, however old. Answers how many rows went, in batches so that a
 * large backlog never holds one long transaction.
 */
export async function purgeWebhookHistory(ctx: Ctx, days: number, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - days * 86_400_000);
  let purged = 0;
  const inBatches = async (purge: () => Promise<number>) => {
    for (let n = BATCH; n === BATCH; purged += n) n = await purge();
  };
  await inBatches(async () => {
    const old = ctx.db.selectFrom('webhook_deliveries').select('id').where('status', 'in', ['delivered', 'failed']).where('finished_at', '<', before).orderBy('id').limit(BATCH);
    return Number((await ctx.db.deleteFrom('webhook_deliveries').where('id', 'in', old).executeTakeFirst()).numDeletedRows);
  });
  await inBatches(async () => {
    const orphans = ctx.db
      .selectFrom('webhook_events as e')
      .select('e.id')
      .where('e.created_at', '<', before)
      .where(({ not, exists, selectFrom }) => not(exists(selectFrom('webhook_deliveries as d').select('d.id').whereRef('d.event_id', '=', 'e.id'))))
      .orderBy('e.id')
      .limit(BATCH);
    return Number((await ctx.db.deleteFrom('webhook_events').where('id', 'in', orphans).executeTakeFirst()).numDeletedRows);
  });
  const answers = await ctx.db.deleteFrom('webhook_inbound_requests').where('created_at', '<', before).executeTakeFirst();
  return purged + Number(answers.numDeletedRows);
}
