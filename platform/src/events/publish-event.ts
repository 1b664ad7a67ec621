import { sql } from 'kysely';
import { actorId, type Ctx } from '../core/context.ts';
import { jsonb, toNumber } from '../db/tables.ts';

export const OUTBOX_CHANNEL = 'threadbase_outbox';

export type DomainEvent = {
  aggregateType: string;
  aggregateId: string;
  type: string;
  /** Ids and a small delta, never a whole record: consumers re-read what they need with their own access. */
  payload: Record<string, unknown>;
};

/**
 * Writes an event to the outbox inside the caller's transaction. The per-aggregate counter row is
 * locked until commit, so events of one aggregate get sequence numbers in commit order.
 */
export async function publishEvent(ctx: Ctx, event: DomainEvent): Promise<number> {
  if (!ctx.afterCommit) throw new Error('publishEvent must run inside a transaction');
  const counter = await ctx.db
    .insertInto('outbox_aggregates')
    .values({ aggregate_type: event.aggregateType, aggregate_id: event.aggregateId, seq: 1 })
    .onConflict((oc) =>
      oc.columns(['aggregate_type', 'aggregate_id']).doUpdateSet({ seq: sql`${sql.ref('outbox_aggregates.seq')} + 1` }),
    )
    .returning('seq')
    .executeTakeFirstOrThrow();
  const inserted = await ctx.db
    .insertInto('outbox_events')
    .values({
      aggregate_type: event.aggregateType,
      aggregate_id: event.aggregateId,
      aggregate_seq: counter.seq,
      type: event.type,
      payload: jsonb(event.payload),
      actor_id: actorId(ctx),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const consumers = ctx.platform.outbox.consumerNames();
  if (consumers.length > 0) {
    await ctx.db
      .insertInto('outbox_deliveries')
      .values(consumers.map((consumer) => ({ event_id: inserted.id, consumer, next_attempt_at: sql<Date>`now()` })))
      .execute();
    const schema = ctx.workspace.schemas.system;
    await sql`select pg_notify(${OUTBOX_CHANNEL}, ${schema})`.execute(ctx.db);
    ctx.afterCommit.push(() => ctx.platform.outbox.wake(schema));
  }
  return toNumber(inserted.id);
}
