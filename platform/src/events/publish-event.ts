import { sql, type RawBuilder } from 'kysely';
import { actorId, type Ctx } from '../core/context.ts';
import { jsonb, toNumber } from '../db/tables.ts';

export const OUTBOX_CHANNEL = 'threadbase_outbox';

export type DomainEvent = {
  aggregateType: string;
  aggregateId: string;
  type: string;
  /** Ids and a small delta, never a whole record: consumers re-read what they need with their own access. */
  payload: Record<string, unknown>;
  /** Who caused it, when not the transaction's actor (several people's messages written together). */
  actorId?: string | null;
};

/**
 * A consumer's deliveries that the writing process makes itself right after commit (threads' live
 * messages, by realtime): they are due only after `ms`, so that the dispatcher takes them up only if
 * that process died first, and they hold back the aggregate's later events until then.
 */
export type HeldDelivery = { consumer: string; ms: number };

/**
 * The outbox writes of events of one aggregate, as common table expressions to put in a statement:
 * `source` is a CTE of the caller's with columns `(ord, type, payload, actor_id)`, `count` its rows. They
 * write the aggregate's counter row (locked until commit, so events of one aggregate get sequence
 * numbers in commit order), the events as CTE `outbox_inserted (id, type, payload)`, a delivery per consumer that handles its type, and each
 * consumer's lease row for the aggregate (see the dispatcher's claim); `held` defers one consumer's deliveries. The statement must also select
 * `outboxNotify` so that other processes wake, and the caller must `wakeAfterCommit`.
 */
export function outboxWrites(ctx: Ctx, aggregate: { type: string; id: string }, source: string, count: number, held?: HeldDelivery): RawBuilder<unknown> {
  const t = (name: string) => sql.table(`${ctx.workspace.schemas.system}.${name}`);
  const { type, id } = aggregate;
  const due = held ? sql`case when outbox_consumers.consumer = ${held.consumer} then now() + make_interval(secs => ${held.ms / 1000}) else now() end` : sql`now()`;
  return sql`outbox_counter as (
      insert into ${t('outbox_aggregates')} as a (aggregate_type, aggregate_id, seq) values (${type}, ${id}, ${count})
      on conflict (aggregate_type, aggregate_id) do update set seq = a.seq + ${count}
      returning seq
    ), outbox_inserted as (
      insert into ${t('outbox_events')} (aggregate_type, aggregate_id, aggregate_seq, type, payload, actor_id)
      select ${type}, ${id}, outbox_counter.seq - ${count} + 1 + s.ord, s.type, s.payload, s.actor_id
      from outbox_counter, ${sql.id(source)} s
      order by s.ord
      returning id, type, payload
    ), outbox_consumers as (
      select consumer, types from jsonb_to_recordset(${jsonb(ctx.platform.outbox.consumerInterests())}) as c(consumer text, types text[])
    ), outbox_deliveries_written as (
      insert into ${t('outbox_deliveries')} (event_id, consumer, next_attempt_at, aggregate_type, aggregate_id)
      select outbox_inserted.id, outbox_consumers.consumer, ${due}, ${type}, ${id}
      from outbox_inserted join outbox_consumers on outbox_consumers.types is null or outbox_inserted.type = any(outbox_consumers.types)
    ), outbox_leases_written as (
      insert into ${t('outbox_leases')} (consumer, aggregate_type, aggregate_id)
      select consumer, ${type}, ${id} from outbox_consumers
      on conflict do nothing
    )`;
}

/** Marks a NOTIFY from a process whose dispatcher delivers its own commits. */
export const DISPATCHING = 'd';

/**
 * A column for the statement's final select: NOTIFY other processes (repeats within a transaction fold
 * into one). It names the sending dispatcher, which wakes itself after commit and ignores its own NOTIFY,
 * and says whether it dispatches: others then only stand in for it, a moment later.
 */
export const outboxNotify = (ctx: Ctx) => {
  const { outbox } = ctx.platform;
  return sql`pg_notify(${OUTBOX_CHANNEL}, ${`${ctx.workspace.schemas.system} ${outbox.tag} ${outbox.dispatching ? DISPATCHING : '-'}`})`;
};

/** After commit, wake this process's dispatcher for the event types written (other processes hear the NOTIFY). */
export function wakeAfterCommit(ctx: Ctx, types: readonly string[]): void {
  if (!ctx.afterCommit) throw new Error('outbox events must be written inside a transaction');
  const schema = ctx.workspace.schemas.system;
  ctx.afterCommit.push(() => ctx.platform.outbox.wake(schema, types));
}

/** Writes events of one aggregate to the outbox inside the caller's transaction, in one statement. */
export async function publishEvents(ctx: Ctx, events: DomainEvent[]): Promise<number[]> {
  wakeAfterCommit(ctx, events.map((e) => e.type));
  if (events.length === 0) return [];
  const { aggregateType, aggregateId } = events[0]!;
  if (events.some((e) => e.aggregateType !== aggregateType || e.aggregateId !== aggregateId)) throw new Error('publishEvents takes events of one aggregate');
  const rows = jsonb(events.map((e, ord) => ({ ord, type: e.type, payload: e.payload, actor_id: e.actorId === undefined ? actorId(ctx) : e.actorId })));
  const result = await sql<{ id: string | number }>`
    with outbox_source as (select * from jsonb_to_recordset(${rows}) as v(ord int, type text, payload jsonb, actor_id uuid)),
    ${outboxWrites(ctx, { type: aggregateType, id: aggregateId }, 'outbox_source', events.length)}
    select id, ${outboxNotify(ctx)} from outbox_inserted order by id`.execute(ctx.db);
  return result.rows.map((r) => toNumber(r.id));
}

/** Writes one event to the outbox inside the caller's transaction (see `publishEvents`). */
export async function publishEvent(ctx: Ctx, event: DomainEvent): Promise<number> {
  return (await publishEvents(ctx, [event]))[0]!;
}
